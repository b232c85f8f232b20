// SQL for the `jobs` table: the record of every job (the transactional outbox), the inline runner's queue, and the
// state BullMQ workers report back, so the database knows what was accepted and whether it finished.
import type { Queryable } from '../db'
import { iso } from '../pagination'
import { type JobInfo, type JobSpec, JOBS } from './registry'

export interface JobRow {
  id: string
  name: string
  payload: unknown
  org_id: string | null
  queue: string
  state: JobInfo['state']
  progress: unknown
  result: unknown
  attempts_made: number
  max_attempts: number
  failed_reason: string | null
  relayed_at: Date | null
  created_at: Date
  finished_at: Date | null
}

export const toJobInfo = (j: JobRow): JobInfo => ({
  id: j.id, name: j.name, state: j.state, progress: j.progress, attempts_made: j.attempts_made, max_attempts: j.max_attempts,
  failed_reason: j.failed_reason, result: j.result, org_id: j.org_id, created_at: iso(j.created_at), finished_at: iso(j.finished_at),
})

export const jobStore = {
  /** Records jobs; an id already recorded is left as it is (enqueuing the same id twice runs it once). */
  async insert(q: Queryable, queue: string, jobs: JobSpec[]): Promise<void> {
    if (!jobs.length) return
    await q.query(
      `INSERT INTO jobs (id, name, payload, org_id, max_attempts, queue)
       SELECT *, $6::text FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::uuid[], $5::int[])
       ON CONFLICT (id) DO NOTHING`,
      [
        jobs.map((j) => j.opts.jobId),
        jobs.map((j) => j.name),
        jobs.map((j) => JSON.stringify(j.payload)),
        jobs.map((j) => j.opts.orgId ?? null),
        jobs.map((j) => JOBS[j.name].attempts),
        queue,
      ],
    )
  },

  async get(q: Queryable, id: string): Promise<JobRow | null> {
    return (await q.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id])).rows[0] ?? null
  },

  /** Inline runner: the next due job of a queue, marked active (one more attempt). */
  async claimNext(q: Queryable, queue: string): Promise<JobRow | null> {
    const r = await q.query<JobRow>(
      `UPDATE jobs SET state = 'active', attempts_made = attempts_made + 1, updated_at = now()
        WHERE id = (SELECT id FROM jobs WHERE queue = $1 AND state IN ('waiting', 'delayed') AND run_at <= now()
                     ORDER BY run_at, created_at LIMIT 1)
        RETURNING *`,
      [queue],
    )
    return r.rows[0] ?? null
  },

  /** Inline runner start: jobs a previous process left running run again. */
  async resetActive(q: Queryable, queue: string): Promise<void> {
    await q.query(`UPDATE jobs SET state = 'waiting', updated_at = now() WHERE queue = $1 AND state = 'active'`, [queue])
  },

  /** A job its runner stopped (shutdown) before it finished: waiting again, due at once. */
  async requeue(q: Queryable, id: string): Promise<void> {
    await q.query(`UPDATE jobs SET state = 'waiting', run_at = now(), updated_at = now() WHERE id = $1 AND state = 'active'`, [id])
  },

  /**
   * A BullMQ worker starts a job: one more attempt, counted here (BullMQ does not count a run whose worker was killed).
   * Returns the attempt number, 'done' when the job already completed (a duplicate re-queue), or null for a job
   * that was never recorded (queued before the outbox existed).
   */
  async markActive(q: Queryable, id: string): Promise<number | 'done' | null> {
    const r = await q.query<{ attempts_made: number }>(
      `UPDATE jobs SET state = 'active', attempts_made = attempts_made + 1, updated_at = now()
        WHERE id = $1 AND state <> 'completed' RETURNING attempts_made`,
      [id],
    )
    if (r.rows[0]) return r.rows[0].attempts_made
    const done = await q.query('SELECT 1 FROM jobs WHERE id = $1', [id])
    return done.rows.length ? 'done' : null
  },

  async progress(q: Queryable, id: string, p: Record<string, unknown>): Promise<void> {
    await q.query('UPDATE jobs SET progress = $2::jsonb, updated_at = now() WHERE id = $1', [id, JSON.stringify(p)])
  },

  async completed(q: Queryable, id: string, result: unknown): Promise<void> {
    await q.query(
      `UPDATE jobs SET state = 'completed', result = $2::jsonb, failed_reason = NULL, finished_at = now(), updated_at = now() WHERE id = $1`,
      [id, JSON.stringify(result ?? null)],
    )
  },

  /** A failed attempt: 'failed' for good, or 'delayed' until run_at (inline retries; BullMQ keeps its own delay). */
  async failed(q: Queryable, id: string, final: boolean, reason: string, delayMs: number): Promise<void> {
    await q.query(
      `UPDATE jobs SET state = $2, failed_reason = $3, run_at = now() + ($4::int * interval '1 millisecond'),
              finished_at = CASE WHEN $2 = 'failed' THEN now() END, updated_at = now() WHERE id = $1`,
      [id, final ? 'failed' : 'delayed', reason.slice(0, 2000), final ? 0 : delayMs],
    )
  },

  async countPending(q: Queryable, queue: string, includeDelayed: boolean): Promise<number> {
    const r = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs WHERE queue = $1 AND state IN ('waiting', 'active'${includeDelayed ? ", 'delayed'" : ''})`,
      [queue],
    )
    return r.rows[0]!.n
  },

  /** Milliseconds until the earliest delayed job of a queue is due, or null. */
  async nextDueMs(q: Queryable, queue: string): Promise<number | null> {
    const r = await q.query<{ ms: number | null }>(
      `SELECT (extract(epoch FROM min(run_at) - now()) * 1000)::int AS ms FROM jobs WHERE queue = $1 AND state = 'delayed'`,
      [queue],
    )
    return r.rows[0]?.ms ?? null
  },

  /** Jobs not finished yet (waiting, running, or retrying) whose id starts with `prefix`. */
  async countUnfinished(q: Queryable, prefix: string): Promise<number> {
    const pattern = prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%'
    const r = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs WHERE state IN ('waiting', 'delayed', 'active') AND id LIKE $1`,
      [pattern],
    )
    return r.rows[0]!.n
  },

  /** Relay: recorded jobs not yet handed to BullMQ, oldest first. */
  async unrelayed(q: Queryable, queue: string, limit: number): Promise<JobRow[]> {
    const r = await q.query<JobRow>(
      `SELECT * FROM jobs WHERE queue = $1 AND relayed_at IS NULL AND state IN ('waiting', 'delayed', 'active')
        ORDER BY created_at, id LIMIT $2`,
      [queue, limit],
    )
    return r.rows
  },

  async markRelayed(q: Queryable, ids: string[]): Promise<void> {
    if (ids.length) await q.query('UPDATE jobs SET relayed_at = now() WHERE id = ANY($1::text[])', [ids])
  },

  /** Reconciler: unfinished jobs handed to BullMQ a while ago (keyset by id), to check they are still there. */
  async relayedPending(q: Queryable, queue: string, afterId: string, olderThanMs: number, limit: number): Promise<JobRow[]> {
    const r = await q.query<JobRow>(
      `SELECT * FROM jobs WHERE queue = $1 AND state IN ('waiting', 'delayed', 'active') AND relayed_at IS NOT NULL
          AND relayed_at < now() - ($2::int * interval '1 millisecond') AND id > $3
        ORDER BY id LIMIT $4`,
      [queue, olderThanMs, afterId, limit],
    )
    return r.rows
  },
}
