// SQL of the learned ranker (learned.ts): its fitted versions in `ranker_versions` and the reviewed matches it is fitted
// from. Parameterised only.
import type { Db, Queryable } from '../../db'
import type { LogisticModel } from './logistic'

export interface ReviewedMatch {
  need_id: string
  item_id: string
  decision: string
  reason_code: string | null
  score: number
  components: Record<string, unknown>
  explanation: Record<string, unknown>
  field: string | null
  maturity: string | null
}

export interface RankerVersion {
  version: string
  promoted: boolean
  reviews: number
  held_out: number
  auc_base: number | null
  auc_learned: number | null
  features: string[]
  created_at: string
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
  /** The latest decision on each reviewed match: what it was scored with, the item's field and maturity, the decision. */
  async reviewed(db: Queryable): Promise<ReviewedMatch[]> {
    const r = await db.query<ReviewedMatch>(
      `SELECT DISTINCT ON (m.id) m.need_id, m.item_id, r.decision, r.reason_code, r.score, m.components, r.explanation, a.field, a.maturity
         FROM match_reviews r JOIN matches m ON m.id = r.match_id
         LEFT JOIN achievements a ON m.item_kind = 'achievement' AND a.id = m.item_id
        ORDER BY m.id, r.created_at DESC, r.id DESC`,
    )
    return r.rows
  },
  /** The platform's fitted versions, newest first: whether promoted, on how many reviews, and the held-out comparison. */
  async versions(db: Queryable, platform: string) {
    const r = await db.query<RankerVersion>(
      `SELECT version, promoted, reviews, held_out, auc_base, auc_learned, model->'names' AS features, created_at
         FROM ranker_versions WHERE platform = $1 ORDER BY created_at DESC, version DESC LIMIT 100`,
      [platform],
    )
    return r.rows.map((v) => ({ ...v, created_at: new Date(v.created_at).toISOString() }))
  },
  /** Changes whenever a review is added or removed (reviews are never edited): whether the history must be re-counted. */
  async reviewStamp(db: Queryable): Promise<string> {
    const r = await db.query<{ n: number; last: string | null }>('SELECT count(*)::int AS n, max(created_at)::text AS last FROM match_reviews')
    return `${r.rows[0]!.n}@${r.rows[0]!.last ?? ''}`
  },
  async count(db: Queryable) {
    return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM match_reviews')).rows[0]!.n
  },
  /** Stores a fitted version; when it is promoted, the platform's previous promoted version stops being so (one transaction). */
  async insertVersion(
    db: Db,
    v: { platform: string; version: string; model: LogisticModel; reviews: number; held_out: number; auc_base: number | null; auc_learned: number | null; promoted: boolean },
  ): Promise<void> {
    await db.transaction(async (tx) => {
      if (v.promoted) await tx.query('UPDATE ranker_versions SET promoted = false WHERE platform = $1 AND promoted', [v.platform])
      await tx.query(
        `INSERT INTO ranker_versions (platform, version, model, reviews, held_out, auc_base, auc_learned, promoted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (version) DO NOTHING`,
        [v.platform, v.version, JSON.stringify(v.model), v.reviews, v.held_out, v.auc_base, v.auc_learned, v.promoted],
      )
    })
  },
}
