// Inline runner: jobs run in the API process, one at a time, with the same catalogue and handlers as BullMQ.
// State lives in the `jobs` table, so it is visible through the API and survives a restart (pending jobs resume).
import type { Db } from '../db'
import { isPermanent } from '../errors'
import { iso } from '../pagination'
import type { Logger } from '../log'
import {
  backoffDelay, type EnqueueOptions, type JobHandlers, type JobInfo, type JobName, type JobPayload, type JobQueue,
  JOBS, PermanentJobError, runJob,
} from './registry'

interface JobRow {
  id: string
  name: string
  payload: unknown
  org_id: string | null
  state: JobInfo['state']
  progress: unknown
  result: unknown
  attempts_made: number
  max_attempts: number
  failed_reason: string | null
  created_at: Date
  finished_at: Date | null
}

export class InlineQueue implements JobQueue {
  readonly kind = 'inline' as const
  private handlers?: JobHandlers
  private running = false
  private timer?: NodeJS.Timeout
  private idleWaiters: (() => void)[] = []
  private closed = false

  constructor(private db: Db, private logger?: Logger) {}

  /** Starts processing (pending jobs from an earlier run included). */
  start(handlers: JobHandlers): void {
    this.handlers = handlers
    void this.db.query(`UPDATE jobs SET state = 'waiting', updated_at = now() WHERE state = 'active'`).then(() => this.kick())
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: EnqueueOptions) {
    await this.enqueueMany([{ name, payload, opts }])
    return { id: opts.jobId }
  }

  async enqueueMany<N extends JobName>(jobs: { name: N; payload: JobPayload<N>; opts: EnqueueOptions }[]) {
    if (!jobs.length) return
    for (const j of jobs) JOBS[j.name].payload.parse(j.payload)
    // Same id again is a no-op, as with BullMQ's jobId.
    await this.db.query(
      `INSERT INTO jobs (id, name, payload, org_id, max_attempts)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::uuid[], $5::int[])
       ON CONFLICT (id) DO NOTHING`,
      [
        jobs.map((j) => j.opts.jobId),
        jobs.map((j) => j.name),
        jobs.map((j) => JSON.stringify(j.payload)),
        jobs.map((j) => j.opts.orgId ?? null),
        jobs.map((j) => JOBS[j.name].attempts),
      ],
    )
    this.kick()
  }

  async get(id: string): Promise<JobInfo | null> {
    const r = await this.db.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id])
    const j = r.rows[0]
    if (!j) return null
    return {
      id: j.id, name: j.name, state: j.state, progress: j.progress, attempts_made: j.attempts_made, max_attempts: j.max_attempts,
      failed_reason: j.failed_reason, result: j.result, org_id: j.org_id, created_at: iso(j.created_at), finished_at: iso(j.finished_at),
    }
  }

  async ping(): Promise<void> {}

  async drain(): Promise<void> {
    if (!this.running && !(await this.hasPending(true))) return
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    while (this.running) await new Promise((r) => setTimeout(r, 20))
  }

  private async hasPending(includeDelayed: boolean): Promise<boolean> {
    const r = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs WHERE state IN ('waiting', 'active'${includeDelayed ? ", 'delayed'" : ''})`,
    )
    return r.rows[0]!.n > 0
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
        const next = await this.db.query<JobRow>(
          `UPDATE jobs SET state = 'active', attempts_made = attempts_made + 1, updated_at = now()
            WHERE id = (SELECT id FROM jobs WHERE state IN ('waiting', 'delayed') AND run_at <= now() ORDER BY run_at, created_at LIMIT 1)
            RETURNING *`,
        )
        const job = next.rows[0]
        if (!job) break
        await this.process(job)
      }
    } catch (err) {
      this.logger?.error('inline queue loop failed', { error: (err as Error).message })
    } finally {
      this.running = false
    }
    // Delayed retries: wake when the earliest is due; otherwise tell drain() waiters we are idle.
    const due = await this.db
      .query<{ ms: number }>(`SELECT (extract(epoch FROM min(run_at) - now()) * 1000)::int AS ms FROM jobs WHERE state = 'delayed'`)
      .catch(() => ({ rows: [{ ms: null }] }))
    const ms = due.rows[0]?.ms
    if (ms != null && !this.closed) this.kick(Math.max(0, ms))
    else {
      const waiters = this.idleWaiters.splice(0)
      waiters.forEach((w) => w())
    }
  }

  private async process(job: JobRow): Promise<void> {
    const name = job.name as JobName
    try {
      const result = await runJob(this.handlers!, name, job.payload, {
        jobId: job.id,
        attempt: job.attempts_made,
        queue: this,
        progress: async (p) => {
          await this.db.query('UPDATE jobs SET progress = $2::jsonb, updated_at = now() WHERE id = $1', [job.id, JSON.stringify(p)])
        },
      })
      await this.db.query(
        `UPDATE jobs SET state = 'completed', result = $2::jsonb, failed_reason = NULL, finished_at = now(), updated_at = now() WHERE id = $1`,
        [job.id, JSON.stringify(result ?? null)],
      )
    } catch (err) {
      const reason = (err as Error).message ?? String(err)
      const final = err instanceof PermanentJobError || isPermanent(err) || job.attempts_made >= job.max_attempts
      this.logger?.warn('job failed', { job_id: job.id, name, attempt: job.attempts_made, final, error: reason })
      await this.db.query(
        `UPDATE jobs SET state = $2, failed_reason = $3, run_at = now() + ($4::int * interval '1 millisecond'),
                finished_at = CASE WHEN $2 = 'failed' THEN now() END, updated_at = now() WHERE id = $1`,
        [job.id, final ? 'failed' : 'delayed', reason, final ? 0 : backoffDelay(JOBS[name]?.backoffMs ?? 1000, job.attempts_made)],
      )
    }
  }
}
