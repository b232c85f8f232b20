// Messages between the embedded-database worker (pglite-worker-main.ts) and its adapter (pglite.ts).
export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params?: unknown[]; tx?: number }
  | { id: number; op: 'exec'; sql: string; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'commit' | 'rollback'; tx: number }
  | { id: number; op: 'close' }

export interface WorkerReply {
  /** 0: the worker's own start-up (ready, or why it could not open the database) */
  id: number
  ok: boolean
  ready?: boolean
  rows?: unknown[]
  rowCount?: number
  tx?: number
  error?: { message: string; name: string; fields: Record<string, string | number> }
}
