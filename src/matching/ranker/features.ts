// The learned re-ranker's inputs: the pipeline's own signals for one (need, item) candidate, as a fixed-order vector.
// Unknown metadata features are 0 (neutral), like in the hand-set ranking.

export interface RankedCandidate {
  score: number
  components: {
    relevance?: number
    sources?: Partial<Record<'dense' | 'sparse' | 'lexical', number>>
    source_scores?: Partial<Record<'dense' | 'sparse' | 'lexical', number>>
    features?: Partial<Record<string, number | null>>
    /** earlier rejections of this item on this platform, by reason code (reason-code history) */
    rejections?: Partial<Record<string, number>>
  }
  explanation?: { shared_terms?: string[] }
}

export const RANKER_FEATURES = [
  'ln_relevance', 'ln_rank', 'sparse_rank', 'lexical_rank', 'dense_score', 'shared_terms',
  'field', 'ipc', 'maturity', 'legal', 'mode', 'budget', 'region', 'rejected_topic', 'rejected_other',
] as const

const centred = (v: number | null | undefined) => (v === null || v === undefined ? 0 : (v - 0.5) * 2)
const inv = (rank: number | undefined) => (rank ? 1 / Math.log2(rank + 1) : 0)

/** `rank`: 1-based position in the hand-set ranking of this need. */
export function rankerFeatures(c: RankedCandidate, rank: number): number[] {
  const f = c.components.features ?? {}
  const rej = c.components.rejections ?? {}
  const topic = rej['技术方向不符'] ?? 0
  const other = Object.values(rej).reduce((s: number, n) => s + (n ?? 0), 0) - topic
  return [
    Math.log(Math.max(c.components.relevance ?? c.score, 1e-4)),
    Math.log(rank),
    inv(c.components.sources?.sparse),
    inv(c.components.sources?.lexical),
    c.components.source_scores?.dense ?? 0,
    Math.min(8, c.explanation?.shared_terms?.length ?? 0) / 8,
    centred(f.field), centred(f.ipc), centred(f.maturity), centred(f.legal), centred(f.mode), centred(f.budget), centred(f.region),
    Math.log1p(topic), Math.log1p(other),
  ]
}
