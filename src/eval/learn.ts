// Offline fits over judged pairs, as if the judges' labels were reviews: the calibrated strength and the learned
// re-ranker (cross-validated by need).
import { type Calibration, calibrate, calibrationInput, DEFAULT_CALIBRATION } from '../matching/calibrate'
import { meanMetrics, queryMetrics } from '../matching/metrics'
import { RANKER_FEATURES, rankerFeatures } from '../matching/ranker/features'
import type { ScoredMatch } from '../matching/score'
import { fitLogistic, predict } from '../matching/ranker/logistic'

export interface JudgedList {
  qid: string
  rel: Map<string, number>
  /** the pipeline's ranking (best first), document ids mapped back to the dataset's */
  ranked: (Pick<ScoredMatch, 'score' | 'components' | 'explanation'> & { doc: string })[]
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

/**
 * k-fold by need: fit the re-ranker on the judged pairs of the other folds' needs, re-rank this fold's candidates by it,
 * and score both orders on the held-out needs only.
 */
export function learnFolds(lists: JudgedList[], k: number, opts: { positive?: number; l2?: number; features?: readonly string[] } = {}) {
  const positive = opts.positive ?? 1
  const keep = (opts.features ?? RANKER_FEATURES).map((n) => RANKER_FEATURES.indexOf(n as never))
  const base: ReturnType<typeof queryMetrics>[] = []
  const learned: ReturnType<typeof queryMetrics>[] = []
  const feats = lists.map((l) => l.ranked.map((c) => { const v = rankerFeatures(signalsOf(c)); return keep.map((j) => v[j]!) }))
  const models = []
  for (let f = 0; f < k; f++) {
    const X: number[][] = []
    const y: number[] = []
    lists.forEach((l, li) => {
      if (foldOf(l.qid, k) === f) return
      l.ranked.forEach((c, i) => {
        if (!l.rel.has(c.doc)) return
        X.push(feats[li]![i]!)
        y.push(l.rel.get(c.doc)! >= positive ? 1 : 0)
      })
    })
    const model = fitLogistic(X, y, keep.map((j) => RANKER_FEATURES[j]!), { l2: opts.l2 ?? 10 })
    models.push(model)
    lists.forEach((l, li) => {
      if (foldOf(l.qid, k) !== f) return
      base.push(queryMetrics(l.ranked.map((c) => c.doc), l.rel))
      const order = l.ranked.map((c, i) => ({ doc: c.doc, p: predict(model, feats[li]![i]!), i })).sort((a, b) => b.p - a.p || a.i - b.i)
      learned.push(queryMetrics(order.map((o) => o.doc), l.rel))
    })
  }
  return { base: meanMetrics(base), learned: meanMetrics(learned), needs: base.length, models }
}

/** A scored or stored match's ranker signals. */
export function signalsOf(m: Pick<ScoredMatch, 'components' | 'explanation'>) {
  const ind = m.explanation.indicators ?? []
  return {
    relevance: m.components.relevance, sources: m.components.sources as Record<string, number>, source_scores: m.components.source_scores,
    features: m.components.features, shared_terms: m.explanation.shared_terms.length,
    indicators: { met: ind.filter((i) => i.verdict === '达到').length, missed: ind.filter((i) => i.verdict === '未达到').length },
  }
}
