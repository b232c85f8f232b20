// Offline fits over judged pairs, as if the judges' labels were reviews: the learned re-ranker (cross-validated by
// need). The calibrated strength is fitted in calibrate.ts.
import { meanMetrics, queryMetrics } from '../matching/metrics'
import { signalsOfMatch } from '../matching/ranker/features'
import { type Example, fitReranker, scoreLearned } from '../matching/ranker/fit'
import { type PastReview, reviewHistory } from '../matching/ranker/history'
import type { ScoredMatch } from '../matching/score'

export interface JudgedList {
  qid: string
  rel: Map<string, number>
  /** the pipeline's ranking (best first), document ids mapped back to the dataset's */
  ranked: (Pick<ScoredMatch, 'score' | 'components' | 'explanation'> & { doc: string; item?: { field: string | null; maturity: string | null } })[]
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
