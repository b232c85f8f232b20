// Candidate retrieval: three sources, each over-fetched, each a function of its own.
//   dense   - ANN on the HNSW cosine index of the embedding (ef_search set per query; iterative scans so filters never starve it)
//   sparse  - cosine of sparse tf-idf vectors: candidates from the inverted index of postings (the heaviest postings of
//             the query's heaviest words), scored exactly; with pseudo-relevance feedback (Rocchio)
//   lexical - full text over the jieba-token tsvector (GIN), the rows holding the query's rarest words, ranked by ts_rank_cd
// Each reads a bounded number of rows whatever the catalogue's size: that is what keeps a match fast at 100k rows.
import type { Db } from '../db'
import { toVectorLiteral } from '../db'
import { Params } from '../db/params'
import { expandQuery, parseSparse, type SparseVector, toSparseLiteral, weightQuery } from '../models/sparse'

export type Source = 'dense' | 'sparse' | 'lexical'
export interface Candidate {
  id: string
  score: number
  /** the row's read fields, when the source was asked for them (see RowsWanted) */
  row?: Record<string, unknown>
}

/**
 * The read fields (`columns`, SQL over the table) of a source's best `n` rows, fetched in the source's own statement:
 * a search then needs no second statement for the rows it scores (each statement costs the API thread a round trip).
 */
export interface RowsWanted {
  columns: string
  n: number
}
export type Table = 'achievements' | 'patents' | 'needs'

export interface RetrievalOptions {
  k: number
  efSearch: number
  /** SQL condition on alias t (built with the same Params), e.g. open needs only */
  where?: (p: Params) => string
  /** pseudo-relevance feedback for the sparse source: how many top documents, and their weight */
  prfDocs: number
  prfBeta: number
  /** sparse stage: the query's heaviest terms looked up, postings read per term, rows scored exactly */
  queryTerms: number
  postingsPerTerm: number
  rescore: number
  /** full-text stage: about how many rows it ranks */
  lexicalRows: number
  /** the sparse stage also returns the read fields of its best rows */
  rows?: RowsWanted
}

/** Runs one ANN query with index settings scoped to its own transaction. */
type AnnOptions = Pick<RetrievalOptions, 'k' | 'efSearch' | 'where'>

async function annQuery(db: Db, table: Table, column: 'embedding', literal: string, cast: string, o: AnnOptions, extraSelect = '') {
  const p = new Params()
  const q = p.p(literal)
  const where = [`t.${column} IS NOT NULL`, o.where?.(p) ?? ''].filter(Boolean).join(' AND ')
  const sql = `SELECT t.id, (t.${column} <=> ${q}::${cast})::float8 AS d${extraSelect} FROM ${table} t WHERE ${where}
               ORDER BY t.${column} <=> ${q}::${cast} LIMIT ${p.p(o.k)}`
  return db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`, [String(o.efSearch)])
    const r = await tx.query<{ id: string; d: number; sparse?: unknown }>(sql, p.values)
    // relaxed_order may return a few rows slightly out of order: sort by distance, then id, for a stable ranking
    return r.rows.sort((a, b) => a.d - b.d || (a.id < b.id ? -1 : 1))
  })
}

export async function denseCandidates(db: Db, table: Table, embedding: number[], o: AnnOptions): Promise<Candidate[]> {
  const rows = await annQuery(db, table, 'embedding', toVectorLiteral(embedding), 'vector', o)
  return rows.map((r) => ({ id: r.id, score: 1 - r.d }))
}

/** The query's heaviest terms (the ones looked up in the inverted index). */
export function topTerms(q: SparseVector, n: number, among?: Set<number>): { terms: number[]; weights: number[] } {
  const order = q.indices.map((_, k) => k).filter((k) => !among || among.has(q.indices[k]!)).sort((a, b) => q.values[b]! - q.values[a]! || q.indices[a]! - q.indices[b]!).slice(0, n)
  return { terms: order.map((k) => q.indices[k]!), weights: order.map((k) => q.values[k]!) }
}

/**
 * Sparse cosine, index-driven: the heaviest `postingsPerTerm` postings of each of the query's `queryTerms` heaviest
 * terms give a partial score; the best `rescore` rows by it are scored exactly (full vectors), best first.
 */
type SparseRow = { id: string; d: number; sparse?: unknown; row?: Record<string, unknown> }

async function sparseQuery(db: Db, table: Table, q: SparseVector, words: Set<number>, o: RetrievalOptions, k: number, withVectors = false, rows?: RowsWanted): Promise<SparseRow[]> {
  const p = new Params()
  const { terms, weights } = topTerms(q, o.queryTerms, words)
  const v = p.p(toSparseLiteral(q))
  const where = ['t.sparse IS NOT NULL', o.where?.(p) ?? ''].filter(Boolean).join(' AND ')
  const ranked = `SELECT t.id, (t.sparse <=> ${v}::sparsevec)::float8 AS d${withVectors ? ', t.sparse' : ''}
       FROM (SELECT x.id FROM unnest(${p.p(terms)}::int[], ${p.p(weights)}::float8[]) q(term, w)
               CROSS JOIN LATERAL (SELECT id, w FROM ${table}_postings WHERE term = q.term ORDER BY w DESC LIMIT ${p.p(o.postingsPerTerm)}) x
              GROUP BY x.id ORDER BY sum(q.w * x.w) DESC, x.id LIMIT ${p.p(o.rescore)}) c
       JOIN ${table} t ON t.id = c.id
      WHERE ${where}
      ORDER BY d, t.id LIMIT ${p.p(k)}`
  // prepared: planning this statement took about as long as running it
  if (!rows) return (await db.query<SparseRow>(ranked, p.values, { prepare: true })).rows
  // the best n rows' read fields come along (unqualified columns resolve to r's table); the others' are null
  const r = await db.query<{ candidate_id: string; candidate_d: number; id: string | null }>(
    `SELECT s.id AS candidate_id, s.d AS candidate_d, r.*
       FROM (SELECT b.*, row_number() OVER (ORDER BY b.d, b.id) AS n FROM (${ranked}) b) s
       LEFT JOIN LATERAL (SELECT ${rows.columns} FROM ${table} WHERE id = s.id AND s.n <= ${p.p(rows.n)}) r ON true
      ORDER BY s.d, s.id`,
    p.values,
    { prepare: true },
  )
  return r.rows.map(({ candidate_id, candidate_d, ...row }) => ({ id: candidate_id, d: candidate_d, row: row.id === null ? undefined : row }))
}

/**
 * Documents hold term frequencies; the query gets idf^2 (idf of the expanded query's terms, from `idfOf`).
 * Feedback expands the query in term-frequency space with its nearest documents, then weights it.
 */
export async function sparseCandidates(
  db: Db, table: Table, query: SparseVector, o: RetrievalOptions,
  idfOf: (indices: number[]) => Promise<(index: number) => number>,
): Promise<Candidate[]> {
  if (!query.indices.length) return []
  let q = weightQuery(query, await idfOf(query.indices))
  // only words are posted: look up the query's words (and, after feedback, the feedback documents' posted words)
  const words = new Set(query.posted ?? query.indices)
  if (o.prfDocs > 0) {
    const first = await sparseQuery(db, table, q, words, o, o.prfDocs, true)
    if (first.length) {
      const expanded = expandQuery(query, first.map((r) => parseSparse(r.sparse)), o.prfBeta)
      q = weightQuery(expanded, await idfOf(expanded.indices))
      const posted = await db.query<{ term: number }>(`SELECT DISTINCT term FROM ${table}_postings WHERE id = ANY($1::uuid[])`, [first.map((r) => r.id)])
      for (const r of posted.rows) words.add(r.term)
    }
  }
  const rows = await sparseQuery(db, table, q, words, o, o.k, false, o.rows)
  return rows.map((r) => ({ id: r.id, score: 1 - r.d, ...(r.row && { row: r.row }) }))
}

/**
 * Which query words select the rows the full-text stage ranks: the rarest first (document frequency from `dfOf`),
 * as many as keep the expected number of rows within `budget`; a query of only common words selects with its two
 * rarest words together.
 */
export function selectiveTerms(terms: string[], dfOf: (term: string) => number, budget: number): { any: string[]; all: string[] } {
  const byDf = [...new Set(terms)].map((t) => ({ t, df: dfOf(t) })).sort((a, b) => a.df - b.df || (a.t < b.t ? -1 : 1))
  const any: string[] = []
  let rows = 0
  for (const x of byDf) {
    if (rows + x.df > budget && any.length) break
    any.push(x.t)
    rows += x.df
  }
  if (any.length === 1 && rows > budget && byDf.length > 1) return { any: [], all: byDf.slice(0, 2).map((x) => x.t) }
  return { any, all: [] }
}

/**
 * The rows the full-text stage ranks: those holding the selective words, at most `lexicalRows` (`rows`). When no word
 * is selective and even the two rarest together are expected in more rows than that (as if independent, out of `docs`),
 * GIN would give those rows in no useful order: the stage could only rank an arbitrary sample, so it does not run
 * (`rows` 0) and the sparse stage, which reads each word's heaviest postings, proposes alone. On the 100k benchmark
 * catalogue (all words common) the top 10's mean score moves by 0.2-0.4% against a 600-row sample, at 1.4 times the
 * searches a second; the evaluation sets never reach this case (README).
 */
export function lexicalSelection(words: string[], dfOf: (term: string) => number, o: Pick<RetrievalOptions, 'lexicalRows'>, docs: number) {
  const sel = selectiveTerms(words, dfOf, o.lexicalRows)
  const expected = sel.all.length ? sel.all.reduce((n, w) => n * (dfOf(w) / Math.max(docs, 1)), Math.max(docs, 1)) : sel.any.reduce((n, w) => n + dfOf(w), 0)
  return { ...sel, rows: docs > 0 && expected > o.lexicalRows ? 0 : o.lexicalRows }
}

/** A tsquery of plain words (quoted, so no word is read as an operator). */
const tsWords = (words: string[], op: ' | ' | ' & ') => words.map((w) => `'${w.replace(/['\\]/g, '')}'`).join(op)

/**
 * Full text: rows holding the query's most selective words (GIN), at most `lexicalRows` of them (see lexicalSelection),
 * ranked by ts_rank_cd against all the query's words.
 */
export async function lexicalCandidates(db: Db, table: Table, terms: string[], o: RetrievalOptions, dfOf: (term: string) => number, docs: number): Promise<Candidate[]> {
  const words = terms.map((t) => t.replace(/['\\:&|!()<>*]/g, '').trim()).filter(Boolean)
  if (!words.length) return []
  const sel = lexicalSelection(words, dfOf, o, docs)
  if (!sel.rows) return []
  const p = new Params()
  const rankQ = `to_tsquery('simple', ${p.p(tsWords(words, ' | '))})`
  const selQ = `to_tsquery('simple', ${p.p(sel.all.length ? tsWords(sel.all, ' & ') : tsWords(sel.any, ' | '))})`
  const where = [`t.tokens @@ ${selQ}`, o.where?.(p) ?? ''].filter(Boolean).join(' AND ')
  const r = await db.query<{ id: string; score: number }>(
    `SELECT s.id, ts_rank_cd(s.tokens, ${rankQ})::float8 AS score
       FROM (SELECT t.id, t.tokens FROM ${table} t WHERE ${where} LIMIT ${p.p(sel.rows)}) s
      ORDER BY score DESC, s.id LIMIT ${p.p(o.k)}`,
    p.values,
  )
  return r.rows
}

/** Reciprocal rank fusion: sum over sources of weight / (k + rank). Ties break by id. */
export function reciprocalRankFusion(lists: Partial<Record<Source, Candidate[]>>, weights: Record<Source, number>, k = 60) {
  const fused = new Map<string, { id: string; rrf: number; ranks: Partial<Record<Source, number>>; scores: Partial<Record<Source, number>>; row?: Record<string, unknown> }>()
  for (const [source, list] of Object.entries(lists) as [Source, Candidate[]][]) {
    const w = weights[source] ?? 1
    list.forEach((c, i) => {
      const e = fused.get(c.id) ?? { id: c.id, rrf: 0, ranks: {}, scores: {} }
      e.rrf += w / (k + i + 1)
      e.ranks[source] = i + 1
      e.scores[source] = Math.round(c.score * 1e4) / 1e4
      if (c.row) e.row = c.row
      fused.set(c.id, e)
    })
  }
  return [...fused.values()].sort((a, b) => b.rrf - a.rrf || (a.id < b.id ? -1 : 1))
}

/**
 * Exact scores of candidates, whichever source found them: sparse cosine against the weighted query (no feedback), and
 * dense cosine against the query embedding. Unlike ranks, these are absolute: comparable across queries, so they can be
 * calibrated into a strength (matching/calibrate.ts).
 */
export async function exactScores(
  db: Db, table: Table, ids: string[], q: { sparse?: SparseVector; embedding?: number[] },
): Promise<Map<string, { sparse: number | null; dense: number | null }>> {
  if (!ids.length) return new Map()
  const p = new Params()
  const s = q.sparse?.indices.length ? `(1 - (t.sparse <=> ${p.p(toSparseLiteral(q.sparse))}::sparsevec))::float8` : 'NULL::float8'
  const d = q.embedding?.length ? `(1 - (t.embedding <=> ${p.p(toVectorLiteral(q.embedding))}::vector))::float8` : 'NULL::float8'
  const r = await db.query<{ id: string; s: number | null; d: number | null }>(
    `SELECT t.id, CASE WHEN t.sparse IS NULL THEN NULL ELSE ${s} END AS s, CASE WHEN t.embedding IS NULL THEN NULL ELSE ${d} END AS d
       FROM ${table} t WHERE t.id = ANY(${p.p(ids)}::uuid[])`,
    p.values,
  )
  return new Map(r.rows.map((x) => [x.id, { sparse: x.s === null ? null : Number(x.s), dense: x.d === null ? null : Number(x.d) }]))
}

/**
 * The relevance of a candidate in [0, 1]: the source-weighted mean of its exact scores (sources without an exact score,
 * like full text, only propose candidates). NaN-free: a missing score counts as 0.
 */
export function relevanceOf(exact: { sparse: number | null; dense: number | null } | undefined, weights: Record<Source, number>, sources: Source[]): number {
  const w = exactWeights(weights, sources)
  let sum = 0
  let total = 0
  for (const s of ['sparse', 'dense'] as const) {
    if (!w[s]) continue
    sum += w[s] * Math.max(0, exact?.[s] ?? 0)
    total += w[s]
  }
  return total ? sum / total : 0
}

/** Weights of the exact scores in a mode: the source weights, or equal weights when the mode's sources all weigh 0 (dense mode). */
export function exactWeights(weights: Record<Source, number>, sources: Source[]): { sparse: number; dense: number } {
  const pick = (s: 'sparse' | 'dense') => (sources.includes(s) ? Math.max(0, weights[s] ?? 0) : 0)
  const w = { sparse: pick('sparse'), dense: pick('dense') }
  if (w.sparse + w.dense > 0) return w
  return { sparse: sources.includes('sparse') ? 1 : 0, dense: sources.includes('dense') ? 1 : 0 }
}

/**
 * Fused candidates with their exact relevance, best first (then by fused rank, then id). The sources only propose:
 * ordering by one absolute score keeps a need's list on one scale whichever source found a row, and lets the score be
 * calibrated. Measured on zhibei-dev: ordering by RRF of the three sources 0.7088 condensed nDCG@10 (features off),
 * by the exact sparse cosine 0.7210 (README).
 */
export async function scoreExactly<T extends { id: string; rrf: number }>(
  db: Db, table: Table, fused: T[], q: { sparse?: SparseVector; embedding?: number[] }, weights: Record<Source, number>, sources: Source[],
  /** exact sparse cosines already computed against the same weighted query (the sparse source's own): not asked again */
  knownSparse?: Map<string, number>,
): Promise<(T & { relevance: number })[]> {
  const w = exactWeights(weights, sources)
  // only when nothing else is needed of a row already scored (no dense score weighed in)
  const known = w.sparse && !w.dense && knownSparse ? knownSparse : new Map<string, number>()
  const ask = fused.filter((c) => !known.has(c.id)).map((c) => c.id)
  const exact = await exactScores(db, table, ask, { sparse: w.sparse ? q.sparse : undefined, embedding: w.dense ? q.embedding : undefined })
  for (const [id, sparse] of known) exact.set(id, { sparse, dense: null })
  return fused
    .map((c) => ({ ...c, relevance: Math.round(relevanceOf(exact.get(c.id), weights, sources) * 1e6) / 1e6 }))
    .sort((a, b) => b.relevance - a.relevance || b.rrf - a.rrf || (a.id < b.id ? -1 : 1))
}
