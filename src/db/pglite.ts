// Embedded PostgreSQL (PGlite, WASM) on a worker thread of its own; this adapter speaks to it by messages. The thread that
// answers HTTP never runs a statement, so a bulk import or a slow search leaves /healthz and other requests answered.
// Transactions pin the database: PGlite has one connection, so while one is open other callers' statements wait.
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Db, Queryable, QueryResult } from './db'
import { lockDataDir } from './lock'
import type { WorkerReply, WorkerRequest } from './pglite-protocol'

type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never

/** Embedded PostgreSQL (WASM). dataDir undefined = in memory (tests). A data directory is locked to this process. */
export async function openPglite(dataDir?: string): Promise<Db> {
  const lock = dataDir ? lockDataDir(path.resolve(dataDir)) : undefined
  try {
    return await startWorker(dataDir ? path.resolve(dataDir) : undefined, () => lock?.release())
  } catch (err) {
    lock?.release()
    throw err
  }
}

async function startWorker(dataDir: string | undefined, onClosed: () => void): Promise<Db> {
  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { workerData: { dataDir } })
  const pending = new Map<number, { resolve(r: WorkerReply): void; reject(e: Error): void }>()
  let seq = 0
  let broken: Error | undefined
  let closed = false

  // The worker keeps the process alive only while a statement is outstanding (a CLI exits when its work is done).
  worker.unref()
  const fail = (err: Error) => {
    broken ??= err
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  }
  worker.on('error', (err) => fail(new Error(`embedded database worker failed: ${err.message}`)))
  worker.on('exit', (code) => fail(new Error(closed ? 'database is closed / 数据库已关闭' : `embedded database worker exited (${code})`)))

  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject })
  })
  worker.on('message', (m: WorkerReply) => {
    const p = pending.get(m.id)
    if (!p) return
    pending.delete(m.id)
    if (!pending.size) worker.unref()
    if (m.ok) p.resolve(m)
    else p.reject(toError(m.error!))
  })
  worker.ref()
  await ready

  function call(req: Request): Promise<WorkerReply> {
    if (broken) return Promise.reject(broken)
    if (closed) return Promise.reject(new Error('database is closed / 数据库已关闭'))
    const id = ++seq
    return new Promise<WorkerReply>((resolve, reject) => {
      if (!pending.size) worker.ref()
      pending.set(id, { resolve, reject })
      worker.postMessage({ ...req, id })
    })
  }

  const runner = (tx?: number): Queryable => ({
    // `prepare` (db.ts QueryOptions) is for PostgreSQL's per-connection planning; the embedded database ignores it
    async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
      const r = await call({ op: 'query', sql, params, tx })
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 }
    },
    async exec(sql: string) {
      await call({ op: 'exec', sql, tx })
    },
  })
  const root = runner()

  return {
    engine: 'pglite',
    query: root.query,
    exec: root.exec,
    async transaction(fn) {
      const { tx } = await call({ op: 'begin' })
      let open = true
      const inner = runner(tx!)
      // statements after the end of the transaction fail instead of running outside it
      const guarded: Queryable = {
        query: (sql, params) => (open ? inner.query(sql, params) : Promise.reject(new Error('Transaction is closed'))),
        exec: (sql) => (open ? inner.exec(sql) : Promise.reject(new Error('Transaction is closed'))),
      }
      let result
      try {
        result = await fn(guarded)
      } catch (err) {
        open = false
        await call({ op: 'rollback', tx: tx! }).catch(() => {})
        throw err
      }
      open = false
      await call({ op: 'commit', tx: tx! })
      return result
    },
    async close() {
      if (closed) return
      try {
        if (!broken) await call({ op: 'close' })
      } finally {
        closed = true
        await worker.terminate()
        onClosed()
      }
    },
  }
}

/** The worker's error as an Error with PostgreSQL's fields (code, detail, constraint...) as the pg driver has them. */
function toError(e: NonNullable<WorkerReply['error']>): Error {
  const err = new Error(e.message)
  Object.assign(err, e.fields)
  err.name = e.name
  return err
}
