// BullMQ runner: producers in the API, Workers in `npm run worker` processes; same catalogue and handlers as inline.
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import type { Db } from '../db'
import { isPermanent, UnavailableError } from '../errors'
import type { Logger } from '../log'
import {
  type EnqueueOptions, type JobHandlers, type JobInfo, type JobName, type JobPayload, type JobQueue, type JobSpec, type JobState,
  JOBS, PermanentJobError, type RecordOptions, runJob, worthWarning,
} from './registry'
import { type JobRow, jobStore, toJobInfo } from './store'

export const QUEUE_NAME = 'techtransfer'
const PRODUCER_TIMEOUT_MS = 2_000
/** How often recorded work is relayed and checked against Redis (a Redis that lost its data is noticed within this). */
const RECONCILE_EVERY_MS = 5_000
/** A job handed to BullMQ this recently may still be on its way; only older ones are checked for loss. */
const LOST_AFTER_MS = 3_000
const RELAY_PAGE = 500

interface JobData {
  payload: unknown
  orgId: string | null
}

function jobOptions(name: JobName, jobId: string, attempts: number = JOBS[name].attempts) {
  const def = JOBS[name]
  return {
    jobId,
    attempts,
    backoff: { type: 'exponential' as const, delay: def.backoffMs, jitter: 0.5 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  }
}

function toState(s: string): JobState {
  return s === 'active' || s === 'completed' || s === 'failed' || s === 'delayed' ? s : 'waiting'
}

export interface BullQueueOptions {
  /** BullMQ key prefix, and the queue name of this queue's rows in `jobs` */
  prefix?: string
  /**
   * The database that records every job (the outbox). With it, enqueuing never depends on Redis: jobs are recorded
   * (in the writer's transaction when one is given) and relayed when Redis answers; lost ones are re-queued.
   * Without it (tests of BullMQ alone), jobs go straight to Redis and Redis down means 503.
   */
  db?: Db
  logger?: Logger
}

export class BullQueue implements JobQueue {
  readonly runner = 'bullmq' as const
  readonly prefix: string
  readonly db?: Db
  private redis: Redis
  private queue: Queue
  private logger?: Logger
  private relaying: Promise<void> | null = null
  private relayAgain = false
  private reconciling = false
  private timer?: NodeJS.Timeout
  private closed = false

  constructor(url: string, opts: BullQueueOptions = {}) {
    this.prefix = opts.prefix ?? 'tt'
    this.db = opts.db
    this.logger = opts.logger
    // Producers fail fast: no offline queue, so a request never hangs on a dead Redis.
    this.redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    this.redis.on('error', () => {}) // surfaced as 503 on use, or relayed later
    this.redis.on('ready', () => void this.relay())
    this.queue = new Queue(QUEUE_NAME, { connection: this.redis, prefix: this.prefix })
    this.queue.on('error', () => {})
  }

  private async guarded<T>(fn: () => Promise<T>): Promise<T> {
    if (this.redis.status !== 'ready') throw unavailable(`Redis is ${this.redis.status}`)
    let timer: NodeJS.Timeout | undefined
    try {
      return await Promise.race([
        fn(),
        new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(unavailable('Redis did not answer in time')), PRODUCER_TIMEOUT_MS)
        }),
      ])
    } catch (err) {
      if (isPermanent(err)) throw err
      throw unavailable((err as Error).message)
    } finally {
      clearTimeout(timer)
    }
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: EnqueueOptions & RecordOptions) {
    await this.enqueueMany([{ name, payload, opts: { jobId: opts.jobId, orgId: opts.orgId } }], { tx: opts.tx })
    return { id: opts.jobId }
  }

  async enqueueMany<N extends JobName>(jobs: JobSpec<N>[], opts: RecordOptions = {}) {
    if (!jobs.length) return
    for (const j of jobs) JOBS[j.name].payload.parse(j.payload)
    if (this.db) {
      await jobStore.insert(opts.tx ?? this.db, this.prefix, jobs as JobSpec[])
      if (!opts.tx) void this.relay() // a request never waits on Redis; the relay retries
      return
    }
    if (opts.tx) throw new Error('BullQueue without a database cannot record jobs in a transaction')
    await this.guarded(() => this.addRows(jobs.map((j) => ({ id: j.opts.jobId, name: j.name, payload: j.payload, org_id: j.opts.orgId ?? null, attempts_made: 0 }))))
  }

  private addRows(rows: Pick<JobRow, 'id' | 'name' | 'payload' | 'org_id' | 'attempts_made'>[]) {
    return this.queue.addBulk(
      rows.map((r) => {
        const name = r.name as JobName
        // re-queued after a loss: only the attempts it has left
        const attempts = Math.max(1, JOBS[name].attempts - r.attempts_made)
        return { name, data: { payload: r.payload, orgId: r.org_id } satisfies JobData, opts: jobOptions(name, r.id, attempts) }
      }),
    )
  }

  /** Hands recorded jobs to BullMQ; one pass at a time per process, another pass if asked meanwhile. Never throws. */
  relay(): Promise<void> {
    if (!this.db || this.closed) return Promise.resolve()
    if (this.relaying) {
      this.relayAgain = true
      return this.relaying
    }
    this.relaying = (async () => {
      try {
        do {
          this.relayAgain = false
          for (;;) {
            const rows = await jobStore.unrelayed(this.db!, this.prefix, RELAY_PAGE)
            if (!rows.length) break
            await this.guarded(() => this.addRows(rows))
            await jobStore.markRelayed(this.db!, rows.map((r) => r.id))
            if (rows.length < RELAY_PAGE) break
          }
        } while (this.relayAgain && !this.closed)
      } catch (err) {
        // Redis down or paused: the jobs stay recorded and the next pass relays them.
        this.logger?.warn('job relay deferred', { error: (err as Error).message })
      } finally {
        this.relaying = null
      }
    })()
    return this.relaying
  }

  /**
   * Relays what is recorded but not queued, and re-queues what was queued but is no longer in Redis (a Redis restarted
   * without persistence, keys deleted): unfinished rows whose BullMQ job is gone are added again under the same id.
   */
  async reconcile(): Promise<{ requeued: number }> {
    if (!this.db || this.reconciling || this.closed) return { requeued: 0 }
    this.reconciling = true
    let requeued = 0
    try {
      await this.relay()
      let after = ''
      for (;;) {
        const rows = await jobStore.relayedPending(this.db, this.prefix, after, LOST_AFTER_MS, RELAY_PAGE)
        if (!rows.length) break
        after = rows[rows.length - 1]!.id
        const exists = await this.guarded(async () => {
          const p = this.redis.pipeline()
          for (const r of rows) p.exists(this.queue.toKey(r.id))
          return ((await p.exec()) ?? []).map(([err, n]) => !err && n === 1)
        })
        const lost = rows.filter((_, i) => !exists[i])
        if (lost.length) {
          await this.guarded(() => this.addRows(lost))
          await jobStore.markRelayed(this.db, lost.map((r) => r.id))
          requeued += lost.length
          this.logger?.warn('re-queued jobs missing from Redis', { count: lost.length })
        }
        if (rows.length < RELAY_PAGE) break
      }
    } catch (err) {
      this.logger?.warn('job reconcile deferred', { error: (err as Error).message })
    } finally {
      this.reconciling = false
    }
    return { requeued }
  }

  /** Relays and reconciles now and then every few seconds (API and worker processes both do; ids keep it idempotent). */
  startRelay(everyMs = RECONCILE_EVERY_MS): void {
    if (!this.db || this.timer) return
    void this.reconcile()
    this.timer = setInterval(() => void this.reconcile(), everyMs)
    this.timer.unref()
  }

  async get(id: string): Promise<JobInfo | null> {
    const row = this.db ? await jobStore.get(this.db, id) : null
    let job: Job<JobData> | undefined
    let state = 'unknown'
    try {
      // the state first: a job read after it says completed carries its result
      state = await this.guarded(() => this.queue.getJobState(id))
      if (state !== 'unknown') job = (await this.guarded(() => this.queue.getJob(id))) as Job<JobData> | undefined
    } catch (err) {
      if (!row) throw err
    }
    // Not in Redis (not relayed yet, lost, or Redis down): the database's record answers.
    if (!job) return row ? toJobInfo(row) : null
    return {
      id,
      name: job.name,
      state: toState(state),
      progress: job.progress ?? row?.progress ?? null,
      // the database counts every start, including runs whose worker was killed and runs before a re-queue
      attempts_made: Math.max(job.attemptsMade, job.attemptsStarted ?? 0, row?.attempts_made ?? 0),
      max_attempts: row?.max_attempts ?? job.opts.attempts ?? 1,
      failed_reason: job.failedReason || null,
      result: job.returnvalue ?? null,
      org_id: job.data?.orgId ?? row?.org_id ?? null,
      created_at: row ? toJobInfo(row).created_at : job.timestamp ? new Date(job.timestamp).toISOString() : null,
      finished_at: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    }
  }

  async ping(): Promise<void> {
    await this.guarded(() => this.redis.ping())
  }

  async drain(): Promise<void> {}

  /** Test helper: counts by state. */
  async counts() {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')
  }

  /** Test helper: the Redis connection (to simulate a Redis that lost its data). */
  get connection(): Redis {
    return this.redis
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.timer)
    await this.relaying
    await this.queue.close().catch(() => {})
    this.redis.disconnect()
  }
}

function unavailable(why: string): UnavailableError {
  return new UnavailableError(`Job queue unavailable, nothing was accepted; retry later / 任务队列不可用，请稍后重试 (${why})`)
}

/**
 * A worker process's consumer: dispatches each job to the same handlers as the inline runner. With the producer's
 * database (the outbox), it reports each start and outcome there, so a job's record knows its attempts and whether it
 * finished, and a job whose record already says completed (a duplicate re-queue) is not run again.
 */
export function startBullWorker(
  url: string,
  handlers: JobHandlers,
  producer: JobQueue,
  opts: {
    concurrency: number; prefix?: string; logger?: Logger; lockDurationMs?: number; stalledIntervalMs?: number
    timeouts?: Partial<Record<JobName, number>>
  },
): Worker {
  const connection = new Redis(url, { maxRetriesPerRequest: null })
  const db = producer instanceof BullQueue ? producer.db : undefined
  const worker = new Worker<JobData>(
    QUEUE_NAME,
    async (job) => {
      const name = job.name as JobName
      const started = db ? await jobStore.markActive(db, job.id!) : null
      if (started === 'done') return (await jobStore.get(db!, job.id!))?.result ?? null
      try {
        const result = await runJob(
          handlers,
          name,
          job.data.payload,
          {
            jobId: job.id!,
            attempt: typeof started === 'number' ? started : job.attemptsMade + 1,
            queue: producer,
            progress: async (p) => {
              await job.updateProgress(p)
            },
          },
          { timeoutMs: opts.timeouts?.[name] },
        )
        if (db) await jobStore.completed(db, job.id!, result)
        return result
      } catch (err) {
        const permanent = err instanceof PermanentJobError || isPermanent(err)
        const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
        if (db) await jobStore.failed(db, job.id!, final, (err as Error).message ?? String(err), 0).catch(() => {})
        if (permanent) throw new UnrecoverableError((err as Error).message)
        throw err
      }
    },
    {
      connection,
      prefix: opts.prefix ?? 'tt',
      concurrency: opts.concurrency,
      lockDuration: opts.lockDurationMs ?? 30_000,
      stalledInterval: opts.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
    },
  )
  worker.on('failed', (job, err) => {
    const log = { job_id: job?.id, name: job?.name, attempt: job?.attemptsMade, error: err.message }
    // err is the handler's own error (UnrecoverableError for permanent ones): a wait is expected until the last attempt
    const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1)
    if (worthWarning(err, final)) opts.logger?.warn('job failed', log)
    else opts.logger?.info('job waiting', log)
  })
  worker.on('error', (err) => opts.logger?.error('worker error', { error: err.message }))
  return worker
}
