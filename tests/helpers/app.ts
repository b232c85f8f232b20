// An API over a real database and a real queue (inline, or BullMQ on Redis with an in-process worker when REDIS_URL is
// set), with its own tenants: each test creates the organisations and keys it needs.
import type { Worker } from 'bullmq'
import { createApp } from '../../src/api/app'
import { createLogger } from '../../src/log'
import type { Db } from '../../src/db'
import { BullQueue, startBullWorker } from '../../src/jobs/bullmq'
import type { JobInfo } from '../../src/jobs/registry'
import { type OrgKind, type Role, SYSTEM } from '../../src/orgs/access'
import { orgStore } from '../../src/orgs/store'
import { ConflictError } from '../../src/errors'
import { openRuntime, type Runtime } from '../../src/runtime'
import type { Services } from '../../src/services'
import { openPg } from '../../src/db/pg'
import { openTestDb, scratchPgDatabase } from './db'
import { DATABASE_URL, REDIS_URL, testConfig } from './env'

// `any` on purpose: tests read bodies loosely and assert on them
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<any> }

export interface TestApp {
  /** the Hono app, to serve it over real HTTP (browser tests) */
  app: { fetch: (req: Request) => Response | Promise<Response> }
  db: Db
  rt: Runtime
  services: Services
  request(path: string, init?: RequestInit & { key?: string; json?: unknown }): Promise<TestResponse>
  adminKey: string
  /** A new organisation of the given kind with a key of the given role. */
  tenant(kind: OrgKind, role: Role, name?: string, opts?: { region?: string | null }): Promise<{ orgId: string; key: string }>
  /** Waits until a job has finished (completed or failed). */
  job(id: string): Promise<JobInfo>
  /** Waits until no job is waiting, running or delayed. */
  settle(): Promise<void>
  close(): Promise<void>
}

export const uniquePrefix = () => `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`

/**
 * `isolated`: a database of its own even on PostgreSQL (for tests whose results depend on the whole catalogue, such
 * as rankings, which other test files running at the same time would otherwise change).
 */
export async function createTestApp(configOverrides: Record<string, string> = {}, opts: { isolated?: boolean } = {}): Promise<TestApp> {
  const config = testConfig(configOverrides)
  let dropScratch: (() => Promise<void>) | undefined
  let db: Db
  if (opts.isolated && DATABASE_URL) {
    const s = await scratchPgDatabase()
    db = openPg(s.url, { max: 5 })
    dropScratch = s.drop
  } else db = await openTestDb()
  const logger = createLogger('silent')
  const prefix = uniquePrefix()
  const rt = await openRuntime(config, logger, { db, queuePrefix: prefix })
  let worker: Worker | undefined
  if (rt.queue instanceof BullQueue) {
    worker = startBullWorker(REDIS_URL!, rt.handlers, rt.queue, { concurrency: 2, prefix })
    await worker.waitUntilReady()
  }
  const services = rt.services
  const app = createApp({ config, db, services, queuePing: rt.queue.runner === 'bullmq' ? () => rt.queue.ping() : undefined }, logger)
  const admin = await services.orgs.bootstrapAdmin({ name: 'test admin' })

  const request: TestApp['request'] = (path, init = {}) => {
    const headers = new Headers(init.headers)
    if (init.key) headers.set('authorization', `Bearer ${init.key}`)
    let body = init.body
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json')
      body = JSON.stringify(init.json)
    }
    return Promise.resolve(app.request(path, { ...init, headers, body })) as Promise<TestResponse>
  }

  async function job(id: string): Promise<JobInfo> {
    for (let i = 0; i < 1200; i++) {
      const j = await rt.queue.get(id)
      if (j && (j.state === 'completed' || j.state === 'failed')) return j
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`job ${id} did not finish`)
  }

  async function settle(): Promise<void> {
    if (rt.queue instanceof BullQueue) {
      for (let i = 0; i < 1200; i++) {
        // the jobs' record first: a job committed a moment ago may not be relayed to Redis yet
        const pending = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM jobs WHERE queue = $1 AND state IN ('waiting', 'active', 'delayed')`,
          [rt.queue.prefix],
        )
        const c = await rt.queue.counts()
        if (!pending.rows[0]!.n && !c.waiting && !c.active && !c.delayed) return
        await new Promise((r) => setTimeout(r, 50))
      }
      throw new Error('queue did not settle')
    }
    await rt.queue.drain()
  }

  return {
    app,
    db,
    rt,
    services,
    request,
    adminKey: admin.key,
    async tenant(kind, role, name, opts = {}) {
      const input = { name: name ?? `test ${kind} ${Math.random().toString(36).slice(2, 8)}`, kind, region: opts.region === undefined ? '江苏' : opts.region }
      // A fixed display name (asserted by some tests) may be left by an earlier run on the same PostgreSQL database, where
      // names are unique (409): such a fixture organisation is then written directly.
      const org = await services.orgs.createOrg(SYSTEM, input).catch(async (err) => {
        if (err instanceof ConflictError && name) return orgStore.insertOrg(db, input)
        throw err
      })
      const { key } = await services.orgs.createKeyAsOperator(org.id, { name: 'test', role })
      return { orgId: org.id, key }
    },
    job,
    settle,
    async close() {
      await worker?.close()
      await rt.close()
      await dropScratch?.()
    },
  }
}
