// The need scope of a report: the patents most relevant to a need, by the matching pipeline's retrieval and ranking.
// The one place the navigation area calls matching (which is being restructured): keep it that way.
import type { CatalogRow } from '../catalog/kinds'
import type { MatchingService } from '../matching/service'

/** Patent id -> relevance in [0, 1] (the best candidate = 1), at least `minRelevance`, at most `limit` patents. */
export async function patentsForNeed(matching: MatchingService, need: CatalogRow<'need'>, o: { minRelevance: number; limit: number }): Promise<Map<string, number>> {
  const title = String(need.title)
  const q = await matching.queryFromText(`${title}\n${String(need.description ?? '')}`, title)
  const side = { text: `${title}\n${String(need.description ?? '')}`, indicators: [], need: { industry: (need.industry as string | null) ?? null, region: (need.region as string | null) ?? null } }
  const { scored: ranked } = await matching.rankItems(q, side, ['patent'], 'hybrid', o.limit)
  // Matching's relevance is absolute (a cosine, comparable across needs); the scope's threshold is relative to the
  // best patent for this need, as documented, so a need phrased differently from the patents still gets its landscape.
  const rels = ranked.map((r) => ({ id: r.id, rel: Number((r.components as { relevance?: number }).relevance ?? 0) }))
  const best = Math.max(0, ...rels.map((r) => r.rel))
  const out = new Map<string, number>()
  if (best <= 0) return out
  for (const r of rels) {
    const rel = r.rel / best
    if (rel >= o.minRelevance) out.set(r.id, Math.round(rel * 1e4) / 1e4)
  }
  return out
}
