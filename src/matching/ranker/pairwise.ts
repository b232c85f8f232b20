// Pairwise fitting of the re-ranker (RankNet-style logistic loss on pairs within one need): what a reviewer's decisions
// say is which of a need's candidates is better than another, not how good a candidate is across needs. The fit is a
// logistic regression on feature differences of ordered pairs of the same need, each need weighing the same; its linear
// score then gets a one-input calibration (P(relevant | score), pointwise), so the served score is a probability that
// orders like the pairwise model.
import { fitLogistic, type LogisticModel } from './logistic'

export interface Group {
  /** a need's reviewed candidates: feature rows and graded labels (a review: 1 confirmed, 0 rejected) */
  x: number[][]
  y: number[]
}

export interface PairwiseOptions {
  l2?: number
  /** labels at or above count as relevant for the calibration */
  positive?: number
}

const linear = (m: LogisticModel, x: number[]) => m.weights.reduce((s, w, j) => s + (w * (x[j] ?? 0)) / m.scale[j]!, 0)

export function fitPairwise(groups: Group[], names: string[], opts: PairwiseOptions = {}): LogisticModel {
  const X: number[][] = []
  const y: number[] = []
  const sw: number[] = []
  for (const g of groups) {
    const pairs: [number, number][] = []
    for (let i = 0; i < g.y.length; i++) for (let j = 0; j < g.y.length; j++) if (g.y[i]! > g.y[j]!) pairs.push([i, j])
    for (const [i, j] of pairs) {
      const d = g.x[i]!.map((v, k) => v - g.x[j]![k]!)
      // every ordered pair of a need weighs the same (weighing by the label gap was less stable across fold counts)
      const w = 1 / pairs.length
      // both orientations: the fit stays symmetric (no bias, inputs centred on 0)
      X.push(d, d.map((v) => -v))
      y.push(1, 0)
      sw.push(w, w)
    }
  }
  const d = names.length
  if (!X.length) return { names, mean: new Array(d).fill(0), scale: new Array(d).fill(1), weights: new Array(d).fill(0), bias: 0 }
  const pair = fitLogistic(X, y, names, { l2: opts.l2 ?? 1, sampleWeight: sw })
  const model: LogisticModel = { ...pair, mean: new Array(d).fill(0), bias: 0 }
  // calibration: P(label >= positive | linear score), each need weighing the same
  const rows = groups.flatMap((g) => g.x.map((x, i) => ({ s: linear(model, x), y: g.y[i]! >= (opts.positive ?? 1) ? 1 : 0, w: 1 / g.x.length })))
  const cal = fitLogistic(rows.map((r) => [r.s]), rows.map((r) => r.y), ['s'], { l2: 0.01, sampleWeight: rows.map((r) => r.w * groups.length) })
  const a = cal.weights[0]! / cal.scale[0]!
  const b = cal.bias - a * cal.mean[0]!
  // a calibration that reverses the order would undo the fit: keep the order, however flat
  const slope = Math.max(a, 1e-3)
  return { names, mean: model.mean, scale: model.scale, weights: model.weights.map((w) => Math.round(w * slope * 1e6) / 1e6), bias: Math.round(b * 1e6) / 1e6 }
}
