import path from 'node:path'
import type { Config } from '../config'
import type { Db } from './db'
import { openPg } from './pg'
import { openPglite } from './pglite'

export type { Db, Queryable, QueryResult } from './db'
export { toVectorLiteral, parseVector, ping } from './db'

/** PostgreSQL when DATABASE_URL is set, otherwise embedded PGlite under DATA_DIR/pgdata. */
export async function openDb(cfg: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'> & Partial<Pick<Config, 'DATABASE_POOL_MAX' | 'DATABASE_PREPARE'>>): Promise<Db> {
  if (cfg.DATABASE_URL) return openPg(cfg.DATABASE_URL, { max: cfg.DATABASE_POOL_MAX, prepare: cfg.DATABASE_PREPARE })
  return openPglite(path.resolve(cfg.DATA_DIR, 'pgdata'))
}
