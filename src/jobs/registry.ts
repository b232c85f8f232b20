// The job registry: every job name with its payload schema, retry policy and timeout. Both runners use it.
import { z } from 'zod'
import { KINDS } from '../catalog/kinds'

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
  /** Parse an uploaded file and upsert its rows. */
  'imports.run': {
    payload: z.object({ importId: z.uuid() }),
    attempts: 3,
    backoffMs: 5_000,
    timeoutMs: 60 * 60_000,
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
}

export type JobHandler<N extends JobName> = (payload: JobPayload<N>, ctx: JobContext) => Promise<unknown>
export type JobHandlers = { [N in JobName]: JobHandler<N> }

export interface EnqueueOptions {
  /** deterministic id: enqueuing the same id twice runs the job once */
  jobId: string
  /** owning organisation, for who may read the job's state */
  orgId?: string | null
}

export interface JobQueue {
  readonly kind: 'inline' | 'bullmq'
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: EnqueueOptions): Promise<{ id: string }>
  enqueueMany<N extends JobName>(jobs: { name: N; payload: JobPayload<N>; opts: EnqueueOptions }[]): Promise<void>
  get(id: string): Promise<JobInfo | null>
  ping(): Promise<void>
  /** inline: wait until nothing is waiting or running (CLI, tests); bullmq: no-op */
  drain(): Promise<void>
  close(): Promise<void>
}

/** Thrown by handlers for failures a retry cannot fix: the job fails at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError'
}

/** Job ids may not contain ":" (BullMQ), so parts are joined with "-". */
export const jobId = (...parts: (string | number)[]) => parts.join('-')

/** Validates the payload and applies the catalogue's timeout around a handler call. */
export async function runJob<N extends JobName>(
  handlers: JobHandlers,
  name: N,
  rawPayload: unknown,
  ctx: JobContext,
): Promise<unknown> {
  const def = JOBS[name]
  if (!def) throw new PermanentJobError(`unknown job ${name}`)
  const parsed = def.payload.safeParse(rawPayload)
  if (!parsed.success) throw new PermanentJobError(`invalid payload for ${name}: ${parsed.error.issues[0]?.message}`)
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} timed out after ${def.timeoutMs} ms`)), def.timeoutMs)
  })
  try {
    return await Promise.race([(handlers[name] as JobHandler<N>)(parsed.data as JobPayload<N>, ctx), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Exponential backoff with jitter: base * 2^(attempt-1) * [0.5, 1.5). */
export function backoffDelay(baseMs: number, attempt: number): number {
  return Math.round(baseMs * 2 ** (attempt - 1) * (0.5 + Math.random()))
}
