// Offline fits over judged pairs, as if the judges' labels were reviews: the calibrated strength and the learned
// re-ranker (cross-validated by need).
import { type Calibration, calibrate, calibrationInput, DEFAULT_CALIBRATION } from '../matching/calibrate'
import { meanMetrics, queryMetrics } from '../matching/metrics'
import { signalsOfMatch } from '../matching/ranker/features'
import { type Example, fitReranker, scoreLearned } from '../matching/ranker/fit'
import { type PastReview, reviewHistory } from '../matching/ranker/history'
import { fitLogistic } from '../matching/ranker/logistic'
import type { ScoredMatch } from '../matching/score'

export interface JudgedList {
  qid: string
  rel: Map<string, number>
  /** the pipeline's ranking (best first), document ids mapped back to the dataset's */
  ranked: (Pick<ScoredMatch, 'score' | 'components' | 'explanation'> & { doc: string; item?: { field: string | null; maturity: string | null } })[]
}

/** Judged pairs among the ranked candidates (label, score). */
function judgedPairs(lists: JudgedList[]) {
  const out: { qid: string; label: number; score: number }[] = []
  for (const l of lists) for (const c of l.ranked) if (l.rel.has(c.doc)) out.push({ qid: l.qid, label: l.rel.get(c.doc)!, score: c.score })
  return out
}

/** Mean strength per label and the share of label-0 pairs at or above the floor. */
export function calibrationReport(lists: JudgedList[], floor: number, cal: Calibration = DEFAULT_CALIBRATION) {
  const pairs = judgedPairs(lists)
  const byLabel: Record<string, { n: number; mean: number }> = {}
  for (const g of [0, 1, 2, 3]) {
    const s = pairs.filter((p) => p.label === g).map((p) => calibrate(p.score, undefined, undefined, cal))
    byLabel[g] = { n: s.length, mean: Math.round((s.reduce((a, b) => a + b, 0) / (s.length || 1)) * 1e4) / 1e4 }
  }
  const zero = pairs.filter((p) => p.label === 0)
  const rel = pairs.filter((p) => p.label >= 1)
  const share = (xs: typeof pairs) => Math.round((xs.filter((p) => calibrate(p.score, undefined, undefined, cal) >= floor).length / (xs.length || 1)) * 1e4) / 1e4
  return { pairs: pairs.length, floor, mean_strength_by_label: byLabel, label0_above_floor: share(zero), relevant_above_floor: share(rel), label2plus_above_floor: share(pairs.filter((p) => p.label >= 2)) }
}

/** Fits the strength curve: P(label >= 1 | ln score), each need weighted equally. */
export function fitCalibration(lists: JudgedList[]): Calibration {
  const pairs = judgedPairs(lists)
  const perNeed = new Map<string, number>()
  for (const p of pairs) perNeed.set(p.qid, (perNeed.get(p.qid) ?? 0) + 1)
  const model = fitLogistic(pairs.map((p) => calibrationInput(p.score)), pairs.map((p) => (p.label >= 1 ? 1 : 0)), ['ln_score'], {
    l2: 0.1, sampleWeight: pairs.map((p) => pairs.length / perNeed.size / perNeed.get(p.qid)!),
  })
  // fold the standardisation into the weights so the committed curve reads as strength = sigmoid(bias + w x ln score)
  const w = model.weights[0]! / model.scale[0]!
  const b = model.bias - w * model.mean[0]!
  return { ...DEFAULT_CALIBRATION, model: { names: ['ln_score'], mean: [0], scale: [1], weights: [Math.round(w * 1e4) / 1e4], bias: Math.round(b * 1e4) / 1e4 } }
}

/** Deterministic fold of a need id (FNV-1a), so folds never depend on file order. */
const foldOf = (id: string, k: number) => {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return (h >>> 0) % k
}

/** A judged label as a review: label >= `positive` confirmed, else rejected as off-topic (the judges' label 0: unrelated). */
const asReview = (l: JudgedList, c: JudgedList['ranked'][number], positive: number): PastReview => ({
  need: l.qid, item: c.doc, field: c.item?.field ?? null, maturity: c.item?.maturity ?? null, rejected: l.rel.get(c.doc)! >= positive ? null : '技术方向不符',
})

/**
 * k-fold by need, as if the judged pairs were reviews: fit the re-ranker (ranker/fit.ts, the fit job's code) on the
 * judged pairs of the other folds' needs, with reason-code history from those needs only, re-rank this fold's
 * candidates by it, and score both orders on the held-out needs only.
 */
export function learnFolds(lists: JudgedList[], k: number, opts: { positive?: number; sets?: readonly (readonly string[])[] } = {}) {
  const positive = opts.positive ?? 1
  const base: ReturnType<typeof queryMetrics>[] = []
  const learned: ReturnType<typeof queryMetrics>[] = []
  const folds: { fold: number; needs: number; base: number; learned: number; features: string[]; l2: number }[] = []
  for (let f = 0; f < k; f++) {
    const train = lists.filter((l) => foldOf(l.qid, k) !== f)
    const test = lists.filter((l) => foldOf(l.qid, k) === f)
    if (!test.length) continue
    const history = reviewHistory(train.flatMap((l) => l.ranked.filter((c) => l.rel.has(c.doc)).map((c) => asReview(l, c, positive))))
    const signals = (l: JudgedList, c: JudgedList['ranked'][number]) => ({
      ...signalsOfMatch(c.components, c.explanation, c.item), history: history.of(l.qid, { id: c.doc, field: c.item?.field, maturity: c.item?.maturity }),
    })
    const examples: Example[] = train.flatMap((l) => l.ranked.filter((c) => l.rel.has(c.doc)).map((c) => ({ need: l.qid, y: l.rel.get(c.doc)!, signals: signals(l, c) })))
    const fit = fitReranker(examples, { positive, sets: opts.sets })
    const fb = test.map((l) => queryMetrics(l.ranked.map((c) => c.doc), l.rel))
    const fl = test.map((l) => {
      const order = l.ranked.map((c, i) => ({ doc: c.doc, p: scoreLearned(fit.model, signals(l, c)), i })).sort((a, b) => b.p - a.p || a.i - b.i)
      return queryMetrics(order.map((o) => o.doc), l.rel)
    })
    base.push(...fb)
    learned.push(...fl)
    folds.push({ fold: f, needs: test.length, base: meanMetrics(fb)['ndcg@10_condensed'], learned: meanMetrics(fl)['ndcg@10_condensed'], features: fit.model.names, l2: fit.l2 })
  }
  return { base: meanMetrics(base), learned: meanMetrics(learned), needs: base.length, folds }
}
