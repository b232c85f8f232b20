// Document frequencies of the sparse dimensions, per catalogue: the idf of a query's terms. Recomputed from the stored
// vectors when the catalogue has changed by more than a tenth since the last count (checked at most once a minute per
// process), so idf follows the catalogue without ever re-embedding documents.
import type { Db } from '../db'
import { sparseIndicesOf } from '../models/sparse'
import type { Table } from './retrieve'

const CHECK_EVERY_MS = 60_000
const PAGE = 2000

export interface Idf {
  docs: number
  df(index: number): number
  idf(index: number): number
}

export function createTermStats(db: Db) {
  const checked = new Map<Table, number>()

  /** Recounts document frequencies of a catalogue from its stored sparse vectors. */
  async function refresh(table: Table): Promise<number> {
    const df = new Map<number, number>()
    let docs = 0
    let after: string | null = null
    for (;;) {
      // as text: parsing it here is ~4x faster than the driver's sparsevec type parser
      const r: { rows: { id: string; sparse: string }[] } = await db.query<{ id: string; sparse: string }>(
        `SELECT id, sparse::text AS sparse FROM ${table} WHERE sparse IS NOT NULL AND ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT ${PAGE}`,
        [after],
      )
      if (!r.rows.length) break
      for (const row of r.rows) {
        docs++
        for (const i of sparseIndicesOf(row.sparse)) df.set(i, (df.get(i) ?? 0) + 1)
      }
      after = r.rows[r.rows.length - 1]!.id
    }
    const terms = [...df.keys()]
    await db.transaction(async (tx) => {
      await tx.query('DELETE FROM term_stats WHERE catalog = $1', [table])
      for (let i = 0; i < terms.length; i += 20_000) {
        const chunk = terms.slice(i, i + 20_000)
        await tx.query('INSERT INTO term_stats (catalog, term, df) SELECT $1, * FROM unnest($2::int[], $3::int[])', [table, chunk, chunk.map((t) => df.get(t)!)])
      }
      await tx.query(
        `INSERT INTO term_stats_meta (catalog, docs) VALUES ($1, $2)
         ON CONFLICT (catalog) DO UPDATE SET docs = EXCLUDED.docs, refreshed_at = now()`,
        [table, docs],
      )
    })
    return docs
  }

  /** Refreshes when missing or when the catalogue size moved by more than 10% (at most one check a minute). */
  const inFlight = new Map<Table, Promise<void>>()
  function ensureFresh(table: Table): Promise<void> {
    // concurrent callers (the sources of one match run at once) share one check
    let p = inFlight.get(table)
    if (!p) {
      p = check(table).finally(() => inFlight.delete(table))
      inFlight.set(table, p)
    }
    return p
  }

  async function check(table: Table): Promise<void> {
    const now = Date.now()
    if (now - (checked.get(table) ?? 0) < CHECK_EVERY_MS) return
    checked.set(table, now)
    const [meta, count] = await Promise.all([
      db.query<{ docs: number }>('SELECT docs FROM term_stats_meta WHERE catalog = $1', [table]),
      db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE sparse IS NOT NULL`),
    ])
    const docs = meta.rows[0]?.docs
    const n = count.rows[0]!.n
    if (docs === undefined || Math.abs(n - docs) > Math.max(1, docs * 0.1)) await refresh(table)
  }

  /** idf = ln((N + 1) / (df + 1)) + 1 for the given dimensions (a term no document has gets the largest idf). */
  async function idfFor(table: Table, indices: number[]): Promise<Idf> {
    await ensureFresh(table)
    const meta = await db.query<{ docs: number }>('SELECT docs FROM term_stats_meta WHERE catalog = $1', [table])
    const docs = meta.rows[0]?.docs ?? 0
    const r = await db.query<{ term: number; df: number }>('SELECT term, df FROM term_stats WHERE catalog = $1 AND term = ANY($2::int[])', [table, indices])
    const df = new Map(r.rows.map((x) => [x.term, x.df]))
    return { docs, df: (i) => df.get(i) ?? 0, idf: (i) => Math.log((docs + 1) / ((df.get(i) ?? 0) + 1)) + 1 }
  }

  return { refresh, ensureFresh, idfFor }
}

export type TermStats = ReturnType<typeof createTermStats>
