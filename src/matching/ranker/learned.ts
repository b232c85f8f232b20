// The learned re-ranker: a pairwise logistic model over the pipeline's own signals (features.ts), reason-code history
// included (history.ts), fitted per platform from managers' reviews (confirmed = 1, rejected = 0) by the
// `matching.fit-ranker` job (fit.ts: the feature set and regularisation chosen by inner cross-validation), versioned in
// `ranker_versions`. A fit is promoted only when it orders the reviews held out from it (a fifth of the needs) better
// than the ranking in use (AUC within each need); until then, and without enough reviews, the hand-set weights rank.
import type { MatchWeights } from '../../config'
import type { Db } from '../../db'
import { checkAborted } from '../../jobs/registry'
import { handSetRanker, type Ranker, type RankerInput } from '../score'
import { type RankerSignals, signalsOfMatch } from './features'
import { type Example, fitReranker, scoreLearned } from './fit'
import { type PastReview, reviewHistory, type ReviewHistory } from './history'
import type { LogisticModel } from './logistic'
import { rankerStore, type ReviewedMatch } from './store'

/** Reviews a platform needs before a first fit, and new reviews before each further fit. */
export const MIN_REVIEWS = 60
export const MIN_NEW_REVIEWS = 30
const CACHE_MS = 60_000
const HISTORY_MAX_AGE_MS = 60 * 60_000

/** A candidate's signals as the learned ranker reads them: its own, plus the history of other needs' reviews. */
export function signalsOfInput(x: RankerInput, history?: ReviewHistory): RankerSignals {
  return {
    relevance: x.relevance, rank: x.rank, sources: x.sources, source_scores: x.source_scores, features: x.features, shared_terms: x.shared_terms,
    shared_longest: x.shared_longest, indicators: x.indicators, text: x.text, maturity: x.item?.maturity ?? null,
    history: history && x.item ? history.of(x.need_id, x.item) : undefined,
  }
}

export function learnedRanker(version: string, model: LogisticModel, history?: ReviewHistory): Ranker {
  return { version, score: (x) => Math.round(scoreLearned(model, signalsOfInput(x, history)) * 1e4) / 1e4 }
}

/** Share of (better, worse) pairs of the same need that `score` orders right (ties count half). */
export function withinNeedAuc(rows: { need: string; y: number; s: number }[]): number | null {
  const byNeed = new Map<string, { y: number; s: number }[]>()
  for (const r of rows) byNeed.set(r.need, [...(byNeed.get(r.need) ?? []), r])
  let right = 0
  let pairs = 0
  for (const list of byNeed.values()) {
    for (const p of list) for (const n of list) if (p.y > n.y) {
      pairs++
      right += p.s > n.s ? 1 : p.s === n.s ? 0.5 : 0
    }
  }
  return pairs ? right / pairs : null
}

const hash = (s: string) => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** The reviewed needs held out from a fit: every fifth in a fixed (hashed) order, so at least one of two or more. */
export function heldOutNeeds(needs: Iterable<string>): Set<string> {
  const order = [...new Set(needs)].sort((a, b) => hash(a) - hash(b) || (a < b ? -1 : 1))
  return new Set(order.filter((_, i) => i % 5 === 0))
}

/** Reviews as reason-code history (a rejection without a code counts as 其他). */
export const pastReviews = (rows: ReviewedMatch[]): PastReview[] =>
  rows.map((r) => ({ need: r.need_id, item: r.item_id, field: r.field, maturity: r.maturity, rejected: r.decision === 'confirmed' ? null : r.reason_code ?? '其他' }))

/**
 * Job: fit a ranker version from the platform's reviews when enough new ones exist; promote it only if it beats the
 * ranking in use on the held-out reviews. Returns what it did.
 */
export async function fitRanker(db: Db, platform = 'default', opts: { minReviews?: number; minNew?: number; signal?: AbortSignal } = {}) {
  const total = await rankerStore.count(db)
  const last = await rankerStore.lastFit(db, platform)
  if (total < (opts.minReviews ?? MIN_REVIEWS) || total - last < (opts.minNew ?? MIN_NEW_REVIEWS)) return { skipped: 'not enough new reviews', reviews: total, last_fit_reviews: last }
  const all = await rankerStore.reviewed(db)
  checkAborted(opts.signal)
  const held = heldOutNeeds(all.map((r) => r.need_id))
  const heldOut = (need: string) => held.has(need)
  // the history a training review reads: the other training needs' reviews; a held-out one reads all training reviews
  const history = reviewHistory(pastReviews(all.filter((r) => !heldOut(r.need_id))))
  // matches scored before their text signals were stored (components.text) cannot be read the same way: not examples
  const rows = all.filter((r) => r.components.text).map((r) => ({
    need: r.need_id, y: r.decision === 'confirmed' ? 1 : 0, base: Number(r.score),
    signals: { ...signalsOfMatch(r.components, r.explanation, r), history: history.of(r.need_id, { id: r.item_id, field: r.field, maturity: r.maturity }) },
  }))
  const train: Example[] = rows.filter((r) => !heldOut(r.need))
  const test = rows.filter((r) => heldOut(r.need))
  if (new Set(train.map((r) => r.y)).size < 2) return { skipped: 'reviews are all one decision', reviews: total, last_fit_reviews: last }
  const fit = fitReranker(train)
  const current = await rankerStore.promoted(db, platform)
  checkAborted(opts.signal) // the fit itself is synchronous (no timer fires during it): checked after it, before the write
  const inUse = (r: (typeof rows)[number]) => (current ? scoreLearned(current.model, r.signals) : r.base)
  const aucBase = withinNeedAuc(test.map((r) => ({ need: r.need, y: r.y, s: inUse(r) })))
  const aucLearned = withinNeedAuc(test.map((r) => ({ need: r.need, y: r.y, s: scoreLearned(fit.model, r.signals) })))
  const promote = aucBase !== null && aucLearned !== null && aucLearned > aucBase
  const version = `learned/${platform}/${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${total}`
  await rankerStore.insertVersion(db, { platform, version, model: fit.model, reviews: total, held_out: test.length, auc_base: aucBase, auc_learned: aucLearned, promoted: promote })
  return { version, promoted: promote, reviews: total, held_out: test.length, auc_base: aucBase, auc_learned: aucLearned, features: fit.model.names, l2: fit.l2 }
}

/**
 * The ranker in use: the promoted version of the platform with the platform's review history, else the hand-set
 * weights (re-read at most once a minute).
 */
export function createRankerSource(db: Db, weights: MatchWeights, platform = 'default') {
  const handSet = handSetRanker(weights)
  let cached: { at: number; ranker: Ranker } | null = null
  // the review history is re-counted only when reviews were added or removed (or, for changed item fields, hourly)
  let counted: { stamp: string; at: number; history: ReviewHistory } | null = null
  async function history(): Promise<ReviewHistory> {
    const stamp = await rankerStore.reviewStamp(db)
    if (counted && counted.stamp === stamp && Date.now() - counted.at < HISTORY_MAX_AGE_MS) return counted.history
    counted = { stamp, at: Date.now(), history: reviewHistory(pastReviews(await rankerStore.reviewed(db))) }
    return counted.history
  }
  return {
    async current(): Promise<Ranker> {
      if (cached && Date.now() - cached.at < CACHE_MS) return cached.ranker
      const p = await rankerStore.promoted(db, platform)
      const hist = p && p.model.names.some((n) => n.startsWith('hist_')) ? await history() : undefined
      cached = { at: Date.now(), ranker: p ? learnedRanker(p.version, p.model, hist) : handSet }
      return cached.ranker
    },
    invalidate() {
      cached = null
    },
  }
}
