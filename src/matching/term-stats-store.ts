// SQL of the term statistics (term-stats.ts): the stored sparse vectors they are counted from, the counts per catalogue
// and the time of their last refresh. Parameterised only; table names come from the `Table` constants.
import type { Db, Queryable } from '../db'
import type { Table } from './retrieve'

export const termStatsStore = {
  /** One page of a keyset walk over a catalogue's sparse vectors, as text (parsed by the caller: ~4x faster than the
   * driver's sparsevec type parser). */
  async sparsePage(q: Queryable, table: Table, after: string | null, limit: number): Promise<{ id: string; sparse: string }[]> {
    const r = await q.query<{ id: string; sparse: string }>(
      `SELECT id, sparse::text AS sparse FROM ${table} WHERE sparse IS NOT NULL AND ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT ${Number(limit)}`,
      [after],
    )
    return r.rows
  },

  /** Replaces a catalogue's counts and its document total in one transaction, one recount of a catalogue at a time. */
  async replace(db: Db, table: Table, docs: number, df: Map<number, number>): Promise<void> {
    const terms = [...df.keys()]
    await db.transaction(async (tx) => {
      // two processes recounting at once (the API and a worker): without this, the second's INSERT meets the first's
      // committed rows (its DELETE ran before they existed) and fails on the primary key
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('term_stats:' || $1))", [table])
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
  },

  /** The document total of the last refresh (undefined before the first). */
  async counted(q: Queryable, table: Table): Promise<number | undefined> {
    const r = await q.query<{ docs: number }>('SELECT docs FROM term_stats_meta WHERE catalog = $1', [table])
    return r.rows[0]?.docs
  },

  /** Documents of the catalogue that have a sparse vector now. */
  async documents(q: Queryable, table: Table): Promise<number> {
    const r = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE sparse IS NOT NULL`)
    return r.rows[0]!.n
  },

  /** The document total and the refresh time of the last refresh (0 and '' before the first). */
  async meta(q: Queryable, table: Table): Promise<{ docs: number; stamp: string }> {
    const r = await q.query<{ docs: number; stamp: string }>('SELECT docs, refreshed_at::text AS stamp FROM term_stats_meta WHERE catalog = $1', [table])
    return { docs: r.rows[0]?.docs ?? 0, stamp: r.rows[0]?.stamp ?? '' }
  },

  /** One page of a catalogue's stored counts, by term (a keyset walk). */
  async page(q: Queryable, table: Table, after: number, limit: number): Promise<{ term: number; df: number }[]> {
    const r = await q.query<{ term: number; df: number }>(
      `SELECT term, df FROM term_stats WHERE catalog = $1 AND term > $2 ORDER BY term LIMIT ${Number(limit)}`,
      [table, after],
    )
    return r.rows
  },

  /** Stored counts of the given terms (a term no document has is absent). */
  async frequencies(q: Queryable, table: Table, terms: number[]): Promise<{ term: number; df: number }[]> {
    const r = await q.query<{ term: number; df: number }>('SELECT term, df FROM term_stats WHERE catalog = $1 AND term = ANY($2::int[])', [table, terms])
    return r.rows
  },
}
