// SQL for matches and their reviews.
import type { Queryable } from '../db'

export interface MatchRow {
  id: string
  need_id: string
  item_kind: 'achievement' | 'patent'
  item_id: string
  score: number
  components: Record<string, unknown>
  explanation: { shared_terms: string[]; ipc_overlap: string[]; reasons: string[]; summary: string; model_rationale?: string }
  state: 'suggested' | 'confirmed' | 'rejected'
  is_new: boolean
  run_id: string
  model: string | null
  prompt_version: string | null
  input_hash: string | null
  reviewed_by: string | null
  reviewed_at: Date | null
  created_at: Date
  updated_at: Date
  // joined for visibility and display
  need_org_id: string
  need_visibility: string
  need_title: string
  item_org_id: string
  item_title: string
}

export interface NewMatch {
  need_id: string
  item_kind: 'achievement' | 'patent'
  item_id: string
  score: number
  components: unknown
  explanation: unknown
  /** set when a chat model judged the pair: which model, which prompt, over which input */
  model?: string | null
  prompt_version?: string | null
  input_hash?: string | null
}

const SELECT = `SELECT m.*, n.org_id AS need_org_id, n.visibility AS need_visibility, n.title AS need_title,
       coalesce(a.org_id, p.org_id) AS item_org_id, coalesce(a.title, p.title) AS item_title
  FROM matches m JOIN needs n ON n.id = m.need_id
  LEFT JOIN achievements a ON m.item_kind = 'achievement' AND a.id = m.item_id
  LEFT JOIN patents p ON m.item_kind = 'patent' AND p.id = m.item_id`

export const matchStore = {
  /**
   * Writes a run's suggestions. A reviewed pair (confirmed or rejected) is never changed; a pair suggested before keeps
   * its id and loses its "new" mark; suggestions of the same origin that this run no longer makes are removed.
   */
  async saveRun(q: Queryable, origin: string, runId: string, rows: NewMatch[]): Promise<{ created: number; updated: number; removed: number }> {
    let created = 0
    let updated = 0
    if (rows.length) {
      const r = await q.query<{ inserted: boolean }>(
        `INSERT INTO matches (need_id, item_kind, item_id, score, components, explanation, run_id, model, prompt_version, input_hash)
         SELECT need_id, item_kind, item_id, score, components, explanation, $7, model, prompt_version, input_hash
           FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::float8[], $5::jsonb[], $6::jsonb[], $8::text[], $9::text[], $10::text[])
             AS x(need_id, item_kind, item_id, score, components, explanation, model, prompt_version, input_hash)
         ON CONFLICT (need_id, item_kind, item_id) DO UPDATE
           SET score = EXCLUDED.score, components = EXCLUDED.components, explanation = EXCLUDED.explanation,
               model = EXCLUDED.model, prompt_version = EXCLUDED.prompt_version, input_hash = EXCLUDED.input_hash,
               run_id = EXCLUDED.run_id, is_new = false, updated_at = now()
           WHERE matches.state = 'suggested'
         RETURNING (xmax = 0) AS inserted`,
        [
          rows.map((x) => x.need_id), rows.map((x) => x.item_kind), rows.map((x) => x.item_id), rows.map((x) => x.score),
          rows.map((x) => JSON.stringify(x.components)), rows.map((x) => JSON.stringify(x.explanation)), runId,
          rows.map((x) => x.model ?? null), rows.map((x) => x.prompt_version ?? null), rows.map((x) => x.input_hash ?? null),
        ],
      )
      created = r.rows.filter((x) => x.inserted).length
      updated = r.rows.length - created
    }
    const del = await q.query(`DELETE FROM matches WHERE state = 'suggested' AND run_id LIKE $1 AND run_id <> $2`, [`${origin}%`, runId])
    return { created, updated, removed: del.rowCount }
  },

  async get(q: Queryable, id: string): Promise<MatchRow | null> {
    return (await q.query<MatchRow>(`${SELECT} WHERE m.id = $1`, [id])).rows[0] ?? null
  },

  async list(
    q: Queryable,
    by: { needId?: string; itemId?: string },
    f: { itemKind?: string; state?: string; minScore?: number; limit: number; offset: number; onlyConfirmed: boolean; itemOrgId?: string; excludePrivate: boolean },
  ): Promise<MatchRow[]> {
    const r = await q.query<MatchRow>(
      `${SELECT}
        WHERE ($1::uuid IS NULL OR m.need_id = $1) AND ($2::uuid IS NULL OR m.item_id = $2)
          AND ($3::text IS NULL OR m.item_kind = $3) AND ($4::text IS NULL OR m.state = $4)
          AND ($5::float8 IS NULL OR m.score >= $5) AND (NOT $6 OR m.state = 'confirmed')
          AND ($7::uuid IS NULL OR coalesce(a.org_id, p.org_id) = $7) AND (NOT $8 OR n.visibility <> 'private')
        ORDER BY m.score DESC, m.id LIMIT $9 OFFSET $10`,
      [by.needId ?? null, by.itemId ?? null, f.itemKind ?? null, f.state ?? null, f.minScore ?? null, f.onlyConfirmed, f.itemOrgId ?? null, f.excludePrivate, f.limit, f.offset],
    )
    return r.rows
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
      [m.id, r.keyId, r.orgId, r.decision, r.reasonCode, r.note, m.score, JSON.stringify({ ...m.explanation, components: m.components })],
    )
  },

  async reviews(q: Queryable, matchId: string) {
    return (await q.query('SELECT * FROM match_reviews WHERE match_id = $1 ORDER BY created_at, id', [matchId])).rows
  },
}
