// SQL for the three catalogue tables (one shape, three tables; the table name comes from KIND_DEFS, never from input).
import { createHash } from 'node:crypto'
import type { Queryable } from '../db'
import { toVectorLiteral } from '../db'
import { cursorTime, Params } from '../db/params'
import { INDEX_VERSION, postingsOf, type SparseVector, toSparseLiteral } from '../models/sparse'
import type { Caller } from '../orgs/access'
import { yieldToEventLoop } from '../yield'
import type { CatalogRow, IndexRow, Kind, KindDef } from './kinds'

const HIDDEN = new Set(['tokens', 'embedding', 'sparse'])

/** Columns returned to callers: everything but the search internals, plus whether the row is indexed. */
function selectList(def: KindDef): string {
  const base = ['id', 'org_id', ...(def.keyColumn === 'natural_key' ? ['natural_key'] : []), ...def.columns]
  return [
    ...new Set(base),
    'content_hash', 'terms', 'embedding_model', 'created_at', 'updated_at',
  ]
    .filter((c) => !HIDDEN.has(c))
    .map((c) => `t.${c}`)
    .concat(['(t.embedding IS NOT NULL AND t.embedding_hash = t.content_hash) AS indexed'])
    .join(', ')
}

export interface IndexData {
  tokenText: string
  terms: unknown
  /** null: keep the row's stored embedding (it is current; only the sparse layout changed) */
  embedding: number[] | null
  sparse: SparseVector
  model: string
}

export interface Prepared {
  values: Record<string, unknown>
  contentHash: string
  recordHash: string
  naturalKey: string
  /** analysis and vector computed before writing (local embedders), so the row is written once */
  index?: IndexData
}

export function recordHash(values: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 32)
}

function columnValue(def: KindDef, col: string, v: unknown): unknown {
  if (v === undefined) v = null
  if (def.jsonColumns.includes(col)) return JSON.stringify(v ?? [])
  return v
}

export interface UpsertResult {
  id: string
  key: string
  inserted: boolean
}

export const catalogStore = {
  selectList,

  async get<K extends Kind>(q: Queryable, def: KindDef<K>, id: string): Promise<CatalogRow<K> | null> {
    const r = await q.query<CatalogRow<K>>(`SELECT ${selectList(def)} FROM ${def.table} t WHERE t.id = $1`, [id])
    return r.rows[0] ?? null
  },

  /**
   * Inserts or updates rows by natural key in one statement. Rows whose record hash is unchanged are not written
   * and not returned. `rows` must not repeat a key.
   */
  async upsert(q: Queryable, def: KindDef, orgId: string, rows: Prepared[]): Promise<UpsertResult[]> {
    if (!rows.length) return []
    const p = new Params()
    const withIndex = rows.every((r) => r.index)
    const cols = ['org_id', ...(def.keyColumn === 'natural_key' ? ['natural_key'] : []), ...def.columns, 'content_hash', 'record_hash']
    const indexCols = withIndex ? ['tokens', 'terms', 'embedding', 'sparse', 'embedding_model', 'embedding_hash', 'index_version'] : []
    const tuples: string[] = []
    for (const [i, r] of rows.entries()) {
      // formatting a batch's vectors takes tens of ms: let other requests in between
      if (i && i % 100 === 0) await yieldToEventLoop()
      const vals = cols.map((c) => {
        if (c === 'org_id') return p.p(orgId)
        if (c === 'natural_key') return p.p(r.naturalKey)
        if (c === 'content_hash') return p.p(r.contentHash)
        if (c === 'record_hash') return p.p(r.recordHash)
        const cast = def.jsonColumns.includes(c) ? '::jsonb' : ''
        // an item without a region is in its organisation's region (the "same province" feature needs one)
        if (c === 'region') return `coalesce(${p.p(columnValue(def, c, r.values[c]))}::text, (SELECT o.region FROM organizations o WHERE o.id = ${p.p(orgId)}::uuid))`
        return p.p(columnValue(def, c, r.values[c])) + cast
      })
      if (withIndex) {
        const ix = r.index!
        vals.push(
          `to_tsvector('simple', ${p.p(ix.tokenText)})`, `${p.p(JSON.stringify(ix.terms))}::jsonb`,
          `${p.p(ix.embedding && toVectorLiteral(ix.embedding))}::vector`, `${p.p(toSparseLiteral(ix.sparse))}::sparsevec`, p.p(ix.model), p.p(r.contentHash),
          p.p(INDEX_VERSION),
        )
      }
      tuples.push(`(${vals.join(', ')})`)
    }
    const updates = [...cols, ...indexCols]
      .filter((c) => c !== 'org_id' && c !== def.keyColumn)
      .map((c) => `${c} = EXCLUDED.${c}`)
      .concat('updated_at = now()')
    let sql = `INSERT INTO ${def.table} AS t (${[...cols, ...indexCols].join(', ')}) VALUES ${tuples.join(', ')}
      ON CONFLICT (org_id, ${def.keyColumn}) DO UPDATE SET ${updates.join(', ')}
      WHERE t.record_hash IS DISTINCT FROM EXCLUDED.record_hash
      RETURNING t.id, t.${def.keyColumn} AS key, (t.xmax = 0) AS inserted`
    if (withIndex) {
      // the written rows' postings, replaced in the same statement
      const { owners: keys, terms, weights } = postingsOf(rows.map((r) => ({ owner: r.naturalKey, sparse: r.index!.sparse })))
      sql = `WITH up AS (${sql}),
        del AS (DELETE FROM ${def.table}_postings x USING up WHERE x.id = up.id),
        ins AS (INSERT INTO ${def.table}_postings (term, w, id)
                SELECT d.term, d.w, up.id FROM unnest(${p.p(keys)}::text[], ${p.p(terms)}::int[], ${p.p(weights)}::real[]) d(key, term, w)
                JOIN up ON up.key = d.key)
        SELECT * FROM up`
    }
    return (await q.query<UpsertResult>(sql, p.values)).rows
  },

  /** Runs `fn` under a savepoint: on failure only its work is rolled back (the transaction goes on), and the error thrown. */
  async inSavepoint<T>(tx: Queryable, fn: () => Promise<T>): Promise<T> {
    await tx.query('SAVEPOINT upsert_rows')
    try {
      const r = await fn()
      await tx.query('RELEASE SAVEPOINT upsert_rows')
      return r
    } catch (err) {
      await tx.query('ROLLBACK TO SAVEPOINT upsert_rows')
      await tx.query('RELEASE SAVEPOINT upsert_rows')
      throw err
    }
  },

  /** Replaces every writable column of one row. */
  async update<K extends Kind>(q: Queryable, def: KindDef<K>, id: string, r: Prepared): Promise<CatalogRow<K> | null> {
    const p = new Params()
    const sets = def.columns.map((c) =>
      c === 'region'
        ? `region = coalesce(${p.p(columnValue(def, c, r.values[c]))}::text, (SELECT o.region FROM organizations o WHERE o.id = t.org_id))`
        : `${c} = ${p.p(columnValue(def, c, r.values[c]))}${def.jsonColumns.includes(c) ? '::jsonb' : ''}`,
    )
    sets.push(`content_hash = ${p.p(r.contentHash)}`, `record_hash = ${p.p(r.recordHash)}`, 'updated_at = now()')
    const res = await q.query<{ id: string }>(`UPDATE ${def.table} t SET ${sets.join(', ')} WHERE t.id = ${p.p(id)} RETURNING t.id`, p.values)
    return res.rows[0] ? catalogStore.get(q, def, id) : null
  },

  async remove(q: Queryable, def: KindDef, id: string): Promise<boolean> {
    const r = await q.query<{ n: number }>(
      `WITH gone AS (DELETE FROM ${def.table} WHERE id = $1 RETURNING id),
            x AS (DELETE FROM ${def.table}_postings p USING gone WHERE p.id = gone.id)
       SELECT count(*)::int AS n FROM gone`,
      [id],
    )
    return r.rows[0]!.n > 0
  },

  /**
   * A filtered page. Without a text query: newest first, keyset on (created_at, id).
   * With one: rows matching any query token, best ts_rank_cd first, keyset on (rank, id).
   */
  async list(
    q: Queryable,
    def: KindDef,
    caller: Caller,
    filters: Record<string, unknown>,
    page: { limit: number; after?: { at?: string; rank?: number; id: string } },
    tsQuery?: string,
  ): Promise<(CatalogRow & { rank?: number; at_key: string })[]> {
    const p = new Params()
    const where = [def.visibleSql(caller, p), ...def.filterSql(filters, p)]
    if (filters.region) where.push(`t.region = ${p.p(filters.region)}`)
    if (filters.org_id) where.push(`t.org_id = ${p.p(filters.org_id)}`)
    let rank = ''
    let order = 't.created_at DESC, t.id DESC'
    if (tsQuery) {
      const tq = `websearch_to_tsquery('simple', ${p.p(tsQuery)})`
      where.push(`t.tokens @@ ${tq}`)
      rank = `, ts_rank_cd(t.tokens, ${tq})::float8 AS rank`
      order = 'rank DESC, t.id DESC'
      if (page.after) where.push(`(ts_rank_cd(t.tokens, ${tq})::float8, t.id) < (${p.p(page.after.rank ?? 0)}::float8, ${p.p(page.after.id)}::uuid)`)
    } else if (page.after) {
      where.push(`(t.created_at, t.id) < (${p.p(page.after.at)}::timestamptz, ${p.p(page.after.id)}::uuid)`)
    }
    const sql = `SELECT ${selectList(def)}${rank}, ${cursorTime('t.created_at')} AS at_key FROM ${def.table} t WHERE ${where.filter(Boolean).join(' AND ')}
      ORDER BY ${order} LIMIT ${p.p(page.limit)}`
    return (await q.query<CatalogRow & { rank?: number; at_key: string }>(sql, p.values)).rows
  },

  /** Rows among ids whose analysis or embedding is missing or stale for this model. */
  /**
   * Rows that need indexing: no vectors, text changed, another embedding model, or an older sparse layout
   * (`index_version`); `embedding_current` says the stored embedding can be kept (only the sparse layout is old).
   */
  async needingIndex<K extends Kind>(q: Queryable, def: KindDef<K>, ids: string[], modelId: string, force = false): Promise<(IndexRow<K> & { embedding_current: boolean })[]> {
    const r = await q.query<IndexRow<K> & { embedding_current: boolean }>(
      `SELECT t.id, t.org_id, t.content_hash, ${def.columns.map((c) => `t.${c}`).join(', ')},
              (t.embedding IS NOT NULL AND t.embedding_hash = t.content_hash AND t.embedding_model = $2) AS embedding_current
         FROM ${def.table} t
        WHERE t.id = ANY($1::uuid[])
          AND ($3 OR t.embedding IS NULL OR t.sparse IS NULL OR t.embedding_hash IS DISTINCT FROM t.content_hash
               OR t.embedding_model IS DISTINCT FROM $2 OR t.index_version IS DISTINCT FROM $4)`,
      [ids, modelId, force, INDEX_VERSION],
    )
    return r.rows
  },

  /** Writes analysis and vectors; a row whose text changed meanwhile (another content hash) is left for its own job. */
  async writeIndex(
    q: Queryable,
    def: KindDef,
    items: { id: string; contentHash: string; index: IndexData }[],
    modelId: string,
  ): Promise<number> {
    if (!items.length) return 0
    const { owners: ids, terms, weights } = postingsOf(items.map((i) => ({ owner: i.id, sparse: i.index.sparse })))
    // one statement: the rows, and their postings replaced (only for rows whose text is still the one analysed)
    const r = await q.query<{ n: number }>(
      `WITH upd AS (
         UPDATE ${def.table} t SET tokens = to_tsvector('simple', d.tok), terms = d.terms::jsonb,
                embedding = coalesce(d.emb::vector, t.embedding), sparse = d.sp::sparsevec, embedding_model = $7, embedding_hash = d.hash,
                index_version = $11
           FROM (SELECT unnest($1::uuid[]) AS id, unnest($2::text[]) AS hash, unnest($3::text[]) AS tok,
                        unnest($4::text[]) AS terms, unnest($5::text[]) AS emb, unnest($6::text[]) AS sp) d
          WHERE t.id = d.id AND t.content_hash = d.hash
          RETURNING t.id),
       del AS (DELETE FROM ${def.table}_postings x USING upd WHERE x.id = upd.id),
       ins AS (INSERT INTO ${def.table}_postings (term, w, id)
               SELECT p.term, p.w, p.id FROM unnest($8::int[], $9::real[], $10::uuid[]) p(term, w, id) JOIN upd ON upd.id = p.id)
       SELECT count(*)::int AS n FROM upd`,
      [
        items.map((i) => i.id),
        items.map((i) => i.contentHash),
        items.map((i) => i.index.tokenText),
        items.map((i) => JSON.stringify(i.index.terms)),
        items.map((i) => i.index.embedding && toVectorLiteral(i.index.embedding)),
        items.map((i) => toSparseLiteral(i.index.sparse)),
        modelId,
        terms,
        weights,
        ids,
        INDEX_VERSION,
      ],
    )
    return r.rows[0]!.n
  },

  /** Keyset walk over all ids (for re-embedding everything). */
  async idsAfter(q: Queryable, def: KindDef, after: string | null, limit: number): Promise<string[]> {
    const r = await q.query<{ id: string }>(
      `SELECT id FROM ${def.table} WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [after, limit],
    )
    return r.rows.map((x) => x.id)
  },

  /** Every row's id with its external id or publication number (the evaluation maps its dataset's ids with it). */
  async idsWith(q: Queryable, def: KindDef, column: 'external_id' | 'publication_number'): Promise<{ id: string; key: string }[]> {
    const r = await q.query<{ id: string; key: string }>(`SELECT id, ${column} AS key FROM ${def.table}`)
    return r.rows
  },

  async idByKey(q: Queryable, def: KindDef, orgId: string, key: string): Promise<string | null> {
    const r = await q.query<{ id: string }>(`SELECT id FROM ${def.table} WHERE org_id = $1 AND ${def.keyColumn} = $2`, [orgId, key])
    return r.rows[0]?.id ?? null
  },

  /** Planner statistics and a fresh visibility map after a bulk load (PGlite has no autovacuum). */
  async vacuumAnalyze(q: Queryable, def: KindDef): Promise<void> {
    await q.exec(`VACUUM (ANALYZE) ${def.table}, ${def.table}_postings`)
  },

  /**
   * Rows indexed before the inverted index existed (marked stale by migration 0004), or with an older sparse layout
   * (`index_version`, see models/sparse.ts).
   */
  async anyStaleIndex(q: Queryable): Promise<boolean> {
    const stale = (t: string) => `EXISTS (SELECT 1 FROM ${t} WHERE sparse IS NOT NULL AND (embedding_hash IS NULL OR index_version <> $1))`
    const r = await q.query<{ stale: boolean }>(
      `SELECT ${['achievements', 'patents', 'needs'].map(stale).join(' OR ')} AS stale`,
      [INDEX_VERSION],
    )
    return r.rows[0]?.stale === true
  },
}
