// The job registry: every job name with its payload schema, retry policy and timeout. Both runners use it.
import { z } from 'zod'
import { KINDS } from '../catalog/kinds'
import type { Queryable } from '../db'
import { ORG_KINDS, ROLES } from '../orgs/access'

export const JOBS = {
  /** Analyse (tokens, keywords) and embed catalogue rows whose text or model changed. */
  'catalog.index': {
    payload: z.object({ kind: z.enum(KINDS), ids: z.array(z.uuid()).min(1).max(2000), force: z.boolean().optional() }),
    attempts: 5,
    backoffMs: 2_000,
    timeoutMs: 10 * 60_000,
  },
  /** Walk a whole catalogue and enqueue index jobs (after a model change). */
  'catalog.reembed': {
    payload: z.object({ kinds: z.array(z.enum(KINDS)).min(1), force: z.boolean().default(false) }),
    attempts: 3,
    backoffMs: 5_000,
    timeoutMs: 60 * 60_000,
  },
  /**
   * Match a need against achievements and patents; for an achievement or patent, re-run the open needs it may enter.
   * `catalogVersion`: a re-run queued by a catalogue change (skipped when the need has run at that version since).
   */
  'matching.run': {
    payload: z.object({ kind: z.enum(KINDS), id: z.uuid(), runId: z.string().min(1).max(200), catalogVersion: z.number().int().min(0).optional() }),
    attempts: 3,
    backoffMs: 2_000,
    timeoutMs: 5 * 60_000,
  },
  /**
   * After an import or a re-embed of the catalogue: re-match every open need once, when the rows it depends on are
   * indexed. `after` is the job-id prefix of the index jobs it waits for: while one of them is waiting, running or
   * retrying, the attempt fails and is retried with backoff (2 s, 4 s, ... about 4.5 h in all); the last attempt
   * re-matches with what is indexed. `importId`: the import whose report gets the count.
   */
  'matching.rematch': {
    payload: z.object({ kinds: z.array(z.enum(KINDS)).min(1), after: z.string().min(1).max(200), importId: z.uuid().optional() }),
    attempts: 14,
    backoffMs: 2_000,
    timeoutMs: 10 * 60_000,
  },
  /** Fit the learned re-ranker of a platform from its reviews; promoted only if it beats the ranking in use on held-out reviews. */
  'matching.fit-ranker': {
    payload: z.object({ platform: z.string().min(1).max(100) }),
    attempts: 2,
    backoffMs: 10_000,
    timeoutMs: 10 * 60_000,
  },
  /** Write the first version of a challenge brief (template or model writer); `requester` reads matches with its own rights. */
  'briefs.draft': {
    payload: z.object({
      briefId: z.uuid(),
      requester: z.object({ keyId: z.string().min(1).max(100), role: z.enum(ROLES), orgId: z.uuid(), orgKind: z.enum(ORG_KINDS) }).nullable(),
      navigation: z.enum(['auto', 'build', 'none']).default('auto'),
      /** a navigation report ordered with the draft: the job retries (backoff) while it is being built */
      reportId: z.uuid().nullable().optional(),
    }),
    attempts: 6,
    backoffMs: 3_000,
    timeoutMs: 5 * 60_000,
  },
  /** Parse an uploaded file and upsert its rows. */
  'imports.run': {
    payload: z.object({ importId: z.uuid() }),
    attempts: 3,
    backoffMs: 5_000,
    timeoutMs: 60 * 60_000,
  },
  /** Build one build of a patent-navigation report (statistics, clusters, summary). */
  'navigation.build': {
    payload: z.object({ reportId: z.uuid(), build: z.number().int().min(1) }),
    attempts: 2,
    backoffMs: 5_000,
    timeoutMs: 15 * 60_000,
  },
} as const

export type JobName = keyof typeof JOBS
export type JobPayload<N extends JobName> = z.output<(typeof JOBS)[N]['payload']>

export const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const
export type JobState = (typeof JOB_STATES)[number]

export interface JobInfo {
  id: string
  name: string
  state: JobState
  progress: unknown
  attempts_made: number
  max_attempts: number
  failed_reason: string | null
  result: unknown
  org_id: string | null
  created_at: string | null
  finished_at: string | null
}

export interface JobContext {
  jobId: string
  attempt: number
  progress(p: Record<string, unknown>): Promise<void>
  /** enqueue follow-up work from inside a handler */
  queue: JobQueue
  /**
   * Aborted when the job is given up (its timeout). Long handlers check it between batches, and inside each batch's
   * transaction just before it commits, so nothing they write lands after the runner has failed or retried the job.
   */
  signal: AbortSignal
}

export type JobHandler<N extends JobName> = (payload: JobPayload<N>, ctx: JobContext) => Promise<unknown>
export type JobHandlers = { [N in JobName]: JobHandler<N> }

export interface EnqueueOptions {
  /** deterministic id: enqueuing the same id twice runs the job once */
  jobId: string
  /** owning organisation, for who may read the job's state */
  orgId?: string | null
}

export interface JobSpec<N extends JobName = JobName> {
  name: N
  payload: JobPayload<N>
  opts: EnqueueOptions
}

export interface RecordOptions {
  /**
   * The transaction of the write that needs the jobs (transactional outbox): the jobs are recorded in it and exist
   * only if it commits. Call `relay()` after the commit (or use `withJobs`); without a transaction the jobs are recorded
   * on their own and relayed at once.
   */
  tx?: Queryable
}

export interface JobQueue {
  /** which runner executes the jobs: in this process from the database (inline), or BullMQ workers on Redis */
  readonly runner: 'inline' | 'bullmq'
  /** Records the job in the database (the outbox) and hands it to the runner; never refused because Redis is down. */
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: EnqueueOptions & RecordOptions): Promise<{ id: string }>
  enqueueMany<N extends JobName>(jobs: JobSpec<N>[], opts?: RecordOptions): Promise<void>
  /** Hands recorded, not yet queued jobs to the runner (best effort: what fails now is relayed later). Never throws. */
  relay(): Promise<void>
  get(id: string): Promise<JobInfo | null>
  ping(): Promise<void>
  /** inline: wait until nothing is waiting or running (CLI, tests); bullmq: no-op */
  drain(): Promise<void>
  close(): Promise<void>
}

/** Thrown by handlers that must wait for other work (retried with backoff like a failure, but expected: not a warning). */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError'
}

/** A failure to warn about: not an expected wait, or the last attempt. */
export const worthWarning = (err: unknown, final: boolean) => final || !(err instanceof RetryLaterError)

/** Thrown by handlers for failures a retry cannot fix: the job fails at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError'
}

/** Job ids may not contain ":" (BullMQ), so parts are joined with "-". */
export const jobId = (...parts: (string | number)[]) => parts.join('-')

/** The job ran past its timeout and was given up (failed, or retried by the runner). */
export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError'
}

/**
 * Validates the payload and applies the catalogue's timeout around a handler call. On timeout the handler's signal is
 * aborted and the call rejects, so the runner fails or retries the job; the handler stops at its next check of the
 * signal (a timer cannot interrupt synchronous work, which is why long handlers work in batches and check between them).
 */
export async function runJob<N extends JobName>(
  handlers: JobHandlers,
  name: N,
  rawPayload: unknown,
  ctx: Omit<JobContext, 'signal'>,
  opts: { timeoutMs?: number; stop?: AbortSignal } = {},
): Promise<unknown> {
  const def = JOBS[name]
  if (!def) throw new PermanentJobError(`unknown job ${name}`)
  const parsed = def.payload.safeParse(rawPayload)
  if (!parsed.success) throw new PermanentJobError(`invalid payload for ${name}: ${parsed.error.issues[0]?.message}`)
  const timeoutMs = opts.timeoutMs ?? def.timeoutMs
  const ac = new AbortController()
  let timer: NodeJS.Timeout | undefined
  let onStop: (() => void) | undefined
  const timeout = new Promise<never>((_, reject) => {
    const giveUp = (err: Error) => {
      ac.abort(err)
      reject(err)
    }
    timer = setTimeout(() => giveUp(new JobTimeoutError(`${name} timed out after ${timeoutMs} ms / 任务超时`)), timeoutMs)
    // the runner stopping (shutdown): the handler stops at its next check, as on a timeout
    onStop = () => giveUp(opts.stop!.reason instanceof Error ? opts.stop!.reason : new JobStoppedError('the runner is stopping'))
    if (opts.stop?.aborted) onStop()
    else opts.stop?.addEventListener('abort', onStop, { once: true })
  })
  const run = (handlers[name] as JobHandler<N>)(parsed.data as JobPayload<N>, { ...ctx, signal: ac.signal })
  run.catch(() => {}) // after a timeout its rejection (the abort) is expected and unobserved
  try {
    return await Promise.race([run, timeout])
  } finally {
    clearTimeout(timer)
    if (onStop) opts.stop?.removeEventListener('abort', onStop)
  }
}

/** The runner stopped (shutdown) while the job ran: not a failure, the job runs again at the next start. */
export class JobStoppedError extends Error {
  override name = 'JobStoppedError'
}

/** Throws the abort reason when a job was given up; handlers call it between batches. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new JobTimeoutError('job was given up')
}

/** Exponential backoff with jitter: base * 2^(attempt-1) * [0.5, 1.5). */
export function backoffDelay(baseMs: number, attempt: number): number {
  return Math.round(baseMs * 2 ** (attempt - 1) * (0.5 + Math.random()))
}
