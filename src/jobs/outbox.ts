// The transactional outbox: a write and the jobs it needs commit together or not at all. Jobs are recorded in the
// `jobs` table inside the writer's transaction; after the commit they are relayed to the runner (BullMQ or inline).
// Relaying is best effort: what cannot be handed over now (Redis down or paused) stays recorded and the relay's
// periodic pass hands it over later, so an accepted write never loses its job and a refused one leaves nothing behind.
import type { Db, Queryable } from '../db'
import type { JobQueue } from './registry'

/** Runs `fn` in one transaction; jobs it enqueues with `{ tx }` are relayed after the commit (not awaited). */
export async function withJobs<T>(db: Db, queue: JobQueue, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const out = await db.transaction(fn)
  void queue.relay()
  return out
}
