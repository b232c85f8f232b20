// The transactional outbox with a real Redis of our own (so we can freeze it, pause its writes or drop its keys without
// disturbing other tests): a write commits with its job recorded in the database and answers 201/202 whatever Redis
// does; the relay hands the job over when Redis answers; a job Redis lost is re-queued from the record.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app'
import { createLogger } from '../../src/log'
import type { Db } from '../../src/db'
import { BullQueue, startBullWorker } from '../../src/jobs/bullmq'
import { createJobHandlers, createServices, type Services } from '../../src/services'
import { openTestDb } from '../helpers/db'
import { REDIS_URL, testConfig } from '../helpers/env'
import { uniquePrefix } from '../helpers/app'

const redisServer = spawnSync('which', ['redis-server']).status === 0

describe.runIf(REDIS_URL && redisServer)('outbox with real Redis', () => {
  let server: ChildProcess
  let url: string
  let admin: Redis
  const closers: (() => Promise<unknown>)[] = []

  beforeAll(async () => {
    const port = 17_379 + Math.floor(Math.random() * 1000)
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    url = `redis://127.0.0.1:${port}`
    admin = new Redis(url, { maxRetriesPerRequest: null })
    admin.on('error', () => {}) // until the server listens
    for (let i = 0; i < 100; i++) {
      if (await admin.ping().then(() => true, () => false)) break
      await sleep(50)
    }
  })
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => {})
    server.kill('SIGCONT')
    admin.disconnect()
    server.kill('SIGTERM')
  })

  async function setup() {
    const prefix = uniquePrefix()
    const db: Db = await openTestDb()
    const config = testConfig({ REDIS_URL: url })
    const q = new BullQueue(url, { prefix, db })
    for (let i = 0; i < 100 && (await q.ping().then(() => false, () => true)); i++) await sleep(20)
    const services: Services = createServices(db, config, q)
    const handlers = createJobHandlers(services)
    const app = createApp({ config, db, services, queuePing: () => q.ping() }, createLogger('silent'))
    let worker: Worker | undefined
    closers.push(async () => {
      await worker?.close()
      await q.close()
      await db.close()
    })
    const request = (path: string, init: RequestInit & { key?: string; json?: unknown } = {}) => {
      const headers = new Headers(init.headers)
      if (init.key) headers.set('authorization', `Bearer ${init.key}`)
      let body = init.body
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json')
        body = JSON.stringify(init.json)
      }
      return Promise.resolve(app.request(path, { ...init, headers, body }))
    }
    const tenant = async (kind: 'enterprise' | 'university') => {
      const org = await services.orgs.createOrg({ kind: 'system', role: 'system' }, { name: `outbox ${kind} ${Math.random().toString(36).slice(2, 8)}`, kind })
      return { orgId: org.id, key: (await services.orgs.createKeyAsOperator(org.id, { name: 't', role: kind })).key }
    }
    /** Relays and reconciles until the job has finished (what the periodic relay does every few seconds). */
    const finished = async (id: string) => {
      for (let i = 0; i < 240; i++) {
        await q.reconcile()
        const j = await q.get(id)
        if (j && (j.state === 'completed' || j.state === 'failed')) return j
        await sleep(250)
      }
      throw new Error(`job ${id} did not finish`)
    }
    return {
      prefix, db, q, services, request, tenant, finished,
      startWorker: () => {
        worker = startBullWorker(url, handlers, q, { concurrency: 1, prefix })
        return worker
      },
    }
  }

  it('accepts a write while Redis is frozen (201, row and job recorded) and runs its job when Redis is back', async () => {
    const s = await setup()
    s.startWorker()
    const ent = await s.tenant('enterprise')
    server.kill('SIGSTOP') // frozen: connections stay open, nothing answers
    let need: { id: string; job_id: string }
    try {
      const r = await s.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: 'Redis 冻结时提交的需求：电池健康状态估计' } })
      expect(r.status).toBe(201)
      need = await r.json() as never
      const rows = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM needs WHERE id = $1', [need.id])
      expect(rows.rows[0]!.n).toBe(1)
      // the job is recorded; its state is read from the record while Redis does not answer
      const job = await s.request(`/v1/jobs/${need.job_id}`, { key: ent.key })
      expect(job.status).toBe(200)
      expect(await job.json()).toMatchObject({ state: 'waiting' })
      // writes are accepted, so the service stays ready: degraded, with the reason
      const ready = await s.request('/readyz')
      expect(ready.status).toBe(200)
      expect(await ready.json()).toMatchObject({ status: 'ready', degraded: ['queue'], checks: { queue: { ok: true, degraded: true } } })
    } finally {
      server.kill('SIGCONT')
    }
    expect(await s.finished(need.job_id)).toMatchObject({ state: 'completed' })
    const after = await (await s.request(`/v1/needs/${need.id}`, { key: ent.key })).json() as { indexed: boolean }
    expect(after.indexed).toBe(true)
  })

  it('applies a change while Redis refuses writes (CLIENT PAUSE WRITE) and relays its job after the pause', async () => {
    const s = await setup()
    s.startWorker()
    const ent = await s.tenant('enterprise')
    const created = await (await s.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '光伏组件清洗机器人' } })).json() as { id: string; job_id: string }
    await s.finished(created.job_id)
    await admin.call('CLIENT', 'PAUSE', '20000', 'WRITE')
    let patched: { job_id: string; title: string }
    try {
      const r = await s.request(`/v1/needs/${created.id}`, { method: 'PATCH', key: ent.key, json: { title: '光伏组件自动清洗机器人（耐风沙）' } })
      expect(r.status).toBe(200) // not 503: the change and its job committed together
      patched = await r.json() as never
      expect(patched.title).toBe('光伏组件自动清洗机器人（耐风沙）')
    } finally {
      await admin.call('CLIENT', 'UNPAUSE')
    }
    expect(patched.job_id).toBeTruthy()
    expect(await s.finished(patched.job_id)).toMatchObject({ state: 'completed' })
  })

  it('re-queues an import whose job Redis lost (restarted without persistence), and the import completes', async () => {
    const s = await setup()
    const uni = await s.tenant('university')
    const csv = '编号,成果名称,成果简介\n' + Array.from({ length: 600 }, (_, i) => `lost-${i},丢失后重新入队的成果${i},说明${i}`).join('\n') + '\n'
    const form = new FormData()
    form.set('file', new File([csv], 'lost.csv'))
    form.set('kind', 'achievement')
    const r = await s.request('/v1/imports', { method: 'POST', key: uni.key, body: form })
    expect(r.status).toBe(202)
    const imp = await r.json() as { id: string; job_id: string }
    // handed to BullMQ...
    for (let i = 0; i < 100 && !(await admin.exists(`${s.prefix}:techtransfer:${imp.job_id}`)); i++) {
      await s.q.relay()
      await sleep(50)
    }
    expect(await admin.exists(`${s.prefix}:techtransfer:${imp.job_id}`)).toBe(1)
    // ...and lost with every other key of the queue before a worker took it
    const keys = await admin.keys(`${s.prefix}:*`)
    if (keys.length) await admin.del(...keys)
    s.startWorker()
    const job = await s.finished(imp.job_id)
    expect(job).toMatchObject({ state: 'completed', attempts_made: 1 })
    const done = await (await s.request(`/v1/imports/${imp.id}`, { key: uni.key })).json()
    expect(done).toMatchObject({ status: 'completed', rows_read: 600, rows_inserted: 600, rows_unchanged: 0 })
  })
})
