// Inline runner: jobs run in the API process, one at a time, with the same catalogue and handlers as BullMQ.
// State lives in the `jobs` table, so it is visible through the API and survives a restart (pending jobs resume).
import type { Db } from '../db'
import { isPermanent } from '../errors'
import type { Logger } from '../log'
import {
  backoffDelay, type EnqueueOptions, type JobHandlers, type JobInfo, type JobName, type JobPayload, type JobQueue, type JobSpec,
  JobStoppedError, JOBS, PermanentJobError, type RecordOptions, runJob, worthWarning,
} from './registry'
import { type JobRow, jobStore, toJobInfo } from './store'

export interface InlineOptions {
  /** the queue name of its rows in `jobs` (one database can hold several queues, e.g. test runs) */
  queueName?: string
  /** per-job timeout overrides (tests) */
  timeouts?: Partial<Record<JobName, number>>
}

export class InlineQueue implements JobQueue {
  readonly runner = 'inline' as const
  readonly queueName: string
  private handlers?: JobHandlers
  private running = false
  private timer?: NodeJS.Timeout
  private idleWaiters: (() => void)[] = []
  private closed = false
  /** aborted by close(): the running handler stops at its next check of its signal */
  private stopping = new AbortController()

  constructor(private db: Db, private logger?: Logger, private opts: InlineOptions = {}) {
    this.queueName = opts.queueName ?? 'tt'
  }

  /** Starts processing (pending jobs from an earlier run included). */
  start(handlers: JobHandlers): void {
    this.handlers = handlers
    void jobStore.resetActive(this.db, this.queueName).then(() => this.kick(), (err) => this.logger?.error('inline queue start failed', { error: (err as Error).message }))
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: EnqueueOptions & RecordOptions) {
    await this.enqueueMany([{ name, payload, opts: { jobId: opts.jobId, orgId: opts.orgId } }], { tx: opts.tx })
    return { id: opts.jobId }
  }

  async enqueueMany<N extends JobName>(jobs: JobSpec<N>[], opts: RecordOptions = {}) {
    if (!jobs.length) return
    for (const j of jobs) JOBS[j.name].payload.parse(j.payload)
    // The jobs table is this runner's queue: recording a job (in the writer's transaction) is enqueuing it.
    await jobStore.insert(opts.tx ?? this.db, this.queueName, jobs as JobSpec[])
    if (!opts.tx) this.kick()
  }

  async relay(): Promise<void> {
    this.kick()
  }

  async get(id: string): Promise<JobInfo | null> {
    const j = await jobStore.get(this.db, id)
    return j ? toJobInfo(j) : null
  }

  async ping(): Promise<void> {}

  async drain(): Promise<void> {
    for (;;) {
      if (!this.running && !(await this.hasPending(true))) return
      // the loop may have gone idle while the check above waited for the database: kick it, so a pass tells us
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve)
        if (!this.running) this.kick()
      })
    }
  }

  async close(): Promise<void> {
    this.closed = true
    this.stopping.abort(new JobStoppedError('the process is stopping / 服务正在停止'))
    clearTimeout(this.timer)
    while (this.running) await new Promise((r) => setTimeout(r, 20))
  }

  private async hasPending(includeDelayed: boolean): Promise<boolean> {
    return (await jobStore.countPending(this.db, this.queueName, includeDelayed)) > 0
  }

  private kick(delayMs = 0): void {
    if (this.closed || !this.handlers || this.running) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.loop(), delayMs)
  }

  private async loop(): Promise<void> {
    if (this.running || this.closed) return
    this.running = true
    try {
      for (;;) {
        if (this.closed) return
        const job = await jobStore.claimNext(this.db, this.queueName)
        if (!job) break
        await this.process(job)
      }
    } catch (err) {
      this.logger?.error('inline queue loop failed', { error: (err as Error).message })
    } finally {
      this.running = false
    }
    // Delayed retries: wake when the earliest is due; otherwise tell drain() waiters we are idle.
    const ms = await jobStore.nextDueMs(this.db, this.queueName).catch(() => null)
    if (ms != null && !this.closed) this.kick(Math.max(0, ms))
    else {
      const waiters = this.idleWaiters.splice(0)
      waiters.forEach((w) => w())
    }
  }

  private async process(job: JobRow): Promise<void> {
    const name = job.name as JobName
    try {
      const result = await runJob(
        this.handlers!,
        name,
        job.payload,
        { jobId: job.id, attempt: job.attempts_made, queue: this, progress: (p) => jobStore.progress(this.db, job.id, p) },
        { timeoutMs: this.opts.timeouts?.[name], stop: this.stopping.signal },
      )
      await jobStore.completed(this.db, job.id, result)
    } catch (err) {
      if (err instanceof JobStoppedError) {
        // stopped between batches by a shutdown: waiting again for the next start, which resumes it
        await jobStore.requeue(this.db, job.id)
        return
      }
      const reason = (err as Error).message ?? String(err)
      const final = err instanceof PermanentJobError || isPermanent(err) || job.attempts_made >= job.max_attempts
      const log = { job_id: job.id, name, attempt: job.attempts_made, final, error: reason }
      if (worthWarning(err, final)) this.logger?.warn('job failed', log)
      else this.logger?.info('job waiting', log)
      await jobStore.failed(this.db, job.id, final, reason, backoffDelay(JOBS[name]?.backoffMs ?? 1000, job.attempts_made))
    }
  }
}
