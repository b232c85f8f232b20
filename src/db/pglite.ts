import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { fromSql } from 'pgvector'
import { BASE_PARSERS, type Db, lookupVectorOids, type QueryResult } from './db'

/** Embedded PostgreSQL (WASM). dataDir undefined = in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true })
    // Same value shapes as the pg adapter, so callers never see a difference.
  const pg = await PGlite.create(dataDir, { extensions: { vector }, parsers: BASE_PARSERS })
  // Same vector parsing as the pg adapter, once the extension exists.
  let parsers: Record<number, (v: string) => unknown> | undefined
  const q = async <T>(runner: Pick<PGlite, 'query'>, sql: string, params: unknown[] = []): Promise<QueryResult<T>> => {
    if (!parsers) {
      const oids = await lookupVectorOids(runner) // the runner, not pg: inside a transaction pg is locked
      if (oids) parsers = { ...BASE_PARSERS, ...Object.fromEntries(Object.values(oids).map((oid) => [oid, (v: string) => fromSql(v)])) }
    }
    const r = await runner.query<T>(sql, params as unknown[], parsers ? { parsers } : undefined)
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length }
  }
  return {
    kind: 'pglite',
    query: (sql, params) => q(pg, sql, params),
    exec: async (sql) => {
      await pg.exec(sql)
    },
    transaction: (fn) =>
      pg.transaction((tx) =>
        fn({
          query: (sql, params) => q(tx, sql, params),
          exec: async (sql) => {
            await tx.exec(sql)
          },
        }),
      ),
    async close() {
      await pg.close()
    },
  }
}
