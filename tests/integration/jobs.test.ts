// Both job runners against their real backends: the database for inline, Redis for BullMQ.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import path from 'node:path'
import type { Worker } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app'
import { createLogger } from '../../src/log'
import type { Db } from '../../src/db'
import { BullQueue, startBullWorker } from '../../src/jobs/bullmq'
import { type JobHandlers, type JobInfo, type JobQueue, PermanentJobError } from '../../src/jobs/registry'
import { InlineQueue } from '../../src/jobs/inline'
import { createServices } from '../../src/services'
import { openTestDb } from '../helpers/db'
import { REDIS_URL, testConfig } from '../helpers/env'
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

  it('hands a job stalled by a killed worker to another worker', async () => {
    const prefix = uniquePrefix()
    const q = open(prefix)
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
    expect(await until(q, `stall-${p.ids[0]}`, ['completed'], 45_000)).toMatchObject({ state: 'completed' })
  })

  const redisServer = spawnSync('which', ['redis-server']).status === 0
  it.runIf(redisServer)('without a database to record jobs in (BullMQ alone), answers 503 while Redis is unavailable and loses nothing already accepted', async () => {
    // A Redis of our own, so we can freeze it without disturbing other tests.
    const port = 16_379 + Math.floor(Math.random() * 1000)
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    try {
      const url = `redis://127.0.0.1:${port}`
      const prefix = uniquePrefix()
      const q = open(prefix, url)
      await ready(q)
      const accepted = index()
      await q.enqueue('catalog.index', accepted, { jobId: `kept-${accepted.ids[0]}` })

      const config = testConfig({ REDIS_URL: url })
      const db = await openTestDb()
      const services = createServices(db, config, q)
      const app = createApp({ config, db, services, queuePing: () => q.ping() }, createLogger('silent'))
      const ent = await services.orgs.createOrg({ kind: 'system', role: 'system' }, { name: 'redis-down test', kind: 'enterprise' })
      const { key } = await services.orgs.createKeyAsOperator(ent.id, { name: 't', role: 'enterprise' })

      server.kill('SIGSTOP') // frozen: connections stay open, nothing answers
      const r = await app.request('/v1/needs', {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Redis 不可用时的需求' }),
      })
      expect(r.status).toBe(503)
      expect(r.headers.get('content-type')).toContain('application/problem+json')
      expect((await r.json() as { type: string }).type).toBe('/problems/service_unavailable')
      expect((await app.request('/readyz')).status).toBe(503)
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM needs WHERE org_id = $1', [ent.id])
      expect(rows.rows[0]!.n).toBe(0) // refused means nothing written

      server.kill('SIGCONT')
      const s = scriptedHandlers()
      workers.push(startBullWorker(url, s.handlers, q, { concurrency: 1, prefix }))
      expect(await until(q, `kept-${accepted.ids[0]}`)).toMatchObject({ state: 'completed' })
      await db.close()
    } finally {
      server.kill('SIGCONT')
      server.kill('SIGTERM')
    }
  })
})
