// One fit of the re-ranker, shared by the fit job (learned.ts, from reviews) and the offline evaluation (eval/learn.ts,
// from judged pairs): pairwise logistic loss within each need (pairwise.ts) over a small feature set, the set and the
// regularisation chosen by cross-validation over the training needs only (inner folds by need, condensed nDCG@10 of the
// reviewed candidates). A few hundred reviews do not carry thirty weights: on zhibei-dev every set beyond a handful lost
// to the base ranking on held-out needs, so there are two candidates: the text set, and the text set plus reason-code
// history (which a platform whose reviewers reject for maturity, price or field can earn; zhibei-dev's judges only say
// "off-topic", and there it did not help).
import { meanMetrics, queryMetrics } from '../metrics'
import { rankerFeatures, type RankerFeature, type RankerSignals } from './features'
import { type LogisticModel, predict } from './logistic'
import { fitPairwise, type Group } from './pairwise'

export interface Example {
  need: string
  /** graded label: a review is 1 (confirmed) or 0 (rejected); judged pairs 0-3 */
  y: number
  signals: RankerSignals
}

/** Candidate feature sets, simplest first (a tie keeps the simpler one). */
export const FEATURE_SETS: readonly (readonly RankerFeature[])[] = [
  ['ln_relevance', 'length', 'long_text', 'title_bigrams'],
  ['ln_relevance', 'length', 'long_text', 'title_bigrams', 'hist_field_topic', 'hist_item_rejected'],
]
export const L2 = [1, 10, 30] as const
export const SET_MARGIN = 0.01

const hash = (s: string) => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

function groupsOf(examples: Example[], names: readonly string[]) {
  const by = new Map<string, { x: number[][]; y: number[] }>()
  for (const e of examples) {
    let g = by.get(e.need)
    if (!g) by.set(e.need, (g = { x: [], y: [] }))
    g.x.push(rankerFeatures(e.signals, names))
    g.y.push(e.y)
  }
  return by
}

/** Condensed nDCG@10 of `model` on the needs of `test` (their reviewed candidates ordered by it). */
function score(model: LogisticModel, test: Map<string, Group>): number {
  const per = [...test.values()].map((g) => {
    const rel = new Map(g.y.map((y, i) => [String(i), y]))
    const order = g.x.map((x, i) => ({ i, p: predict(model, x) })).sort((a, b) => b.p - a.p || a.i - b.i)
    return queryMetrics(order.map((o) => String(o.i)), rel)
  })
  return meanMetrics(per)['ndcg@10_condensed']
}

export interface FitResult {
  model: LogisticModel
  l2: number
  /** inner cross-validated condensed nDCG@10 of the chosen configuration */
  inner: number
}

export function fitReranker(examples: Example[], opts: { folds?: number; positive?: number; sets?: readonly (readonly string[])[]; l2?: readonly number[] } = {}): FitResult {
  const folds = opts.folds ?? 4
  const needs = [...new Set(examples.map((e) => e.need))]
  let best: { names: readonly string[]; l2: number; inner: number } | null = null
  const sets = opts.sets ?? FEATURE_SETS
  for (const names of sets) {
    const groups = groupsOf(examples, names)
    for (const l2 of opts.l2 ?? L2) {
      const per: number[] = []
      for (let f = 0; f < folds; f++) {
        const test = new Map([...groups].filter(([n]) => hash(`${n}#inner`) % folds === f))
        if (!test.size) continue
        const train = [...groups].filter(([n]) => hash(`${n}#inner`) % folds !== f).map(([, g]) => g)
        per.push(score(fitPairwise(train, [...names], { l2, positive: opts.positive }), test) * test.size)
      }
      const inner = per.reduce((s, v) => s + v, 0) / (needs.length || 1)
      // a larger feature set has to earn its place by a margin (inner folds are few needs: noise otherwise picks it)
      const margin = best && best.names !== names ? SET_MARGIN : 1e-9
      if (!best || inner > best.inner + margin) best = { names, l2, inner }
    }
  }
  const names = best!.names
  return { model: fitPairwise([...groupsOf(examples, names).values()], [...names], { l2: best!.l2, positive: opts.positive }), l2: best!.l2, inner: Math.round(best!.inner * 1e4) / 1e4 }
}

/** The learned score of one candidate (reads the features the model names). */
export const scoreLearned = (model: LogisticModel, signals: RankerSignals) => predict(model, rankerFeatures(signals, model.names))
