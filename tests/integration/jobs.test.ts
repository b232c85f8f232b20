// Both job runners against their real backends: the database for inline, Redis for BullMQ.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import type { Worker } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db'
import { BullQueue, startBullWorker } from '../../src/jobs/bullmq'
import { type JobHandlers, type JobInfo, type JobQueue, PermanentJobError, RetryLaterError } from '../../src/jobs/registry'
import { createLogger } from '../../src/log'
import { InlineQueue } from '../../src/jobs/inline'
import { openTestDb } from '../helpers/db'
import { REDIS_URL } from '../helpers/env'
import { uniquePrefix } from '../helpers/app'

/** Handlers whose catalog.index behaviour each test scripts by the first id of the payload. */
function scriptedHandlers() {
  const calls = new Map<string, number>()
  const behaviour = new Map<string, (n: number) => Promise<unknown>>()
  const handlers: JobHandlers = {
    'catalog.index': async (p, ctx) => {
      const key = p.ids[0]!
      const n = (calls.get(key) ?? 0) + 1
      calls.set(key, n)
      await ctx.progress({ step: 'working', n })
      return (behaviour.get(key) ?? (async () => ({ ok: true })))(n)
    },
    'catalog.reembed': async () => ({}),
    'matching.fit-ranker': async () => ({}),
    'imports.run': async () => ({}),
    'matching.run': async () => ({}),
    'matching.rematch': async () => ({}),
    'navigation.build': async () => ({}),
    'briefs.draft': async () => ({}),
  }
  return { handlers, calls, behaviour }
}

async function until(q: JobQueue, id: string, states: JobInfo['state'][] = ['completed', 'failed'], ms = 30_000): Promise<JobInfo> {
  const end = Date.now() + ms
  for (;;) {
    const j = await q.get(id)
    if (j && states.includes(j.state)) return j
    if (Date.now() > end) throw new Error(`job ${id} is ${j?.state ?? 'missing'} after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const index = (id = randomUUID()) => ({ kind: 'need' as const, ids: [id] })

/**
 * One job that waits once (RetryLaterError) and one that fails once, both then completing: runs them on `q` and
 * returns what was logged of each (level and message).
 */
async function waitAndFailure(q: JobQueue, s: ReturnType<typeof scriptedHandlers>, lines: { level: string; msg: string; job_id: string }[]) {
  const waits = index()
  const flaky = index()
  s.behaviour.set(waits.ids[0]!, async (n) => {
    if (n === 1) throw new RetryLaterError('waiting for other jobs')
    return { ok: n }
  })
  s.behaviour.set(flaky.ids[0]!, async (n) => {
    if (n === 1) throw new Error('transient')
    return { ok: n }
  })
  const ids = [`wait-${waits.ids[0]}`, `warn-${flaky.ids[0]}`]
  await q.enqueue('catalog.index', waits, { jobId: ids[0]! })
  await q.enqueue('catalog.index', flaky, { jobId: ids[1]! })
  for (const id of ids) expect(await until(q, id)).toMatchObject({ state: 'completed', attempts_made: 2 })
  return ids.map((id) => lines.filter((l) => l.job_id === id).map((l) => `${l.level} ${l.msg}`))
}

describe('inline runner (jobs table)', () => {
  let db: Db
  beforeAll(async () => {
    db = await openTestDb()
  })
  afterAll(() => db.close())

  it('runs a job once per id, retries a transient failure, and fails a permanent one at once', async () => {
    const s = scriptedHandlers()
    const q = new InlineQueue(db)
    q.start(s.handlers)
    const ok = index()
    await q.enqueue('catalog.index', ok, { jobId: `t-ok-${ok.ids[0]}` })
    await q.enqueue('catalog.index', ok, { jobId: `t-ok-${ok.ids[0]}` }) // same id: no second run
    const flaky = index()
    s.behaviour.set(flaky.ids[0]!, async (n) => {
      if (n === 1) throw new Error('transient')
      return { ok: n }
    })
    await q.enqueue('catalog.index', flaky, { jobId: `t-flaky-${flaky.ids[0]}` })
    const bad = index()
    s.behaviour.set(bad.ids[0]!, async () => {
      throw new PermanentJobError('cannot ever work')
    })
    await q.enqueue('catalog.index', bad, { jobId: `t-bad-${bad.ids[0]}` })

    expect(await until(q, `t-ok-${ok.ids[0]}`)).toMatchObject({ state: 'completed', attempts_made: 1, result: { ok: true }, progress: { step: 'working' } })
    expect(await until(q, `t-flaky-${flaky.ids[0]}`)).toMatchObject({ state: 'completed', attempts_made: 2, result: { ok: 2 } })
    expect(await until(q, `t-bad-${bad.ids[0]}`)).toMatchObject({ state: 'failed', attempts_made: 1, failed_reason: 'cannot ever work' })
    expect(s.calls.get(ok.ids[0]!)).toBe(1)
    await q.close()
  })

  it('logs an expected wait (RetryLaterError) as information, and only a real failure as a warning', async () => {
    const lines: { level: string; msg: string; job_id: string }[] = []
    const s = scriptedHandlers()
    const q = new InlineQueue(db, createLogger('info', (l) => lines.push(JSON.parse(l))))
    q.start(s.handlers)
    expect(await waitAndFailure(q, s, lines)).toEqual([['info job waiting'], ['warn job failed']])
    await q.close()
  })

  it('rejects a payload that does not match the catalogue', async () => {
    const q = new InlineQueue(db)
    await expect(q.enqueue('catalog.index', { kind: 'need', ids: ['not-a-uuid'] }, { jobId: 'bad-payload' })).rejects.toThrow()
  })

  it('resumes jobs left pending by a previous process', async () => {
    const first = new InlineQueue(db) // never started: like a process that died before running its jobs
    const p = index()
    await first.enqueue('catalog.index', p, { jobId: `t-resume-${p.ids[0]}` })
    const s = scriptedHandlers()
    const second = new InlineQueue(db)
    second.start(s.handlers)
    expect(await until(second, `t-resume-${p.ids[0]}`)).toMatchObject({ state: 'completed' })
    await second.close()
  })
})

describe.runIf(REDIS_URL)('BullMQ runner (real Redis)', () => {
  const workers: Worker[] = []
  const queues: BullQueue[] = []
  afterAll(async () => {
    for (const w of workers) await w.close(true)
    for (const q of queues) await q.close()
  })
  const open = (prefix: string, url = REDIS_URL!) => {
    const q = new BullQueue(url, { prefix })
    queues.push(q)
    return q
  }
  const ready = async (q: BullQueue) => {
    for (let i = 0; i < 100 && (await q.ping().then(() => false, () => true)); i++) await new Promise((r) => setTimeout(r, 20))
  }

  it('completes a job and retries a transient failure', async () => {
    const prefix = uniquePrefix()
    const q = open(prefix)
    await ready(q)
    const s = scriptedHandlers()
    workers.push(startBullWorker(REDIS_URL!, s.handlers, q, { concurrency: 2, prefix }))
    const ok = index()
    await q.enqueue('catalog.index', ok, { jobId: `ok-${ok.ids[0]}`, orgId: null })
    await q.enqueue('catalog.index', ok, { jobId: `ok-${ok.ids[0]}`, orgId: null })
    const flaky = index()
    s.behaviour.set(flaky.ids[0]!, async (n) => {
      if (n === 1) throw new Error('transient')
      return { ok: n }
    })
    await q.enqueue('catalog.index', flaky, { jobId: `flaky-${flaky.ids[0]}` })
    expect(await until(q, `ok-${ok.ids[0]}`)).toMatchObject({ state: 'completed', name: 'catalog.index', result: { ok: true } })
    expect(await until(q, `flaky-${flaky.ids[0]}`)).toMatchObject({ state: 'completed', attempts_made: 2, result: { ok: 2 } })
    expect(s.calls.get(ok.ids[0]!)).toBe(1)
  })

  it('logs an expected wait as information, and a real failure as a warning', async () => {
    const prefix = uniquePrefix()
    const q = open(prefix)
    await ready(q)
    const lines: { level: string; msg: string; job_id: string }[] = []
    const s = scriptedHandlers()
    workers.push(startBullWorker(REDIS_URL!, s.handlers, q, { concurrency: 2, prefix, logger: createLogger('info', (l) => lines.push(JSON.parse(l))) }))
    expect(await waitAndFailure(q, s, lines)).toEqual([['info job waiting'], ['warn job failed']])
  })

  it('hands a job stalled by a killed worker to another worker, and counts both runs as attempts', async () => {
    const prefix = uniquePrefix()
    const db = await openTestDb()
    const q = new BullQueue(REDIS_URL!, { prefix, db }) // jobs recorded in the database, as in production
    queues.push(q)
    await ready(q)
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../fixtures/hanging-worker.ts'), REDIS_URL!, prefix], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const started = new Promise<void>((resolve) => child.stdout!.on('data', (d) => String(d).includes('started') && resolve()))
    const p = index()
    await q.enqueue('catalog.index', p, { jobId: `stall-${p.ids[0]}` })
    await started
    expect((await q.get(`stall-${p.ids[0]}`))!.state).toBe('active')
    child.kill('SIGKILL') // mid-job: its lock expires, nobody renews it
    const s = scriptedHandlers()
    workers.push(startBullWorker(REDIS_URL!, s.handlers, q, { concurrency: 1, prefix, stalledIntervalMs: 500 }))
    // BullMQ does not count the killed run in attemptsMade; the record of the job does
    expect(await until(q, `stall-${p.ids[0]}`, ['completed'], 45_000)).toMatchObject({ state: 'completed', attempts_made: 2 })
    await q.close()
    await db.close()
  })
  // Redis frozen, write-paused or emptied while writes go on: tests/integration/outbox.test.ts (the production shape:
  // jobs recorded in the database and relayed).

})
