// Candidate retrieval: three sources, each over-fetched, each a function of its own.
//   dense   - ANN on the HNSW cosine index of the embedding (ef_search set per query; iterative scans so filters never starve it)
//   sparse  - exact cosine of sparse tf-idf vectors over the rows the full-text index finds for the query's words,
//             with pseudo-relevance feedback (Rocchio)
//   lexical - full text over the jieba-token tsvector, ranked by ts_rank_cd
import type { Db } from '../db'
import { toVectorLiteral } from '../db'
import { Params } from '../db/params'
import { expandQuery, parseSparse, type SparseVector, toSparseLiteral, weightQuery } from '../models/sparse'

export type Source = 'dense' | 'sparse' | 'lexical'
export interface Candidate {
  id: string
  score: number
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
  /** keywords taken from each feedback document into the candidate filter */
  prfTerms?: number
}

/** Runs one ANN query with index settings scoped to its own transaction. */
async function annQuery(db: Db, table: Table, column: 'embedding', literal: string, cast: string, o: RetrievalOptions, extraSelect = '') {
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

export async function denseCandidates(db: Db, table: Table, embedding: number[], o: RetrievalOptions): Promise<Candidate[]> {
  const rows = await annQuery(db, table, 'embedding', toVectorLiteral(embedding), 'vector', o)
  return rows.map((r) => ({ id: r.id, score: 1 - r.d }))
}

/** Exact sparse cosine over the rows sharing a word with the query (found by the GIN index), best first. */
async function sparseQuery(db: Db, table: Table, q: SparseVector, terms: string[], o: RetrievalOptions, k: number, withVectors = false) {
  const p = new Params()
  const v = p.p(toSparseLiteral(q))
  const where = ['t.sparse IS NOT NULL', `t.tokens @@ websearch_to_tsquery('simple', ${p.p(terms.join(' or '))})`, o.where?.(p) ?? ''].filter(Boolean).join(' AND ')
  const r = await db.query<{ id: string; d: number; sparse?: unknown; terms?: { term: string }[] }>(
    `SELECT t.id, (t.sparse <=> ${v}::sparsevec)::float8 AS d${withVectors ? ', t.sparse, t.terms' : ''} FROM ${table} t WHERE ${where}
      ORDER BY d, t.id LIMIT ${p.p(k)}`,
    p.values,
  )
  return r.rows
}

/**
 * Documents hold term frequencies; the query gets idf^2 (idf of the expanded query's terms, from `idfOf`).
 * Feedback expands the query in term-frequency space with its nearest documents, then weights it.
 */
export async function sparseCandidates(
  db: Db, table: Table, query: SparseVector, terms: string[], o: RetrievalOptions,
  idfOf: (indices: number[]) => Promise<(index: number) => number>,
): Promise<Candidate[]> {
  if (!query.indices.length || !terms.length) return []
  let q = weightQuery(query, await idfOf(query.indices))
  if (o.prfDocs > 0) {
    const first = await sparseQuery(db, table, q, terms, o, o.prfDocs, true)
    if (first.length) {
      const expanded = expandQuery(query, first.map((r) => parseSparse(r.sparse)), o.prfBeta)
      q = weightQuery(expanded, await idfOf(expanded.indices))
      // the feedback documents' keywords also widen which rows are scored
      terms = [...new Set([...terms, ...first.flatMap((r) => (r.terms ?? []).slice(0, o.prfTerms).map((t) => t.term))])]
    }
  }
  const rows = await sparseQuery(db, table, q, terms, o, o.k)
  return rows.map((r) => ({ id: r.id, score: 1 - r.d }))
}

export async function lexicalCandidates(db: Db, table: Table, terms: string[], o: RetrievalOptions): Promise<Candidate[]> {
  if (!terms.length) return []
  const p = new Params()
  const tq = `websearch_to_tsquery('simple', ${p.p(terms.join(' or '))})`
  const where = [`t.tokens @@ ${tq}`, o.where?.(p) ?? ''].filter(Boolean).join(' AND ')
  const r = await db.query<{ id: string; score: number }>(
    `SELECT t.id, ts_rank_cd(t.tokens, ${tq})::float8 AS score FROM ${table} t WHERE ${where}
      ORDER BY score DESC, t.id LIMIT ${p.p(o.k)}`,
    p.values,
  )
  return r.rows
}

/** Reciprocal rank fusion: sum over sources of weight / (k + rank). Ties break by id. */
export function reciprocalRankFusion(lists: Partial<Record<Source, Candidate[]>>, weights: Record<Source, number>, k = 60) {
  const fused = new Map<string, { id: string; rrf: number; ranks: Partial<Record<Source, number>>; scores: Partial<Record<Source, number>> }>()
  for (const [source, list] of Object.entries(lists) as [Source, Candidate[]][]) {
    const w = weights[source] ?? 1
    list.forEach((c, i) => {
      const e = fused.get(c.id) ?? { id: c.id, rrf: 0, ranks: {}, scores: {} }
      e.rrf += w / (k + i + 1)
      e.ranks[source] = i + 1
      e.scores[source] = Math.round(c.score * 1e4) / 1e4
      fused.set(c.id, e)
    })
  }
  return [...fused.values()].sort((a, b) => b.rrf - a.rrf || (a.id < b.id ? -1 : 1))
}
