// Imports and jobs against a real database: an interrupted import resumes and reports what it wrote; a batch the
// database refuses is bisected to its bad rows; jobs commit with the write that needs them (the outbox); a timed-out
// job's handler stops and its later writes never land.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/log'
import { validateRecord } from '../../src/catalog/service'
import { InlineQueue } from '../../src/jobs/inline'
import { checkAborted, type JobHandlers, JobTimeoutError, runJob } from '../../src/jobs/registry'
import { matchStore } from '../../src/matching/store'
import type { Caller } from '../../src/orgs/access'
import { openRuntime, type Runtime } from '../../src/runtime'
import { openTestDb } from '../helpers/db'
import { testConfig } from '../helpers/env'
import { uniquePrefix } from '../helpers/app'

let rt: Runtime
let caller: Caller
let orgId: string
beforeAll(async () => {
  // no job runner: the tests run the import handler themselves, as a worker would (and stop it, as a kill would)
  rt = await openRuntime(testConfig({ REDIS_URL: undefined }), createLogger('silent'), { db: await openTestDb(), queuePrefix: uniquePrefix(), runInlineJobs: false })
  const org = await rt.services.orgs.createOrg({ kind: 'system', role: 'system' }, { name: `imports it ${randomUUID().slice(0, 8)}`, kind: 'university', region: '江苏' })
  orgId = org.id
  const key = await rt.services.orgs.createKeyAsOperator(org.id, { name: 't', role: 'university' })
  const auth = await rt.services.orgs.authenticate(key.key)
  caller = auth!
})
afterAll(() => rt.close())

const csvOf = (n: number, tag: string) =>
  new TextEncoder().encode('编号,成果名称,成果简介\n' + Array.from({ length: n }, (_, i) => `${tag}-${i},复合材料制备工艺${tag}第${i}号,一种新型复合材料的制备方法，编号${i}。`).join('\n') + '\n')

describe('an interrupted import', () => {
  it('resumes after the batches it committed and reports what it wrote, not its own rows as unchanged', async () => {
    const imp = await rt.services.imports.create(caller, { kind: 'achievement', filename: 'resume.csv', content: csvOf(1300, `r${Date.now()}`) })
    // first run: stopped after its second batch committed, as a killed worker would be
    const ac = new AbortController()
    await expect(
      rt.services.imports.run(imp.id, async (p) => {
        if ((p.read as number) >= 1000) ac.abort(new JobTimeoutError('worker killed'))
      }, ac.signal),
    ).rejects.toThrow(/killed/)
    const mid = (await rt.services.imports.get(caller, imp.id))
    expect(mid.status).toBe('running')
    expect(mid.rows_inserted).toBeGreaterThanOrEqual(1000)
    // second run (the job re-queued): skips the committed batches
    const counts = await rt.services.imports.run(imp.id, async () => {})
    expect(counts).toMatchObject({ read: 1300, inserted: 1300, updated: 0, unchanged: 0, rejected: 0 })
    expect(await rt.services.imports.get(caller, imp.id)).toMatchObject({ status: 'completed', rows_read: 1300, rows_inserted: 1300, rows_unchanged: 0 })
    const n = await rt.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM achievements WHERE org_id = $1 AND title LIKE '复合材料制备工艺r%'`, [orgId])
    expect(n.rows[0]!.n).toBe(1300)
  })
})

describe('the embedded default after a crash', () => {
  it('runs an import left half-done by a stopped process to completion when the next one starts', async () => {
    const queueName = (rt.queue as InlineQueue).queueName
    const imp = await rt.services.imports.create(caller, { kind: 'achievement', filename: 'crash.csv', content: csvOf(1100, `c${Date.now()}`) })
    // the job was recorded with the import, in one transaction
    expect(await rt.queue.get(imp.job_id!)).toMatchObject({ state: 'waiting', attempts_made: 0 })
    // a process takes it and dies after one batch: its row says active, one attempt
    await rt.db.query(`UPDATE jobs SET state = 'active', attempts_made = 1 WHERE id = $1`, [imp.job_id])
    const ac = new AbortController()
    await expect(rt.services.imports.run(imp.id, async () => ac.abort(new JobTimeoutError('process died')), ac.signal)).rejects.toThrow(/died/)
    // the next process starts its runner
    const next = new InlineQueue(rt.db, undefined, { queueName })
    next.start(rt.handlers)
    let j = await next.get(imp.job_id!)
    for (let i = 0; i < 1200 && j?.state !== 'completed' && j?.state !== 'failed'; i++) {
      await sleep(50)
      j = await next.get(imp.job_id!)
    }
    expect(j).toMatchObject({ state: 'completed', attempts_made: 2 })
    expect(await rt.services.imports.get(caller, imp.id)).toMatchObject({ status: 'completed', rows_read: 1100, rows_inserted: 1100, rows_unchanged: 0 })
    await next.close()
  })
})

describe('a batch the database refuses', () => {
  it('is bisected to the refused rows; the others are written', async () => {
    const tag = `b${Date.now()}`
    const records = Array.from({ length: 9 }, (_, i) => validateRecord('achievement', { external_id: `${tag}-${i}`, title: `二分定位测试成果${i}`, summary: '摘要' }).data!)
    records[6]!.title = '数据库无法保存\u0000的标题' // after validation on purpose: the database is the last line
    const prepared = rt.services.catalog.prepareMany('achievement', records)
    const refused: string[] = []
    const r = await rt.services.catalog.writeMany('achievement', orgId, prepared, records.length, tag, { refused: (row) => refused.push(row.naturalKey) })
    expect(r).toMatchObject({ inserted: 8, refused: 1 })
    expect(refused).toEqual([`x:${tag}-6`])
    const n = await rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM achievements WHERE org_id = $1 AND external_id LIKE $2', [orgId, `${tag}-%`])
    expect(n.rows[0]!.n).toBe(8)
  })
})

describe('the outbox (embedded runner)', () => {
  it('records a job only if the write that needs it commits', async () => {
    const q = rt.queue
    const ok = `outbox-ok-${randomUUID()}`
    const bad = `outbox-rolled-back-${randomUUID()}`
    await rt.db.transaction(async (tx) => {
      await q.enqueue('catalog.index', { kind: 'need', ids: [randomUUID()] }, { jobId: ok, tx })
    })
    await expect(
      rt.db.transaction(async (tx) => {
        await q.enqueue('catalog.index', { kind: 'need', ids: [randomUUID()] }, { jobId: bad, tx })
        throw new Error('the write failed')
      }),
    ).rejects.toThrow(/write failed/)
    expect((await q.get(ok))?.state).toBe('waiting')
    expect(await q.get(bad)).toBeNull()
  })
})

describe('a job that runs past its timeout', () => {
  /** A handler that works in batches, checking its signal before each write, like the import handler. */
  function batchHandler(writes: number[]) {
    let finished!: Promise<void>
    const handlers = {
      'catalog.index': (_p: unknown, ctx: { signal: AbortSignal }) => {
        finished = (async () => {
          for (let i = 0; i < 10_000; i++) {
            checkAborted(ctx.signal)
            writes.push(i)
            const until = Date.now() + 5
            while (Date.now() < until); // synchronous work: no timer can fire meanwhile
            await sleep(1)
          }
        })()
        return finished
      },
    } as unknown as JobHandlers
    return { handlers, finished: () => finished.catch(() => {}) }
  }

  it('is given up, and the handler stops: nothing it would write after that lands', async () => {
    const writes: number[] = []
    const h = batchHandler(writes)
    const run = runJob(h.handlers, 'catalog.index', { kind: 'need', ids: [randomUUID()] }, { jobId: 'timeout-direct', attempt: 1, queue: rt.queue, progress: async () => {} }, { timeoutMs: 200 })
    await expect(run).rejects.toBeInstanceOf(JobTimeoutError)
    const atTimeout = writes.length
    await h.finished()
    expect(writes.length).toBe(atTimeout)
    expect(atTimeout).toBeGreaterThan(0)
  })

  it('the index handler given up (its signal aborted) commits nothing; run again, it indexes', async () => {
    const tag = `ix${Date.now()}`
    const record = validateRecord('achievement', { external_id: tag, title: '放弃的索引任务测试成果', summary: '摘要' }).data!
    const prepared = rt.services.catalog.prepareMany('achievement', [record]).map((p) => ({ ...p, index: undefined }))
    await rt.services.catalog.writeMany('achievement', orgId, prepared, 1, tag)
    const { id } = (await rt.db.query<{ id: string }>('SELECT id FROM achievements WHERE org_id = $1 AND external_id = $2', [orgId, tag])).rows[0]!
    const indexed = async () => (await rt.db.query<{ ok: boolean }>('SELECT embedding IS NOT NULL AS ok FROM achievements WHERE id = $1', [id])).rows[0]!.ok
    expect(await indexed()).toBe(false)
    const givenUp = AbortSignal.abort(new JobTimeoutError('given up'))
    await expect(rt.services.catalog.indexRows('achievement', [id], false, givenUp)).rejects.toBeInstanceOf(JobTimeoutError)
    expect(await indexed()).toBe(false)
    expect(await rt.services.catalog.indexRows('achievement', [id])).toEqual({ indexed: 1, skipped: 0 })
    expect(await indexed()).toBe(true)
  })

  it('the matching handler given up (its signal aborted) stores no run; run again, it stores one', async () => {
    const tag = `mr${Date.now()}`
    const record = validateRecord('need', { external_id: tag, title: '放弃的匹配任务测试需求', description: '需要一种复合材料制备工艺' }).data!
    await rt.services.catalog.writeMany('need', orgId, rt.services.catalog.prepareMany('need', [record]), 1, tag)
    const { id } = (await rt.db.query<{ id: string }>('SELECT id FROM needs WHERE org_id = $1 AND external_id = $2', [orgId, tag])).rows[0]!
    const lastRun = () => matchStore.lastRunVersion(rt.db, id)
    expect(await lastRun()).toBeNull()
    const givenUp = AbortSignal.abort(new JobTimeoutError('given up'))
    await expect(rt.services.matching.runForNeed(id, `given-up:${id}`, undefined, givenUp)).rejects.toBeInstanceOf(JobTimeoutError)
    expect(await lastRun()).toBeNull()
    expect(await rt.services.matching.runForNeed(id, `again:${id}`)).toHaveProperty('catalog_version')
    expect(await lastRun()).not.toBeNull()
  })

  it('is retried by the inline runner as a failed attempt', async () => {
    const writes: number[] = []
    const h = batchHandler(writes)
    const q = new InlineQueue(rt.db, undefined, { queueName: uniquePrefix(), timeouts: { 'catalog.index': 200 } })
    q.start(h.handlers)
    const id = `timeout-inline-${randomUUID()}`
    await q.enqueue('catalog.index', { kind: 'need', ids: [randomUUID()] }, { jobId: id })
    let j = await q.get(id)
    for (let i = 0; i < 200 && j?.state !== 'delayed' && j?.state !== 'failed'; i++) {
      await sleep(25)
      j = await q.get(id)
    }
    expect(j).toMatchObject({ state: 'delayed', attempts_made: 1 })
    expect(j!.failed_reason).toMatch(/timed out/)
    const atTimeout = writes.length
    await h.finished()
    expect(writes.length).toBe(atTimeout)
    await q.close()
  })

  it('is stopped by a shutdown of the inline runner and waits for the next start, which runs it', async () => {
    const writes: number[] = []
    const h = batchHandler(writes)
    const queueName = uniquePrefix()
    const q = new InlineQueue(rt.db, undefined, { queueName })
    q.start(h.handlers)
    const id = `stopped-inline-${randomUUID()}`
    await q.enqueue('catalog.index', { kind: 'need', ids: [randomUUID()] }, { jobId: id })
    for (let i = 0; i < 200 && writes.length < 3; i++) await sleep(25)
    await q.close() // returns once the handler has stopped at a check
    const atStop = writes.length
    await h.finished()
    expect(writes.length).toBe(atStop)
    expect(await q.get(id)).toMatchObject({ state: 'waiting', failed_reason: null })
    // the next process runs it
    const done: string[] = []
    const next = new InlineQueue(rt.db, undefined, { queueName })
    next.start({ 'catalog.index': async () => done.push('ran') } as unknown as JobHandlers)
    let j = await next.get(id)
    for (let i = 0; i < 200 && j?.state !== 'completed'; i++) {
      await sleep(25)
      j = await next.get(id)
    }
    expect(j).toMatchObject({ state: 'completed', attempts_made: 2 })
    await next.close()
  })
})
