// SQL of challenge briefs and their versions.
import type { Queryable } from '../db'
import type { BriefContent, BriefStage, BriefStatus, Clarity } from './schema'

export interface BriefRow {
  id: string
  need_id: string
  org_id: string
  status: BriefStatus
  stage: BriefStage | null
  version: number
  writer: 'auto' | 'template' | 'model'
  need_hash: string
  job_id: string
  failure: string | null
  requested_by: string | null
  confirmed_version: number | null
  confirmed_by: string | null
  confirmed_at: Date | null
  published_at: Date | null
  created_at: Date
  updated_at: Date
  // joined from the need, for the visibility rule
  need_visibility: string
  need_status: string
  need_title: string
}

export interface VersionRow {
  brief_id: string
  version: number
  content: BriefContent
  clarity: Clarity
  writer: 'template' | 'model' | 'person'
  model: string | null
  prompt_version: string | null
  input_hash: string | null
  notes: Record<string, unknown>
  author_key_id: string | null
  author_role: string | null
  created_at: Date
}

export interface NewVersion {
  content: BriefContent
  clarity: Clarity
  writer: VersionRow['writer']
  model?: string | null
  promptVersion?: string | null
  inputHash?: string | null
  notes?: Record<string, unknown>
  authorKeyId?: string | null
  authorRole?: string | null
}

const SELECT = `SELECT b.*, n.visibility AS need_visibility, n.status AS need_status, n.title AS need_title
  FROM briefs b JOIN needs n ON n.id = b.need_id`

export const briefStore = {
  async insert(q: Queryable, b: { id: string; needId: string; orgId: string; writer: string; needHash: string; jobId: string; requestedBy: string | null }): Promise<void> {
    await q.query(
      `INSERT INTO briefs (id, need_id, org_id, writer, need_hash, job_id, requested_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [b.id, b.needId, b.orgId, b.writer, b.needHash, b.jobId, b.requestedBy],
    )
  },

  async get(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<BriefRow | null> {
    const r = await q.query<BriefRow>(`${SELECT} WHERE b.id = $1${opts.forUpdate ? ' FOR UPDATE OF b' : ''}`, [id])
    return r.rows[0] ?? null
  },

  /** An unedited draft (or one being drafted) of the same need text, writer and requester: asking again returns it. */
  async findPending(q: Queryable, needId: string, needHash: string, writer: string, requestedBy: string | null): Promise<BriefRow | null> {
    const r = await q.query<BriefRow>(
      `${SELECT} WHERE b.need_id = $1 AND b.need_hash = $2 AND b.writer = $3 AND b.status IN ('drafting', 'draft')
          AND b.requested_by IS NOT DISTINCT FROM $4::uuid ORDER BY b.created_at DESC LIMIT 1`,
      [needId, needHash, writer, requestedBy],
    )
    return r.rows[0] ?? null
  },

  async listForNeed(q: Queryable, needId: string): Promise<BriefRow[]> {
    return (await q.query<BriefRow>(`${SELECT} WHERE b.need_id = $1 ORDER BY b.created_at DESC, b.id LIMIT 100`, [needId])).rows
  },

  async current(q: Queryable, b: Pick<BriefRow, 'id' | 'version'>): Promise<VersionRow | null> {
    if (!b.version) return null
    return this.version(q, b.id, b.version)
  },

  async version(q: Queryable, briefId: string, version: number): Promise<VersionRow | null> {
    const r = await q.query<VersionRow>('SELECT * FROM brief_versions WHERE brief_id = $1 AND version = $2', [briefId, version])
    return r.rows[0] ?? null
  },

  async versions(q: Queryable, briefId: string): Promise<Omit<VersionRow, 'content'>[]> {
    const r = await q.query<Omit<VersionRow, 'content'>>(
      `SELECT brief_id, version, clarity, writer, model, prompt_version, input_hash, notes, author_key_id, author_role, created_at
         FROM brief_versions WHERE brief_id = $1 ORDER BY version`,
      [briefId],
    )
    return r.rows
  },

  /** Appends the next version and moves the brief to it (the caller holds the row lock). */
  async addVersion(q: Queryable, b: Pick<BriefRow, 'id' | 'version'>, v: NewVersion, status: BriefStatus): Promise<number> {
    const next = b.version + 1
    await q.query(
      `INSERT INTO brief_versions (brief_id, version, content, clarity, writer, model, prompt_version, input_hash, notes, author_key_id, author_role)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, $8, $9::jsonb, $10, $11)`,
      [
        b.id, next, JSON.stringify(v.content), JSON.stringify(v.clarity), v.writer, v.model ?? null, v.promptVersion ?? null, v.inputHash ?? null,
        JSON.stringify(v.notes ?? {}), v.authorKeyId ?? null, v.authorRole ?? null,
      ],
    )
    await q.query(`UPDATE briefs SET version = $2, status = $3, failure = NULL, updated_at = now() WHERE id = $1`, [b.id, next, status])
    return next
  },

  async setStatus(q: Queryable, id: string, set: { status?: BriefStatus; stage?: BriefStage | null; failure?: string | null; confirmedVersion?: number | null; confirmedBy?: string | null; confirmed?: boolean; published?: boolean }): Promise<void> {
    await q.query(
      `UPDATE briefs SET status = coalesce($2, status), stage = CASE WHEN $3::boolean THEN $4 ELSE stage END,
              failure = CASE WHEN $5::boolean THEN $6 ELSE failure END,
              confirmed_version = CASE WHEN $7::boolean THEN $8::int ELSE confirmed_version END,
              confirmed_by = CASE WHEN $7::boolean THEN $9::uuid ELSE confirmed_by END,
              confirmed_at = CASE WHEN $7::boolean THEN (CASE WHEN $8::int IS NULL THEN NULL ELSE now() END) ELSE confirmed_at END,
              published_at = CASE WHEN $10::boolean THEN now() ELSE published_at END,
              updated_at = now()
        WHERE id = $1`,
      [
        id, set.status ?? null, set.stage !== undefined, set.stage ?? null, set.failure !== undefined, set.failure ?? null,
        set.confirmed !== undefined, set.confirmedVersion ?? null, set.confirmedBy ?? null, set.published ?? false,
      ],
    )
  },
}
