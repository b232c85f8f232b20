// The need scope of a report: the patents most relevant to a need, by the matching pipeline's retrieval and ranking.
// The one place the navigation area calls matching (which is being restructured): keep it that way.
//
// Matching only proposes patents that may still be licensed (lapsed ones are never candidates), but a landscape of a
// need must show the lapsed patents too: the legal-status section counts them and they are free to use. So the lapsed
// patents get a second retrieval here, by the same sources restricted to `legal_status = 'invalid'`, scored by the same
// exact relevance (sparse and dense cosines weighted as matching weighs them) and put on the same scale.
import type { CatalogRow } from '../catalog/kinds'
import type { Db } from '../db'
import type { Params } from '../db/params'
import { weightQuery } from '../models/sparse'
import { MODE_SOURCES } from '../matching/candidates'
import type { MatchQuery } from '../matching/query'
import { denseCandidates, lexicalCandidates, reciprocalRankFusion, scoreExactly, type Source, sparseCandidates } from '../matching/retrieve'
import type { MatchingService } from '../matching/service'
import { wordIndex } from '../models/sparse'

export interface NeedScopeOptions {
  minRelevance: number
  limit: number
  /** matching's source weights (config MATCH_WEIGHTS over the defaults): the exact relevance of a lapsed patent uses them */
  weights: Record<Source, number>
  /** what the ordering caller may see, on alias t */
  visible?: (p: Params) => string
  /** candidates each source proposes (config MATCH_CANDIDATES) */
  candidates?: number
  efSearch?: number
}

/**
 * Patent id -> relevance in [0, 1] (the need's best patent = 1), at least `minRelevance`, at most `limit` patents,
 * lapsed patents included.
 */
export async function patentsForNeed(db: Db, matching: MatchingService, need: CatalogRow<'need'>, o: NeedScopeOptions): Promise<Map<string, number>> {
  const title = String(need.title)
  const text = `${title}\n${String(need.description ?? '')}`
  const q = await matching.queryFromText(text, title)
  const side = { text, indicators: [], need: { industry: (need.industry as string | null) ?? null, region: (need.region as string | null) ?? null } }
  const { scored: ranked } = await matching.rankItems(q, side, ['patent'], 'hybrid', o.limit)
  // Matching's relevance is absolute (a cosine, comparable across needs); the scope's threshold is relative to the
  // best patent for this need, as documented, so a need phrased differently from the patents still gets its landscape.
  const rels = ranked.map((r) => ({ id: r.id, rel: Number((r.components as { relevance?: number }).relevance ?? 0) }))
  rels.push(...(await lapsedForNeed(db, matching, q, o)))
  rels.sort((a, b) => b.rel - a.rel || (a.id < b.id ? -1 : 1))
  const best = Math.max(0, ...rels.map((r) => r.rel))
  const out = new Map<string, number>()
  if (best <= 0) return out
  for (const r of rels) {
    const rel = r.rel / best
    if (rel < o.minRelevance || out.size >= o.limit) break
    if (!out.has(r.id)) out.set(r.id, Math.round(rel * 1e4) / 1e4)
  }
  return out
}

/** Lapsed patents for the need's query: dense, sparse and full-text candidates among them, by exact relevance. */
export async function lapsedForNeed(db: Db, matching: MatchingService, q: MatchQuery, o: NeedScopeOptions): Promise<{ id: string; rel: number }[]> {
  if (!q.terms.length && !q.sparse.indices.length) return []
  const k = Math.max(o.candidates ?? 100, o.limit)
  const opts = {
    k, efSearch: Math.max(o.efSearch ?? 200, k),
    where: (p: Params) => [`t.legal_status = 'invalid'`, o.visible?.(p)].filter(Boolean).join(' AND '),
    prfDocs: 0, prfBeta: 0, queryTerms: 64, postingsPerTerm: 300, rescore: 300, lexicalRows: 600,
  }
  const sources = MODE_SOURCES.hybrid
  const idf = (await matching.termStats.idfFor('patents', q.sparse.indices)).idf
  const [dense, sparse, lexical] = await Promise.all([
    q.embedding.length ? denseCandidates(db, 'patents', q.embedding, opts) : [],
    sparseCandidates(db, 'patents', q.sparse, opts, async (ix) => (await matching.termStats.idfFor('patents', ix)).idf),
    matching.termStats.idfFor('patents', q.terms.map(wordIndex)).then((s) => lexicalCandidates(db, 'patents', q.terms, opts, (t) => s.df(wordIndex(t)))),
  ])
  const fused = reciprocalRankFusion({ dense, sparse, lexical }, o.weights)
  const scored = await scoreExactly(db, 'patents', fused, { sparse: weightQuery(q.sparse, idf), embedding: q.embedding }, o.weights, sources)
  return scored.slice(0, o.limit).map((c) => ({ id: c.id, rel: c.relevance }))
}
