// Boot sequence shared by the API, the worker and the CLI: config -> database -> migrations -> queue -> services.
import type { Logger } from './log'
import type { Config } from './config'
import { catalogStore } from './catalog/store'
import { type Db, openDb } from './db'
import { migrate } from './db/migrate'
import { BullQueue } from './jobs/bullmq'
import type { JobHandlers, JobQueue } from './jobs/registry'
import { InlineQueue } from './jobs/inline'
import type { Embedder } from './models'
import { INDEX_VERSION } from './models/sparse'
import { createJobHandlers, createServices, type Services } from './services'

export interface Runtime {
  config: Config
  db: Db
  queue: JobQueue
  services: Services
  handlers: JobHandlers
  close(): Promise<void>
}

export interface RuntimeOptions {
  db?: Db
  embedder?: Embedder
  /** BullMQ key prefix (tests isolate themselves with their own) */
  queuePrefix?: string
  /** run inline jobs in this process (the API and CLI do; a pure producer would not) */
  runInlineJobs?: boolean
}

export async function openRuntime(config: Config, logger: Logger, opts: RuntimeOptions = {}): Promise<Runtime> {
  const db = opts.db ?? (await openDb(config))
  const applied = await migrate(db, { embeddingDim: config.EMBEDDING_DIM, log: (m) => logger.info(m) })
  if (applied.length) logger.info('migrations applied', { applied })
  // Both runners record every job in the database first (the outbox); BullMQ gets them through a relay.
  const queue: JobQueue = config.REDIS_URL
    ? new BullQueue(config.REDIS_URL, { prefix: opts.queuePrefix, db, logger })
    : new InlineQueue(db, logger, { queueName: opts.queuePrefix })
  const services = createServices(db, config, queue, { embedder: opts.embedder, logger })
  const handlers = createJobHandlers(services)
  if (queue instanceof InlineQueue && opts.runInlineJobs !== false) queue.start(handlers)
  // recorded but not queued, or queued but lost from Redis: re-queued now and every few seconds
  if (queue instanceof BullQueue) queue.startRelay()
  // rows indexed before the inverted index (0004) or with an older sparse layout (INDEX_VERSION): indexed again
  await reindexAfterUpgrade(db, queue, logger)
  return {
    config,
    db,
    queue,
    services,
    handlers,
    async close() {
      // A job still running at the deadline is cut off with the database; the inline runner re-queues it at the next
      // start (it is left 'active'), BullMQ hands it to another worker once its lock expires. Jobs are idempotent.
      await withDeadline(queue.close(), config.SHUTDOWN_TIMEOUT_MS)
      await services.preparePool.close()
      await db.close()
    },
  }
}

/** Waits for p, or until ms have passed (whichever comes first); p's failure is not this caller's concern. */
export async function withDeadline(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([p.then(() => true, () => true), expired])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Rows indexed before the inverted index existed (marked stale by migration 0004), or with an older sparse layout
 * (models/sparse.ts INDEX_VERSION, recorded per row since 0016): queue their indexing, once per layout version (the
 * job id names it). A fresh database has none; the check is one scan that stops at the first stale row. The queue may still be connecting to Redis: retry for a few seconds, then say what to run.
 */
async function reindexAfterUpgrade(db: Db, queue: JobQueue, logger: Logger): Promise<void> {
  if (!(await catalogStore.anyStaleIndex(db))) return
  for (let attempt = 1; ; attempt++) {
    try {
      await queue.enqueue('catalog.reembed', { kinds: ['achievement', 'patent', 'need'], force: false }, { jobId: `reindex-layout-v${INDEX_VERSION}` })
      logger.info('queued re-indexing of rows indexed with an older sparse layout', { index_version: INDEX_VERSION })
      return
    } catch (err) {
      if (attempt >= 50) {
        logger.error('could not queue re-indexing after the upgrade; run `npm run cli -- reembed`', { error: (err as Error).message })
        return
      }
      await new Promise((res) => setTimeout(res, 200))
    }
  }
}
