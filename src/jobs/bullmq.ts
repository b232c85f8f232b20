// BullMQ runner: producers in the API, Workers in `npm run worker` processes; same catalogue and handlers as inline.
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import { isPermanent, UnavailableError } from '../errors'
import type { Logger } from '../log'
import {
  type EnqueueOptions, type JobHandlers, type JobInfo, type JobName, type JobPayload, type JobQueue, type JobState,
  JOBS, PermanentJobError, runJob,
} from './registry'

export const QUEUE_NAME = 'techtransfer'
const PRODUCER_TIMEOUT_MS = 2_000

interface JobData {
  payload: unknown
  orgId: string | null
}

function jobOptions(name: JobName, jobId: string) {
  const def = JOBS[name]
  return {
    jobId,
    attempts: def.attempts,
    backoff: { type: 'exponential' as const, delay: def.backoffMs, jitter: 0.5 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  }
}

function toState(s: string): JobState {
  return s === 'active' || s === 'completed' || s === 'failed' || s === 'delayed' ? s : 'waiting'
}

export class BullQueue implements JobQueue {
  readonly kind = 'bullmq' as const
  private redis: Redis
  private queue: Queue

  constructor(url: string, opts: { prefix?: string } = {}) {
    // Producers fail fast: no offline queue, so a request never hangs on a dead Redis.
    this.redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    this.redis.on('error', () => {}) // surfaced as 503 on use
    this.queue = new Queue(QUEUE_NAME, { connection: this.redis, prefix: opts.prefix ?? 'tt' })
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

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: EnqueueOptions) {
    await this.enqueueMany([{ name, payload, opts }])
    return { id: opts.jobId }
  }

  async enqueueMany<N extends JobName>(jobs: { name: N; payload: JobPayload<N>; opts: EnqueueOptions }[]) {
    if (!jobs.length) return
    for (const j of jobs) JOBS[j.name].payload.parse(j.payload)
    await this.guarded(() =>
      this.queue.addBulk(
        jobs.map((j) => ({
          name: j.name,
          data: { payload: j.payload, orgId: j.opts.orgId ?? null } satisfies JobData,
          opts: jobOptions(j.name, j.opts.jobId),
        })),
      ),
    )
  }

  async get(id: string): Promise<JobInfo | null> {
    const job = (await this.guarded(() => this.queue.getJob(id))) as Job<JobData> | undefined
    if (!job) return null
    const state = await this.guarded(() => job.getState())
    return {
      id,
      name: job.name,
      state: toState(state),
      progress: job.progress ?? null,
      attempts_made: job.attemptsMade,
      max_attempts: job.opts.attempts ?? 1,
      failed_reason: job.failedReason || null,
      result: job.returnvalue ?? null,
      org_id: job.data?.orgId ?? null,
      created_at: job.timestamp ? new Date(job.timestamp).toISOString() : null,
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

  async close(): Promise<void> {
    await this.queue.close().catch(() => {})
    this.redis.disconnect()
  }
}

function unavailable(why: string): UnavailableError {
  return new UnavailableError(`Job queue unavailable, nothing was accepted; retry later / 任务队列不可用，请稍后重试 (${why})`)
}

/** A worker process's consumer: dispatches each job to the same handlers as the inline runner. */
export function startBullWorker(
  url: string,
  handlers: JobHandlers,
  producer: JobQueue,
  opts: { concurrency: number; prefix?: string; logger?: Logger; lockDurationMs?: number; stalledIntervalMs?: number },
): Worker {
  const connection = new Redis(url, { maxRetriesPerRequest: null })
  const worker = new Worker<JobData>(
    QUEUE_NAME,
    async (job) => {
      try {
        return await runJob(handlers, job.name as JobName, job.data.payload, {
          jobId: job.id!,
          attempt: job.attemptsMade + 1,
          queue: producer,
          progress: (p) => job.updateProgress(p),
        })
      } catch (err) {
        if (err instanceof PermanentJobError || isPermanent(err)) throw new UnrecoverableError((err as Error).message)
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
  worker.on('failed', (job, err) => opts.logger?.warn('job failed', { job_id: job?.id, name: job?.name, attempt: job?.attemptsMade, error: err.message }))
  worker.on('error', (err) => opts.logger?.error('worker error', { error: err.message }))
  return worker
}
