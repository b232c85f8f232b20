import type { Db } from '../../src/db'
import { openPg } from '../../src/db/pg'
import { openPglite } from '../../src/db/pglite'
import { migrate } from '../../src/db/migrate'
import { createScratchDatabase } from '../../src/db/scratch'
import { DATABASE_URL, TEST_EMBEDDING_DIM } from './env'

/** A migrated database: the real server when DATABASE_URL is set, else a fresh in-memory PGlite. */
export async function openTestDb(): Promise<Db> {
  const db = DATABASE_URL ? openPg(DATABASE_URL, { max: 5 }) : await openPglite()
  await migrate(db, { embeddingDim: TEST_EMBEDDING_DIM })
  return db
}

/** Every adapter available in this run, for contract tests: PGlite always, pg when DATABASE_URL is set. */
export const ADAPTERS: { name: 'pglite' | 'pg'; open: () => Promise<Db> }[] = [
  { name: 'pglite', open: () => openPglite() },
  ...(DATABASE_URL ? [{ name: 'pg' as const, open: async () => openPg(DATABASE_URL!, { max: 5 }) }] : []),
]

/** A scratch PostgreSQL database on the real server (for migration tests); dropped by the returned cleanup. */
export const scratchPgDatabase = () => createScratchDatabase(DATABASE_URL!, `scratch_${process.pid}`)

/**
 * The same database, recording each statement it is given (SQL and parameters) in `log`: for tests of how many
 * statements a path costs. Transactions pass through unrecorded.
 */
export function recordingDb(db: Db): { db: Db; log: { sql: string; params: unknown[] }[] } {
  const log: { sql: string; params: unknown[] }[] = []
  return {
    log,
    db: {
      engine: db.engine,
      query: (sql, params, o) => {
        log.push({ sql, params: params ?? [] })
        return db.query(sql, params, o)
      },
      transaction: (fn) => db.transaction(fn),
      close: async () => {},
    } as Db,
  }
}
