// Document frequencies of the sparse dimensions, per catalogue: the idf of a query's terms. Recomputed from the stored
// vectors when the catalogue has changed by more than a tenth since the last count (checked at most once a minute per
// process), so idf follows the catalogue without ever re-embedding documents.
import type { Db } from '../db'
import { sparseIndicesOf } from '../models/sparse'
import type { Table } from './retrieve'

const CHECK_EVERY_MS = 60_000
const PAGE = 2000
const META_TTL_MS = 2_000
const MAX_CACHED_TERMS = 500_000

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
    cache.delete(table) // this process sees its own refresh at once
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

  // Counts only change when a refresh rewrites them (here or in another process), so they are cached per catalogue and
  // keyed by the refresh's time: a search costs no statistics query once its terms have been seen. The refresh time is
  // re-read at most every META_TTL_MS, so another process's refresh is seen within that.
  const cache = new Map<Table, { stamp: string; docs: number; readAt: number; df: Map<number, number> }>()
  const metaInFlight = new Map<Table, Promise<{ stamp: string; docs: number }>>()
  async function metaOf(table: Table) {
    const c = cache.get(table)
    if (c && Date.now() - c.readAt < META_TTL_MS) return c
    let p = metaInFlight.get(table)
    if (!p) {
      p = db.query<{ docs: number; stamp: string }>('SELECT docs, refreshed_at::text AS stamp FROM term_stats_meta WHERE catalog = $1', [table])
        .then((r) => ({ docs: r.rows[0]?.docs ?? 0, stamp: r.rows[0]?.stamp ?? '' }))
        .finally(() => metaInFlight.delete(table))
      metaInFlight.set(table, p)
    }
    const m = await p
    const current = cache.get(table)
    if (current && current.stamp === m.stamp) {
      current.readAt = Date.now()
      return current
    }
    const fresh = { ...m, readAt: Date.now(), df: new Map<number, number>() }
    cache.set(table, fresh)
    return fresh
  }

  /** idf = ln((N + 1) / (df + 1)) + 1 for the given dimensions (a term no document has gets the largest idf). */
  async function idfFor(table: Table, indices: number[]): Promise<Idf> {
    await ensureFresh(table)
    const c = await metaOf(table)
    const missing = [...new Set(indices)].filter((i) => !c.df.has(i))
    if (missing.length) {
      const r = await db.query<{ term: number; df: number }>('SELECT term, df FROM term_stats WHERE catalog = $1 AND term = ANY($2::int[])', [table, missing])
      if (c.df.size + missing.length > MAX_CACHED_TERMS) c.df = new Map()
      for (const i of missing) c.df.set(i, 0) // absent = no document has it
      for (const x of r.rows) c.df.set(x.term, x.df)
    }
    const df = new Map(indices.map((i) => [i, c.df.get(i) ?? 0]))
    const docs = c.docs
    return { docs, df: (i) => df.get(i) ?? 0, idf: (i) => Math.log((docs + 1) / ((df.get(i) ?? 0) + 1)) + 1 }
  }

  return { refresh, ensureFresh, idfFor }
}

export type TermStats = ReturnType<typeof createTermStats>
