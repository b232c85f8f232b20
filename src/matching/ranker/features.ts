// The learned re-ranker's inputs: the pipeline's own signals for one (need, item) candidate, as a fixed-order vector.
// Unknown metadata features are 0 (neutral), like in the hand-set ranking. The same function reads a candidate being
// scored (score.ts RankerInput) and a stored match that a manager reviewed (its components and explanation).

export interface RankerSignals {
  relevance: number
  sources?: Partial<Record<'dense' | 'sparse' | 'lexical', number>>
  source_scores?: Partial<Record<'dense' | 'sparse' | 'lexical', number>>
  features?: Partial<Record<string, number | null>>
  shared_terms: number
  indicators?: { met: number; missed: number }
  /** earlier rejections of this item on this platform, by reason code (reason-code history) */
  rejections?: Partial<Record<string, number>>
}

export const RANKER_FEATURES = [
  'ln_relevance', 'sparse_rank', 'lexical_rank', 'dense_score', 'shared_terms', 'indicators_met', 'indicators_missed',
  'field', 'ipc', 'maturity', 'legal', 'mode', 'budget', 'region', 'rejected_topic', 'rejected_other',
] as const

const centred = (v: number | null | undefined) => (v === null || v === undefined ? 0 : (v - 0.5) * 2)
const inv = (rank: number | undefined) => (rank ? 1 / Math.log2(rank + 1) : 0)

export function rankerFeatures(x: RankerSignals): number[] {
  const f = x.features ?? {}
  const rej = x.rejections ?? {}
  const topic = rej['技术方向不符'] ?? 0
  const other = Object.values(rej).reduce((s: number, n) => s + (n ?? 0), 0) - topic
  return [
    Math.log(Math.max(x.relevance, 1e-4)),
    inv(x.sources?.sparse),
    inv(x.sources?.lexical),
    x.source_scores?.dense ?? 0,
    Math.min(8, x.shared_terms) / 8,
    Math.min(3, x.indicators?.met ?? 0),
    Math.min(3, x.indicators?.missed ?? 0),
    centred(f.field), centred(f.ipc), centred(f.maturity), centred(f.legal), centred(f.mode), centred(f.budget), centred(f.region),
    Math.log1p(topic), Math.log1p(other),
  ]
}
