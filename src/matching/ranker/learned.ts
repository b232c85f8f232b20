// The learned re-ranker: a logistic regression over the pipeline's own signals (features.ts), fitted per platform from
// managers' reviews (confirmed = 1, rejected = 0) by the `matching.fit-ranker` job, versioned in `ranker_versions`.
// A fit is promoted only when it orders the reviews held out from it (a fifth of the needs) better than the ranking in
// use (AUC within each need); until then, and without enough reviews, the hand-set weights rank.
import type { MatchWeights } from '../../config'
import type { Db, Queryable } from '../../db'
import { handSetRanker, type Ranker, type RankerInput } from '../score'
import { RANKER_FEATURES, rankerFeatures, type RankerSignals } from './features'
import { fitLogistic, type LogisticModel, predict } from './logistic'

/** Reviews a platform needs before a first fit, and new reviews before each further fit. */
export const MIN_REVIEWS = 60
export const MIN_NEW_REVIEWS = 30
const CACHE_MS = 60_000

export function learnedRanker(version: string, model: LogisticModel): Ranker {
  return { version, score: (x) => Math.round(predict(model, rankerFeatures(signalsOfInput(x))) * 1e4) / 1e4 }
}

const signalsOfInput = (x: RankerInput): RankerSignals => ({
  relevance: x.relevance, sources: x.sources, source_scores: x.source_scores, features: x.features, shared_terms: x.shared_terms, indicators: x.indicators,
})

/** A stored match's signals (its components and the explanation the reviewer saw). */
export function signalsOfStored(components: Record<string, unknown>, explanation: Record<string, unknown>): RankerSignals {
  const ind = (explanation.indicators as { verdict: string }[] | undefined) ?? []
  return {
    relevance: Number(components.relevance ?? 0), sources: components.sources as RankerSignals['sources'], source_scores: components.source_scores as RankerSignals['source_scores'],
    features: components.features as RankerSignals['features'], shared_terms: ((explanation.shared_terms as string[] | undefined) ?? []).length,
    indicators: { met: ind.filter((i) => i.verdict === '达到').length, missed: ind.filter((i) => i.verdict === '未达到').length },
  }
}

/** Share of (confirmed, rejected) pairs of the same need that `score` orders right (ties count half). */
export function withinNeedAuc(rows: { need: string; y: number; s: number }[]): number | null {
  const byNeed = new Map<string, { y: number; s: number }[]>()
  for (const r of rows) byNeed.set(r.need, [...(byNeed.get(r.need) ?? []), r])
  let right = 0
  let pairs = 0
  for (const list of byNeed.values()) {
    for (const p of list) if (p.y === 1) for (const n of list) if (n.y === 0) {
      pairs++
      right += p.s > n.s ? 1 : p.s === n.s ? 0.5 : 0
    }
  }
  return pairs ? right / pairs : null
}

const heldOut = (need: string) => {
  let h = 0x811c9dc5
  for (let i = 0; i < need.length; i++) h = Math.imul(h ^ need.charCodeAt(i), 0x01000193)
  return (h >>> 0) % 5 === 0
}

export const rankerStore = {
  async promoted(db: Queryable, platform: string) {
    const r = await db.query<{ version: string; model: LogisticModel }>('SELECT version, model FROM ranker_versions WHERE platform = $1 AND promoted', [platform])
    return r.rows[0] ?? null
  },
  async lastFit(db: Queryable, platform: string) {
    const r = await db.query<{ reviews: number }>('SELECT reviews FROM ranker_versions WHERE platform = $1 ORDER BY created_at DESC LIMIT 1', [platform])
    return r.rows[0]?.reviews ?? 0
  },
  /** The latest decision on each reviewed match: what it was scored with and what the manager decided. */
  async reviewed(db: Queryable) {
    const r = await db.query<{ need_id: string; decision: string; score: number; components: Record<string, unknown>; explanation: Record<string, unknown> }>(
      `SELECT DISTINCT ON (m.id) m.need_id, r.decision, r.score, m.components, r.explanation
         FROM match_reviews r JOIN matches m ON m.id = r.match_id
        ORDER BY m.id, r.created_at DESC, r.id DESC`,
    )
    return r.rows
  },
  async count(db: Queryable) {
    return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM match_reviews')).rows[0]!.n
  },
}

/**
 * Job: fit a ranker version from the platform's reviews when enough new ones exist; promote it only if it beats the
 * ranking in use on the held-out reviews. Returns what it did.
 */
export async function fitRanker(db: Db, platform = 'default', opts: { minReviews?: number; minNew?: number } = {}) {
  const total = await rankerStore.count(db)
  const last = await rankerStore.lastFit(db, platform)
  if (total < (opts.minReviews ?? MIN_REVIEWS) || total - last < (opts.minNew ?? MIN_NEW_REVIEWS)) return { skipped: 'not enough new reviews', reviews: total, last_fit_reviews: last }
  const rows = (await rankerStore.reviewed(db)).map((r) => ({ need: r.need_id, y: r.decision === 'confirmed' ? 1 : 0, x: rankerFeatures(signalsOfStored(r.components, r.explanation)), base: Number(r.score) }))
  const train = rows.filter((r) => !heldOut(r.need))
  const test = rows.filter((r) => heldOut(r.need))
  if (new Set(train.map((r) => r.y)).size < 2) return { skipped: 'reviews are all one decision', reviews: total, last_fit_reviews: last }
  const model = fitLogistic(train.map((r) => r.x), train.map((r) => r.y), [...RANKER_FEATURES], { l2: 10 })
  const current = await rankerStore.promoted(db, platform)
  const inUse = (x: number[], base: number) => (current ? predict(current.model, x) : base)
  const aucBase = withinNeedAuc(test.map((r) => ({ need: r.need, y: r.y, s: inUse(r.x, r.base) })))
  const aucLearned = withinNeedAuc(test.map((r) => ({ need: r.need, y: r.y, s: predict(model, r.x) })))
  const promote = aucBase !== null && aucLearned !== null && aucLearned > aucBase
  const version = `learned/${platform}/${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${total}`
  await db.transaction(async (tx) => {
    if (promote) await tx.query('UPDATE ranker_versions SET promoted = false WHERE platform = $1 AND promoted', [platform])
    await tx.query(
      `INSERT INTO ranker_versions (platform, version, model, reviews, held_out, auc_base, auc_learned, promoted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (version) DO NOTHING`,
      [platform, version, JSON.stringify(model), total, test.length, aucBase, aucLearned, promote],
    )
  })
  return { version, promoted: promote, reviews: total, held_out: test.length, auc_base: aucBase, auc_learned: aucLearned }
}

/** The ranker in use: the promoted version of the platform, else the hand-set weights (re-read at most once a minute). */
export function createRankerSource(db: Db, weights: MatchWeights, platform = 'default') {
  const handSet = handSetRanker(weights)
  let cached: { at: number; ranker: Ranker } | null = null
  return {
    async current(): Promise<Ranker> {
      if (cached && Date.now() - cached.at < CACHE_MS) return cached.ranker
      const p = await rankerStore.promoted(db, platform)
      cached = { at: Date.now(), ranker: p ? learnedRanker(p.version, p.model) : handSet }
      return cached.ranker
    },
    invalidate() {
      cached = null
    },
  }
}
