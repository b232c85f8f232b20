// Candidate retrieval for a run: the sources of the mode over the rows that may be candidates (and that the caller may
// see, for search), fused by reciprocal rank fusion. Filtering happens inside each source's SQL, before any rank,
// normalisation or fusion, so nothing the caller cannot see moves a score it can.
import type { Config, MatchWeights } from '../config'
import type { Db } from '../db'
import type { Params } from '../db/params'
import { createLimiter } from '../limiter'
import { weightQuery, wordIndex } from '../models/sparse'
import type { MatchQuery } from './query'
import { type Candidate, denseCandidates, type RowsWanted, lexicalCandidates, reciprocalRankFusion, type RetrievalOptions, scoreExactly, sparseCandidates, type Source, type Table } from './retrieve'
import { ELIGIBLE } from './store'
import type { TermStats } from './term-stats'

export type Mode = 'hybrid' | 'dense' | 'lexical'
export const MODE_SOURCES: Record<Mode, Source[]> = { hybrid: ['dense', 'sparse', 'lexical'], dense: ['dense'], lexical: ['sparse', 'lexical'] }

export interface Ranked {
  id: string
  rrf: number
  /** exact relevance in [0, 1] (retrieve.ts relevanceOf): absolute, so comparable across queries */
  relevance: number
  ranks: Partial<Record<Source, number>>
  scores: Partial<Record<Source, number>>
  /** the row's read fields, when the scope asked for them and the sparse stage found the row among its best */
  row?: Record<string, unknown>
}

/** An extra SQL condition on alias t (e.g. what a caller may see), built with the query's Params. */
export type Where = (p: Params) => string

/**
 * Another set of rows than the candidates matching proposes, for callers outside matching (a navigation report's lapsed
 * patents): `eligible` replaces the table's candidate condition, `k` raises the candidates each source proposes.
 */
export interface Scope {
  eligible?: string
  k?: number
  /** the read fields of the sparse stage's best rows, fetched with them (retrieve.ts RowsWanted) */
  rows?: RowsWanted
  /** rows the sparse stage scores exactly (default 300; a search asks for fewer, service.ts SEARCH_RESCORE) */
  rescore?: number
}

export function createRetriever(deps: { db: Db; config: Config; weights: MatchWeights; termStats: TermStats }) {
  const { db, config, weights, termStats } = deps
  const opts = (table: Table, extra?: Where, over: Scope = {}): RetrievalOptions => ({
    k: Math.max(config.MATCH_CANDIDATES, over.k ?? 0),
    efSearch: Math.max(config.HNSW_EF_SEARCH, config.MATCH_CANDIDATES, over.k ?? 0),
    where: (p) => [over.eligible ?? ELIGIBLE[table], extra?.(p)].filter(Boolean).join(' AND '),
    prfDocs: weights.prf > 0 ? 10 : 0,
    prfBeta: weights.prf,
    // bounded work per query (see retrieve.ts); chosen on the patents dev split and the 100k benchmark (README)
    queryTerms: 64,
    postingsPerTerm: 300,
    rescore: over.rescore ?? 300,
    lexicalRows: 600,
    rows: over.rows,
  })

  // the embedded database runs one statement at a time: two retrievals keep its queue short; PostgreSQL runs them side by
  // side, and with two in flight searches queued behind each other while match lists passed (README, load benchmark)
  const limit = createLimiter(config.RETRIEVAL_CONCURRENCY ?? (db.engine === 'pg' ? 8 : 2))

  /** Candidates from each source of the mode, fused; only rows that may be candidates (and pass `extra`). */
  function rank(table: Table, q: MatchQuery, mode: Mode, extra?: Where, over?: Scope): Promise<Ranked[]> {
    return limit(() => rankNow(table, q, mode, extra, over))
  }

  async function rankNow(table: Table, q: MatchQuery, mode: Mode, extra?: Where, over?: Scope): Promise<Ranked[]> {
    // no indexable word (e.g. "!!! ???"): nothing to match, rather than a zero vector's NaN distances in SQL
    if (!q.terms.length && !q.sparse.indices.length) return []
    const o = opts(table, extra, over)
    // a source the fusion gives no weight only proposes candidates (hybrid with dense off by default): skip its query,
    // unless it is the mode's only source (zhibei-dev condensed nDCG@10 0.7359 with the dense proposals, 0.7339 without)
    const sources = MODE_SOURCES[mode].length > 1 ? MODE_SOURCES[mode].filter((s) => (weights[s] ?? 1) > 0) : MODE_SOURCES[mode]
    // the sources are independent: on PostgreSQL they run at once on separate connections
    const none = Promise.resolve(undefined)
    const [dense, sparse, lexical] = await Promise.all([
      sources.includes('dense') ? denseCandidates(db, table, q.embedding, o) : none,
      sources.includes('sparse') ? sparseCandidates(db, table, q.sparse, o, async (ix) => (await termStats.idfFor(table, ix)).idf) : none,
      sources.includes('lexical')
        ? termStats.idfFor(table, q.terms.map(wordIndex)).then((stats) => lexicalCandidates(db, table, q.terms, o, (t) => stats.df(wordIndex(t)), stats.docs))
        : none,
    ])
    const lists: Partial<Record<Source, Candidate[]>> = {}
    if (dense) lists.dense = dense
    if (sparse) lists.sparse = sparse
    if (lexical) lists.lexical = lexical
    // the sources propose candidates; each is then scored exactly and ordered by it (retrieve.ts scoreExactly)
    const fused = reciprocalRankFusion(lists, weights, config.MATCH_RRF_K)
    const idf = sources.includes('sparse') ? (await termStats.idfFor(table, q.sparse.indices)).idf : undefined
    // without feedback the sparse source scored its rows against this very query: those scores are reused
    const known = sparse && !o.prfDocs ? new Map(sparse.map((c) => [c.id, c.score])) : undefined
    return scoreExactly(db, table, fused, { sparse: idf && weightQuery(q.sparse, idf), embedding: q.embedding }, weights, sources, known)
  }

  return { rank }
}

export type Retriever = ReturnType<typeof createRetriever>
