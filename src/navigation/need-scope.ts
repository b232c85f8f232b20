// The need scope of a report: the patents most relevant to a need, by the matching pipeline's retrieval and ranking.
// The one place the navigation area calls matching (which is being restructured): keep it that way.
//
// Matching only proposes patents that may still be licensed (lapsed ones are never candidates), but a landscape of a
// need must show the lapsed patents too: the legal-status section counts them and they are free to use. So the lapsed
// patents get a second retrieval here: matching's own (same sources, weights and concurrency limit) over lapsed patents,
// scored by the same exact relevance and put on the same scale.
import type { CatalogRow } from '../catalog/kinds'
import type { Params } from '../db/params'
import type { MatchQuery } from '../matching/query'
import type { MatchingService } from '../matching/service'

export interface NeedScopeOptions {
  minRelevance: number
  limit: number
  /** what the ordering caller may see, on alias t */
  visible?: (p: Params) => string
}

/**
 * Patent id -> relevance in [0, 1] (the need's best patent = 1), at least `minRelevance`, at most `limit` patents,
 * lapsed patents included.
 */
export async function patentsForNeed(matching: MatchingService, need: CatalogRow<'need'>, o: NeedScopeOptions): Promise<Map<string, number>> {
  const title = String(need.title)
  const text = `${title}\n${String(need.description ?? '')}`
  const q = await matching.queryFromText(text, title)
  const side = { text, indicators: [], need: { industry: (need.industry as string | null) ?? null, region: (need.region as string | null) ?? null } }
  const { scored: ranked } = await matching.rankItems(q, side, ['patent'], 'hybrid', o.limit)
  // Matching's relevance is absolute (a cosine, comparable across needs); the scope's threshold is relative to the
  // best patent for this need, as documented, so a need phrased differently from the patents still gets its landscape.
  const rels = ranked.map((r) => ({ id: r.id, rel: Number((r.components as { relevance?: number }).relevance ?? 0) }))
  rels.push(...(await lapsedForNeed(matching, q, o)))
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

/** Lapsed patents for the need's query: matching's retrieval and exact relevance, over lapsed patents instead. */
export async function lapsedForNeed(matching: MatchingService, q: MatchQuery, o: NeedScopeOptions): Promise<{ id: string; rel: number }[]> {
  const ranked = await matching.rank('patents', q, 'hybrid', o.visible, { eligible: `t.legal_status = 'invalid'`, k: o.limit })
  return ranked.slice(0, o.limit).map((c) => ({ id: c.id, rel: c.relevance }))
}
