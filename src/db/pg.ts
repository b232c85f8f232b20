import { createHash } from 'node:crypto'
import pg from 'pg'
import { fromSql } from 'pgvector'
import { BASE_PARSERS, type Db, lookupVectorOids, type Queryable, type QueryOptions, type QueryResult } from './db'

// Same value shapes on both adapters (see BASE_PARSERS).
for (const [oid, parse] of Object.entries(BASE_PARSERS)) pg.types.setTypeParser(Number(oid), parse)

/** A prepared statement's name: one per statement text (a name given two texts is an error in pg). */
const statementName = (sql: string) => 'p' + createHash('sha1').update(sql).digest('hex').slice(0, 24)

/** `prepare: false` runs every statement unnamed (behind a transaction-mode pooler such as PgBouncer before 1.21). */
export function openPg(url: string, opts: { max?: number; prepare?: boolean } = {}): Db {
  const prepare = opts.prepare ?? true
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 })
  pool.on('error', () => {
    /* idle client errors (server restart) surface on the next query instead of crashing the process */
  })
  // Vector types are registered once the extension exists; before the first migration it does not.
  let typesReady = false
  async function ensureVectorTypes(): Promise<void> {
    if (typesReady) return
    const oids = await lookupVectorOids(pool)
    if (!oids) return
    for (const oid of Object.values(oids)) pg.types.setTypeParser(oid, (v: string) => fromSql(v))
    typesReady = true
  }
  const wrap = (c: pg.Pool | pg.PoolClient, inTransaction: boolean): Queryable => ({
    async query<T>(sql: string, params: unknown[] = [], o?: QueryOptions): Promise<QueryResult<T>> {
      await ensureVectorTypes()
      let r: pg.QueryResult
      if (o?.prepare && prepare) {
        try {
          r = await c.query({ name: statementName(sql), text: sql, values: params })
        } catch (err) {
          // a table a prepared `SELECT m.*` reads gained a column (a newer version migrated while this one runs): that
          // connection's statement can no longer run, the same text unnamed can (inside a transaction the error stands).
          // The old process pays a second round trip on that statement until it is replaced.
          if (inTransaction || (err as { code?: string }).code !== '0A000') throw err
          r = await c.query(sql, params as unknown[])
        }
      } else r = await c.query(sql, params as unknown[])
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 }
    },
    async exec(sql: string) {
      await c.query(sql)
    },
  })
  const root = wrap(pool, false)
  return {
    engine: 'pg',
    query: root.query,
    exec: root.exec,
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn(wrap(client, true))
        await client.query('COMMIT')
        return result
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {})
        throw err
      } finally {
        client.release()
      }
    },
    async close() {
      await pool.end()
    },
  }
}
