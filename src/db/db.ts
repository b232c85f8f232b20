// The one database interface the rest of the code sees. Two adapters implement it: pg (PostgreSQL) and PGlite (embedded).
export interface QueryResult<T> {
  rows: T[]
  rowCount: number
}

export interface QueryOptions {
  /**
   * Run as a named prepared statement (PostgreSQL): parsed and planned once per connection, not on every call. For hot
   * statements whose text takes a bounded number of shapes (planning was up to half of a search's database time).
   * PGlite ignores it.
   */
  prepare?: boolean
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<QueryResult<T>>
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>
}

export interface Db extends Queryable {
  /** the database engine: PostgreSQL, or PGlite embedded in this process */
  readonly engine: 'pg' | 'pglite'
  /** Runs fn inside one transaction on one connection; rolls back when fn throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Throws when the database does not answer (the readiness check). */
export async function ping(q: Queryable): Promise<void> {
  await q.query('SELECT 1')
}

/** Formats a number array as a pgvector literal; pass it as a parameter with a ::vector cast. */
export function toVectorLiteral(v: ArrayLike<number>): string {
  return '[' + Array.from(v, (x) => (Number.isFinite(x) ? x : 0)).join(',') + ']'
}

/** Parses pgvector's text form ("[1,2,3]") back to numbers. */
export function parseVector(v: unknown): number[] | null {
  if (v == null) return null
  if (Array.isArray(v)) return v.map(Number)
  const s = String(v).trim()
  return s.slice(1, -1).split(',').filter(Boolean).map(Number)
}

/**
 * OIDs of pgvector's types, once the extension exists (null before the first migration).
 * Both adapters use them to return vectors as number[], so callers see the same values on either.
 */
export async function lookupVectorOids(q: { query(sql: string): Promise<{ rows: unknown[] }> }): Promise<Record<string, number> | null> {
  const r = (await q.query(
    "SELECT typname, oid::int AS oid FROM pg_type WHERE typname IN ('vector', 'halfvec', 'sparsevec')",
  )) as { rows: { typname: string; oid: number }[] }
  if (!r.rows.some((x) => x.typname === 'vector')) return null
  return Object.fromEntries(r.rows.map((x) => [x.typname, x.oid]))
}

/**
 * Value shapes both adapters return: int8 and numeric as JS numbers (our counts and prices stay far below 2^53),
 * date as 'YYYY-MM-DD' (no time-zone shift through a JS Date).
 */
export const BASE_PARSERS: Record<number, (v: string) => unknown> = {
  20: (v) => Number(v),
  1700: (v) => Number(v),
  1082: (v) => v,
}
