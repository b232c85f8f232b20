// SQL of roadshow shortlists: the roadshow, its entries (programme and alternates), judges' scores, and the rows of the
// achievements and briefs they present.
import type { Queryable } from '../db'
import type { Maturity } from '../catalog/fields'
import type { Break, EntryKind, RoadshowKind, RoadshowStatus, Theme } from './schema'

export interface RoadshowRow {
  id: string
  org_id: string
  kind: RoadshowKind
  title: string
  theme: Theme
  size: number
  per_org_max: number
  pitch_minutes: number
  qa_minutes: number
  starts_at: Date | null
  breaks: Break[]
  status: RoadshowStatus
  version: number
  confirmed_version: number | null
  confirmed_at: Date | null
  created_at: Date
  updated_at: Date
}

export interface EntryRow {
  item_kind: EntryKind
  item_id: string
  position: number | null
  source: 'suggested' | 'organizer'
  score: number | null
  reasons: string[]
}

/** What a programme shows of a presented item, and what the visibility rules read. */
export interface ItemRow {
  kind: EntryKind
  id: string
  org_id: string
  org_name: string
  org_region: string | null
  title: string
  summary: string
  field: string | null
  industry: string | null
  maturity: Maturity | null
  region: string | null
  /** achievements: draft / active / archived; briefs: the brief's status */
  status: string
  /** briefs: their stage and the need's visibility, for the brief rule */
  stage: string | null
  need_status: string | null
  need_visibility: string | null
}

export interface ScoreRow {
  item_kind: EntryKind
  item_id: string
  judge: string
  score: string
}

const ACHIEVEMENTS = `SELECT 'achievement' AS kind, a.id, a.org_id, o.name AS org_name, o.region AS org_region, a.title, a.summary, a.field, a.industry,
    a.maturity, a.region, a.status, NULL::text AS stage, NULL::text AS need_status, NULL::text AS need_visibility
  FROM achievements a JOIN organizations o ON o.id = a.org_id`

// a brief shows its confirmed version (what was published), the need's industry and region
const BRIEFS = `SELECT 'brief' AS kind, b.id, b.org_id, o.name AS org_name, o.region AS org_region,
    coalesce(v.content->>'title', n.title) AS title,
    concat_ws('。', v.content->>'problem', v.content->>'background') AS summary,
    n.industry AS field, n.industry, NULL::text AS maturity, n.region, b.status, b.stage, n.status AS need_status, n.visibility AS need_visibility
  FROM briefs b JOIN needs n ON n.id = b.need_id JOIN organizations o ON o.id = b.org_id
  LEFT JOIN brief_versions v ON v.brief_id = b.id AND v.version = b.confirmed_version`

export const roadshowStore = {
  async insert(q: Queryable, r: Omit<RoadshowRow, 'status' | 'version' | 'confirmed_version' | 'confirmed_at' | 'created_at' | 'updated_at'> & { created_by: string | null }): Promise<void> {
    await q.query(
      `INSERT INTO roadshows (id, org_id, kind, title, theme, size, per_org_max, pitch_minutes, qa_minutes, starts_at, breaks, created_by)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11::jsonb, $12)`,
      [r.id, r.org_id, r.kind, r.title, JSON.stringify(r.theme), r.size, r.per_org_max, r.pitch_minutes, r.qa_minutes, r.starts_at, JSON.stringify(r.breaks), r.created_by],
    )
  },

  async get(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<RoadshowRow | null> {
    const r = await q.query<RoadshowRow>(`SELECT * FROM roadshows WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id])
    return r.rows[0] ?? null
  },

  /** Newest first; `orgId` null lists every organisation's (staff). */
  async list(q: Queryable, orgId: string | null, limit: number): Promise<RoadshowRow[]> {
    const r = await q.query<RoadshowRow>(
      `SELECT * FROM roadshows WHERE ($1::uuid IS NULL OR org_id = $1) ORDER BY created_at DESC, id LIMIT $2`,
      [orgId, limit],
    )
    return r.rows
  },

  async update(q: Queryable, id: string, set: { title: string; size: number; pitch: number; qa: number; startsAt: Date | null; breaks: Break[] }): Promise<number> {
    const r = await q.query<{ version: number }>(
      `UPDATE roadshows SET title = $2, size = $3, pitch_minutes = $4, qa_minutes = $5, starts_at = $6, breaks = $7::jsonb, status = 'draft', version = version + 1, updated_at = now()
        WHERE id = $1 RETURNING version`,
      [id, set.title, set.size, set.pitch, set.qa, set.startsAt, JSON.stringify(set.breaks)],
    )
    return r.rows[0]!.version
  },

  async confirm(q: Queryable, id: string, version: number, by: string | null): Promise<void> {
    await q.query(
      `UPDATE roadshows SET status = 'confirmed', confirmed_version = $2, confirmed_by = $3, confirmed_at = now(), updated_at = now() WHERE id = $1`,
      [id, version, by],
    )
  },

  async entries(q: Queryable, id: string): Promise<EntryRow[]> {
    const r = await q.query<EntryRow>(
      `SELECT item_kind, item_id, position, source, score, reasons FROM roadshow_entries WHERE roadshow_id = $1
        ORDER BY position NULLS LAST, score DESC NULLS LAST, item_id`,
      [id],
    )
    return r.rows
  },

  async upsertEntries(q: Queryable, id: string, entries: EntryRow[]): Promise<void> {
    for (const e of entries) {
      await q.query(
        `INSERT INTO roadshow_entries (roadshow_id, item_kind, item_id, position, source, score, reasons) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
         ON CONFLICT (roadshow_id, item_kind, item_id) DO UPDATE SET position = EXCLUDED.position, reasons = EXCLUDED.reasons`,
        [id, e.item_kind, e.item_id, e.position, e.source, e.score, JSON.stringify(e.reasons)],
      )
    }
  },

  /** Every entry leaves the programme (becomes an alternate) before the new order is written. */
  async clearPositions(q: Queryable, id: string): Promise<void> {
    await q.query('UPDATE roadshow_entries SET position = NULL WHERE roadshow_id = $1', [id])
  },

  async items(q: Queryable, refs: { kind: EntryKind; id: string }[]): Promise<Map<string, ItemRow>> {
    const ids = (k: EntryKind) => refs.filter((r) => r.kind === k).map((r) => r.id)
    const out = new Map<string, ItemRow>()
    const a = ids('achievement')
    const b = ids('brief')
    if (a.length) for (const row of (await q.query<ItemRow>(`${ACHIEVEMENTS} WHERE a.id = ANY($1::uuid[])`, [a])).rows) out.set(`achievement:${row.id}`, row)
    if (b.length) for (const row of (await q.query<ItemRow>(`${BRIEFS} WHERE b.id = ANY($1::uuid[])`, [b])).rows) out.set(`brief:${row.id}`, row)
    return out
  },

  /** Active achievements of an industry (or field prefix), most mature first: the candidates of a theme without keywords. */
  async achievementsOfIndustry(q: Queryable, industry: string, limit: number): Promise<ItemRow[]> {
    const prefix = industry.replace(/[%_\\]/g, '\\$&') + '%'
    const r = await q.query<ItemRow>(
      `${ACHIEVEMENTS} WHERE a.status = 'active' AND (a.industry LIKE $1 OR a.field LIKE $1)
        ORDER BY CASE a.maturity WHEN 'industrial' THEN 4 WHEN 'pilot' THEN 3 WHEN 'small_pilot' THEN 2 WHEN 'lab' THEN 1 ELSE 0 END DESC, a.updated_at DESC, a.id
        LIMIT $2`,
      [prefix, limit],
    )
    return r.rows
  },

  /** Published briefs still open for solvers (已发布, 待揭榜): the candidates of a reverse roadshow. */
  async openBriefs(q: Queryable, limit: number): Promise<ItemRow[]> {
    const r = await q.query<ItemRow>(`${BRIEFS} WHERE b.status = 'published' AND b.stage IN ('published', 'awaiting') ORDER BY b.published_at DESC, b.id LIMIT $1`, [limit])
    return r.rows
  },

  async upsertScore(q: Queryable, id: string, s: { kind: EntryKind; itemId: string; judge: string; score: number }): Promise<void> {
    await q.query(
      `INSERT INTO roadshow_scores (roadshow_id, item_kind, item_id, judge, score) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (roadshow_id, item_kind, item_id, judge) DO UPDATE SET score = EXCLUDED.score, created_at = now()`,
      [id, s.kind, s.itemId, s.judge, s.score],
    )
  },

  async scores(q: Queryable, id: string): Promise<ScoreRow[]> {
    return (await q.query<ScoreRow>('SELECT item_kind, item_id, judge, score FROM roadshow_scores WHERE roadshow_id = $1 ORDER BY judge', [id])).rows
  },
}

export interface JudgeRow {
  id: string
  roadshow_id: string
  name: string
  prefix: string
  created_at: Date
  last_used_at: Date | null
  revoked_at: Date | null
}
const JUDGE_COLS = 'id, roadshow_id, name, prefix, created_at, last_used_at, revoked_at'

/** Judges with their scoring links (the token itself is never stored, only its hash). */
export const judgeStore = {
  async insert(q: Queryable, j: { roadshowId: string; name: string; prefix: string; tokenHash: string; createdBy: string | null }): Promise<JudgeRow | null> {
    const r = await q.query<JudgeRow>(
      `INSERT INTO roadshow_judges (roadshow_id, name, prefix, token_hash, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (roadshow_id, name) WHERE revoked_at IS NULL DO NOTHING RETURNING ${JUDGE_COLS}`,
      [j.roadshowId, j.name, j.prefix, j.tokenHash, j.createdBy],
    )
    return r.rows[0] ?? null
  },
  async list(q: Queryable, roadshowId: string): Promise<JudgeRow[]> {
    return (await q.query<JudgeRow>(`SELECT ${JUDGE_COLS} FROM roadshow_judges WHERE roadshow_id = $1 ORDER BY created_at, name`, [roadshowId])).rows
  },
  /** Whether a judge of this name has a live link (their scores come through it). */
  async liveNamed(q: Queryable, roadshowId: string, name: string): Promise<boolean> {
    return (await q.query('SELECT 1 FROM roadshow_judges WHERE roadshow_id = $1 AND name = $2 AND revoked_at IS NULL', [roadshowId, name])).rows.length > 0
  },
  /** Drops every score recorded under a judge's name (a leaked link's scores, on revocation). */
  async discardScores(q: Queryable, roadshowId: string, name: string): Promise<number> {
    return (await q.query('DELETE FROM roadshow_scores WHERE roadshow_id = $1 AND judge = $2', [roadshowId, name])).rowCount ?? 0
  },
  async revoke(q: Queryable, roadshowId: string, id: string): Promise<JudgeRow | null> {
    const r = await q.query<JudgeRow>(
      `UPDATE roadshow_judges SET revoked_at = coalesce(revoked_at, now()) WHERE roadshow_id = $1 AND id = $2 RETURNING ${JUDGE_COLS}`,
      [roadshowId, id],
    )
    return r.rows[0] ?? null
  },
  /** The live judge a token's hash names (revoked links name nobody); marks it used at most once a minute. */
  async byTokenHash(q: Queryable, tokenHash: string): Promise<JudgeRow | null> {
    const r = await q.query<JudgeRow>(`SELECT ${JUDGE_COLS} FROM roadshow_judges WHERE token_hash = $1 AND revoked_at IS NULL`, [tokenHash])
    const j = r.rows[0]
    if (j && (!j.last_used_at || Date.now() - j.last_used_at.getTime() > 60_000)) {
      await q.query('UPDATE roadshow_judges SET last_used_at = now() WHERE id = $1', [j.id])
    }
    return j ?? null
  },
}
