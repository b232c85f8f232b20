// SQL of matching: the rows a run reads (query side and candidates, read once per run), matches and their reviews, the
// review queue, and the catalogue version that coalesces re-runs. Parameterised only; table names come from constants.
import type { Queryable } from '../db'
import { cursorTime, Params } from '../db/params'
import type { Table } from './retrieve'

export type ItemKind = 'achievement' | 'patent'

/** A candidate achievement or patent as scoring, explaining and judging read it. */
export interface ItemRow {
  id: string
  org_id: string
  title: string
  body: string
  industry: string | null
  field: string | null
  region: string | null
  maturity: string | null
  trl: number | null
  transfer_modes: string[]
  price_min: number | null
  legal_status: string | null
  ipc_codes: string[]
  /** achievement: updated_at; patent: application date */
  date: string | null
  /** achievement status; a patent's is 'active' unless it has lapsed ('withdrawn') */
  status: string
  /** the listing as a reader meets it, in characters: title and summary (a patent: title and abstract, not its claim) */
  chars: number
}

export interface Indicator {
  name: string
  target?: string | null
  unit?: string | null
}

/** A need as matching reads it. */
export interface NeedRow {
  id: string
  org_id: string
  title: string
  body: string
  industry: string | null
  region: string | null
  budget_max: number | null
  cooperation_modes: string[]
  maturity_min: string | null
  indicators: Indicator[]
  visibility: 'public' | 'platform' | 'private'
  status: 'draft' | 'open' | 'closed'
  date: string | null
}

export interface Vectors {
  embedding: number[] | null
  sparse: unknown
  terms: { term: string }[]
}

const COLUMNS: Record<Table, string> = {
  achievements: `id, org_id, title, coalesce(summary, '') AS body, industry, field, region, maturity, trl, transfer_modes,
    price_min::float8 AS price_min, NULL AS legal_status, '{}'::text[] AS ipc_codes, updated_at::text AS date, status,
    char_length(title) + char_length(coalesce(summary, '')) AS chars`,
  patents: `id, org_id, title, coalesce(abstract, '') || coalesce(' ' || first_claim, '') AS body, NULL AS industry, NULL AS field, region,
    NULL AS maturity, NULL::int AS trl, '{}'::text[] AS transfer_modes, NULL::float8 AS price_min, legal_status, ipc_codes,
    coalesce(application_date::text, updated_at::text) AS date,
    CASE WHEN legal_status = 'invalid' THEN 'withdrawn' ELSE 'active' END AS status,
    char_length(title) + char_length(coalesce(abstract, '')) AS chars`,
  needs: `id, org_id, title, coalesce(description, '') AS body, industry, region, budget_max::float8 AS budget_max, cooperation_modes,
    maturity_min, indicators, visibility, status, updated_at::text AS date`,
}

/** Where each kind may be a candidate: active achievements, patents that have not lapsed, open needs. */
export const ELIGIBLE: Record<Table, string> = {
  achievements: "t.status = 'active'",
  patents: "t.legal_status IS DISTINCT FROM 'invalid'",
  needs: "t.status = 'open'",
}

export const TABLE_OF: Record<ItemKind | 'need', Table> = { achievement: 'achievements', patent: 'patents', need: 'needs' }

/** A match as the API reads it: both ends joined for visibility and display. */
export interface MatchRow {
  id: string
  need_id: string
  item_kind: ItemKind
  item_id: string
  score: number
  strength: number | null
  components: Record<string, unknown>
  explanation: { shared_terms: string[]; ipc_overlap: string[]; reasons: string[]; summary: string; indicators?: unknown[] }
  state: 'suggested' | 'confirmed' | 'rejected'
  is_new: boolean
  run_id: string
  model: string | null
  prompt_version: string | null
  input_hash: string | null
  model_rationale: string | null
  reviewed_by: string | null
  reviewed_at: Date | null
  created_at: Date
  updated_at: Date
  need_org_id: string
  need_visibility: 'public' | 'platform' | 'private'
  need_status: 'draft' | 'open' | 'closed'
  need_title: string
  /** null when the item is deleted */
  item_org_id: string | null
  item_title: string | null
  item_org_name: string | null
  /** achievement status or patent legal status */
  item_status: string | null
  item_state: 'active' | 'withdrawn' | 'deleted'
  snippet: string | null
}

export interface NewMatch {
  need_id: string
  item_kind: ItemKind
  item_id: string
  score: number
  strength: number
  components: unknown
  explanation: unknown
  /** set when a chat model judged the pair: which model, which prompt, over which input, and what it said */
  model?: string | null
  prompt_version?: string | null
  input_hash?: string | null
  model_rationale?: string | null
}

export interface ReviewRow {
  id: string
  match_id: string
  need_id: string
  item_kind: ItemKind
  item_id: string
  reviewer_key_id: string | null
  reviewer_org_id: string | null
  reviewer_name: string | null
  decision: 'confirmed' | 'rejected'
  reason_code: string | null
  note: string | null
  score: number
  /** what the reviewer saw: the explanation, components and strength at the time */
  explanation: Record<string, unknown>
  created_at: Date
  /** created_at at full precision, for the keyset cursor */
  at_key: string
}

/**
 * Who sees which matches, as SQL conditions: staff everything; otherwise only confirmed matches, of the caller's own
 * needs (`needOrgId`) or own items (`itemOrgId`, and then only of needs whose visibility is in `needVisibilities`).
 */
export type MatchScope =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'confirmed'; needOrgId?: string; itemOrgId?: string; needVisibilities?: string[] }

export interface MatchFilter {
  needId?: string
  itemId?: string
  itemKind?: ItemKind
  state?: string
  isNew?: boolean
  minScore?: number
  /** sort key: a need's or item's own list by score, the queue across needs by strength */
  order: 'score' | 'strength'
  after?: { v: number; id: string }
  limit: number
}

const ITEM_STATE = `CASE WHEN a.id IS NULL AND p.id IS NULL THEN 'deleted'
  WHEN a.id IS NOT NULL AND a.status <> 'active' THEN 'withdrawn'
  WHEN p.id IS NOT NULL AND p.legal_status = 'invalid' THEN 'withdrawn' ELSE 'active' END`

const SELECT = `SELECT m.*, n.org_id AS need_org_id, n.visibility AS need_visibility, n.status AS need_status, n.title AS need_title,
       coalesce(a.org_id, p.org_id) AS item_org_id, coalesce(a.title, p.title) AS item_title, o.name AS item_org_name,
       coalesce(a.status, p.legal_status) AS item_status, ${ITEM_STATE} AS item_state,
       left(coalesce(a.summary, p.abstract), 120) AS snippet
  FROM matches m JOIN needs n ON n.id = m.need_id
  LEFT JOIN achievements a ON m.item_kind = 'achievement' AND a.id = m.item_id
  LEFT JOIN patents p ON m.item_kind = 'patent' AND p.id = m.item_id
  LEFT JOIN organizations o ON o.id = coalesce(a.org_id, p.org_id)`

/** Suggestions are shown only while both ends are still candidates (the triggers of 0010 delete the others). */
const LIVE = `(m.state <> 'suggested' OR (n.status = 'open' AND ${ITEM_STATE} = 'active'))`

function scopeSql(s: MatchScope, p: Params): string {
  if (s.kind === 'all') return 'true'
  if (s.kind === 'none') return 'false'
  const w = ["m.state = 'confirmed'"]
  if (s.needOrgId) w.push(`n.org_id = ${p.p(s.needOrgId)}`)
  if (s.itemOrgId) w.push(`coalesce(a.org_id, p.org_id) = ${p.p(s.itemOrgId)}`)
  if (s.needVisibilities) w.push(`n.status <> 'draft'`, `n.visibility = ANY(${p.p(s.needVisibilities)}::text[])`)
  return w.join(' AND ')
}

const SORT = { score: 'm.score', strength: 'coalesce(m.strength, -1)' } as const

export const matchStore = {
  // ---- what a run reads ----

  /** The query side of a run: its row and its stored vectors (null when absent). */
  async queryRow<T extends Table>(q: Queryable, table: T, id: string): Promise<((T extends 'needs' ? NeedRow : ItemRow) & Vectors) | null> {
    const r = await q.query<(T extends 'needs' ? NeedRow : ItemRow) & Vectors>(`SELECT ${COLUMNS[table]}, embedding, sparse, terms FROM ${table} WHERE id = $1`, [id])
    return r.rows[0] ?? null
  },

  /** The read fields of an item, as SQL over its table (unqualified column names). */
  columns: (table: 'achievements' | 'patents') => COLUMNS[table],

  /** Candidate rows by id, read once per run. */
  async itemRows(q: Queryable, table: 'achievements' | 'patents', ids: string[]): Promise<Map<string, ItemRow>> {
    if (!ids.length) return new Map()
    const r = await q.query<ItemRow>(`SELECT ${COLUMNS[table]} FROM ${table} WHERE id = ANY($1::uuid[])`, [ids], { prepare: true })
    return new Map(r.rows.map((x) => [x.id, x]))
  },

  async needRows(q: Queryable, ids: string[]): Promise<Map<string, NeedRow>> {
    if (!ids.length) return new Map()
    const r = await q.query<NeedRow>(`SELECT ${COLUMNS.needs} FROM needs WHERE id = ANY($1::uuid[])`, [ids])
    return new Map(r.rows.map((x) => [x.id, x]))
  },

  /** The fields of one end that decide who may read it. */
  async end(q: Queryable, table: Table, id: string): Promise<{ id: string; org_id: string; status: string; visibility?: string; title: string; content_hash: string } | null> {
    const status = table === 'patents' ? "'active' AS status" : table === 'needs' ? 'status, visibility' : 'status'
    const r = await q.query<{ id: string; org_id: string; status: string; title: string; content_hash: string }>(`SELECT id, org_id, title, content_hash, ${status} FROM ${table} WHERE id = $1`, [id])
    return r.rows[0] ?? null
  },

  // ---- re-runs: catalogue version and open needs ----

  /** The current catalogue version (bumped by every write to achievements or patents). */
  async catalogVersion(q: Queryable): Promise<number> {
    const r = await q.query<{ v: string }>('SELECT last_value::text AS v FROM catalog_version')
    return Number(r.rows[0]!.v)
  },

  /** A new catalogue version (a change the triggers do not see, such as needs re-embedded). */
  async bumpCatalogVersion(q: Queryable): Promise<number> {
    const r = await q.query<{ v: string }>("SELECT nextval('catalog_version')::text AS v")
    return Number(r.rows[0]!.v)
  },

  async lastRunVersion(q: Queryable, needId: string): Promise<number | null> {
    const r = await q.query<{ v: string }>('SELECT catalog_version::text AS v FROM need_match_runs WHERE need_id = $1', [needId])
    return r.rows[0] ? Number(r.rows[0].v) : null
  },

  async recordRun(q: Queryable, needId: string, version: number): Promise<void> {
    await q.query(
      `INSERT INTO need_match_runs (need_id, catalog_version) VALUES ($1, $2)
       ON CONFLICT (need_id) DO UPDATE SET catalog_version = greatest(need_match_runs.catalog_version, EXCLUDED.catalog_version), run_at = now()`,
      [needId, version],
    )
  },

  /** Open needs in id order (keyset), for re-running them all after an import. */
  async openNeedIds(q: Queryable, after: string | null, limit: number): Promise<{ id: string; org_id: string }[]> {
    const r = await q.query<{ id: string; org_id: string }>(
      `SELECT id, org_id FROM needs WHERE status = 'open' AND sparse IS NOT NULL AND ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [after, limit],
    )
    return r.rows
  },

  /** Open needs that hold an unreviewed suggestion of this item (their lists change when it does). */
  async needsSuggesting(q: Queryable, itemId: string): Promise<{ id: string; org_id: string }[]> {
    const r = await q.query<{ id: string; org_id: string }>(
      `SELECT n.id, n.org_id FROM matches m JOIN needs n ON n.id = m.need_id WHERE m.item_id = $1 AND m.state = 'suggested' AND n.status = 'open'`,
      [itemId],
    )
    return r.rows
  },

  // ---- matches ----

  /**
   * Writes a need's run. A reviewed pair (confirmed or rejected) is never changed; a pair suggested before keeps its id
   * and loses its "new" mark; the need's suggestions that this run no longer makes are removed.
   */
  async saveRun(q: Queryable, needId: string, runId: string, rows: NewMatch[]): Promise<{ created: number; updated: number; removed: number }> {
    let created = 0
    let updated = 0
    if (rows.length) {
      const r = await q.query<{ inserted: boolean }>(
        `INSERT INTO matches (need_id, item_kind, item_id, score, strength, components, explanation, run_id, model, prompt_version, input_hash, model_rationale)
         SELECT need_id, item_kind, item_id, score, strength, components, explanation, $8, model, prompt_version, input_hash, model_rationale
           FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::float8[], $5::float8[], $6::jsonb[], $7::jsonb[], $9::text[], $10::text[], $11::text[], $12::text[])
             AS x(need_id, item_kind, item_id, score, strength, components, explanation, model, prompt_version, input_hash, model_rationale)
         ON CONFLICT (need_id, item_kind, item_id) DO UPDATE
           SET score = EXCLUDED.score, strength = EXCLUDED.strength, components = EXCLUDED.components, explanation = EXCLUDED.explanation,
               model = EXCLUDED.model, prompt_version = EXCLUDED.prompt_version, input_hash = EXCLUDED.input_hash,
               model_rationale = EXCLUDED.model_rationale, run_id = EXCLUDED.run_id, is_new = false, updated_at = now()
           WHERE matches.state = 'suggested'
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((x) => x.need_id), rows.map((x) => x.item_kind), rows.map((x) => x.item_id), rows.map((x) => x.score),
          rows.map((x) => x.strength), rows.map((x) => JSON.stringify(x.components)), rows.map((x) => JSON.stringify(x.explanation)), runId,
          rows.map((x) => x.model ?? null), rows.map((x) => x.prompt_version ?? null), rows.map((x) => x.input_hash ?? null),
          rows.map((x) => x.model_rationale ?? null),
        ],
      )
      created = r.rows.filter((x) => x.inserted).length
      updated = r.rows.length - created
    }
    const del = await q.query(`DELETE FROM matches WHERE need_id = $1 AND state = 'suggested' AND run_id <> $2`, [needId, runId])
    return { created, updated, removed: del.rowCount }
  },

  /** Removes a need's unreviewed suggestions (it is no longer a candidate to match). */
  async withdrawNeed(q: Queryable, needId: string): Promise<number> {
    return (await q.query(`DELETE FROM matches WHERE need_id = $1 AND state = 'suggested'`, [needId])).rowCount
  },

  async get(q: Queryable, id: string): Promise<MatchRow | null> {
    return (await q.query<MatchRow>(`${SELECT} WHERE m.id = $1`, [id])).rows[0] ?? null
  },

  /** A page of matches the scope allows, best first (score or strength, then id), keyset after `f.after`. */
  async list(q: Queryable, scope: MatchScope, f: MatchFilter): Promise<MatchRow[]> {
    const p = new Params()
    const sort = SORT[f.order]
    const w = [scopeSql(scope, p), LIVE]
    if (f.needId) w.push(`m.need_id = ${p.p(f.needId)}`)
    if (f.itemId) w.push(`m.item_id = ${p.p(f.itemId)}`)
    if (f.itemKind) w.push(`m.item_kind = ${p.p(f.itemKind)}`)
    if (f.state) w.push(`m.state = ${p.p(f.state)}`)
    if (f.isNew !== undefined) w.push(`m.is_new = ${p.p(f.isNew)}`)
    if (f.minScore !== undefined) w.push(`${sort} >= ${p.p(f.minScore)}`)
    if (f.after) w.push(`(${sort} < ${p.p(f.after.v)}::float8 OR (${sort} = ${p.p(f.after.v)}::float8 AND m.id > ${p.p(f.after.id)}::uuid))`)
    // a need's match list is the commonest read; its text takes one shape per scope and filter set
    const r = await q.query<MatchRow>(`${SELECT} WHERE ${w.join(' AND ')} ORDER BY ${sort} DESC, m.id LIMIT ${p.p(f.limit)}`, p.values, { prepare: true })
    return r.rows
  },

  /** Unreviewed, live suggestions per need. */
  async countUnreviewed(q: Queryable, needIds: string[]): Promise<Map<string, number>> {
    if (!needIds.length) return new Map()
    const r = await q.query<{ need_id: string; n: number }>(
      `SELECT m.need_id, count(*)::int AS n FROM matches m WHERE m.need_id = ANY($1::uuid[]) AND m.state = 'suggested' GROUP BY m.need_id`,
      [needIds],
    )
    return new Map(r.rows.map((x) => [x.need_id, x.n]))
  },

  async review(
    q: Queryable,
    m: MatchRow,
    r: { decision: 'confirmed' | 'rejected'; reasonCode: string | null; note: string | null; keyId: string | null; orgId: string | null },
  ): Promise<void> {
    await q.query(`UPDATE matches SET state = $2, reviewed_by = $3, reviewed_at = now(), updated_at = now() WHERE id = $1`, [m.id, r.decision, r.keyId])
    await q.query(
      `INSERT INTO match_reviews (match_id, reviewer_key_id, reviewer_org_id, decision, reason_code, note, score, explanation)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [m.id, r.keyId, r.orgId, r.decision, r.reasonCode, r.note, m.score, JSON.stringify({ ...m.explanation, components: m.components, strength: m.strength })],
    )
  },

  /** Reviews, newest first, keyset on (created_at, id); by match, need, reviewer and time. */
  async reviews(
    q: Queryable,
    f: { matchId?: string; needId?: string; reviewerKeyId?: string; since?: string; until?: string; after?: { at: string; id: string }; limit: number },
  ): Promise<ReviewRow[]> {
    const p = new Params()
    const w = ['true']
    if (f.matchId) w.push(`r.match_id = ${p.p(f.matchId)}`)
    if (f.needId) w.push(`m.need_id = ${p.p(f.needId)}`)
    if (f.reviewerKeyId) w.push(`r.reviewer_key_id = ${p.p(f.reviewerKeyId)}`)
    if (f.since) w.push(`r.created_at >= ${p.p(f.since)}::timestamptz`)
    if (f.until) w.push(`r.created_at < ${p.p(f.until)}::timestamptz`)
    if (f.after) w.push(`(r.created_at, r.id) < (${p.p(f.after.at)}::timestamptz, ${p.p(f.after.id)}::uuid)`)
    const r = await q.query<ReviewRow>(
      `SELECT r.id, r.match_id, m.need_id, m.item_kind, m.item_id, r.reviewer_key_id, r.reviewer_org_id, k.name AS reviewer_name,
              r.decision, r.reason_code, r.note, r.score, r.explanation, r.created_at, ${cursorTime('r.created_at')} AS at_key
         FROM match_reviews r JOIN matches m ON m.id = r.match_id LEFT JOIN api_keys k ON k.id = r.reviewer_key_id
        WHERE ${w.join(' AND ')} ORDER BY r.created_at DESC, r.id DESC LIMIT ${p.p(f.limit)}`,
      p.values,
    )
    return r.rows
  },
}
