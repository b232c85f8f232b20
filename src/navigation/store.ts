// SQL of patent-navigation reports: the reports table, the scope of a report as a WHERE clause, and the aggregates the
// report's statistical sections are built from (all parameterised; the scope is a list of patent ids).
import type { Queryable } from '../db'
import { cursorTime, Params } from '../db/params'
import { KIND_DEFS } from '../catalog/kinds'
import type { Caller } from '../orgs/access'
import type { Count, Report, ReportStatus, Scope, Summary } from './schema'

export interface ReportRow {
  id: string
  org_id: string
  caller: StoredCaller
  title: string
  scope: Scope & { k?: number }
  need_id: string | null
  status: ReportStatus
  progress: Record<string, unknown>
  error: string | null
  build: number
  job_id: string | null
  report: Report | null
  summary: Summary | null
  summary_state: 'draft' | 'confirmed'
  confirmed_by: string | null
  confirmed_at: string | null
  created_at: string
  updated_at: string
  completed_at: string | null
}

/** The ordering caller, kept so that the build job sees exactly what that caller may see. */
export type StoredCaller = { kind: 'key'; keyId: string; role: string; orgId: string; orgKind: string } | { kind: 'system'; role: 'system' }

const TS = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${c}`
const COLUMNS = `id, org_id, caller, title, scope, need_id, status, progress, error, build, job_id, report, summary, summary_state,
  confirmed_by, ${TS('confirmed_at')}, ${TS('created_at')}, ${TS('updated_at')}, ${TS('completed_at')}`
const LIST_COLUMNS = `id, org_id, caller, title, scope, need_id, status, progress, error, build, job_id, NULL::jsonb AS report, summary,
  summary_state, confirmed_by, ${TS('confirmed_at')}, ${TS('created_at')}, ${TS('updated_at')}, ${TS('completed_at')}`

const esc = (s: string) => s.replace(/[%_\\]/g, '\\$&')

export const navigationStore = {
  async insert(q: Queryable, r: { orgId: string; caller: StoredCaller; title: string; scope: unknown; needId: string | null }): Promise<ReportRow> {
    const res = await q.query<ReportRow>(
      `INSERT INTO navigation_reports (org_id, caller, title, scope, need_id) VALUES ($1, $2::jsonb, $3, $4::jsonb, $5) RETURNING ${COLUMNS}`,
      [r.orgId, JSON.stringify(r.caller), r.title, JSON.stringify(r.scope), r.needId],
    )
    return res.rows[0]!
  },

  async setJob(q: Queryable, id: string, jobId: string): Promise<void> {
    await q.query('UPDATE navigation_reports SET job_id = $2 WHERE id = $1', [id, jobId])
  },

  async get(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<ReportRow | null> {
    const r = await q.query<ReportRow>(`SELECT ${COLUMNS} FROM navigation_reports WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id])
    return r.rows[0] ?? null
  },

  /** The newest built report of a need (of one organisation's, when `orgId` is given). */
  async latestForNeed(q: Queryable, needId: string, orgId?: string): Promise<ReportRow | null> {
    const r = await q.query<ReportRow>(
      `SELECT ${COLUMNS} FROM navigation_reports WHERE need_id = $1 AND status = 'completed' AND ($2::uuid IS NULL OR org_id = $2)
        ORDER BY completed_at DESC, id DESC LIMIT 1`,
      [needId, orgId ?? null],
    )
    return r.rows[0] ?? null
  },

  /** Newest first; `orgId` restricts to one organisation's reports; keyset cursor on (created_at, id). */
  async list(q: Queryable, f: { orgId?: string; status?: ReportStatus; before?: { at: string; id: string }; limit: number }): Promise<(ReportRow & { at_key: string })[]> {
    const p = new Params()
    const where: string[] = []
    if (f.orgId) where.push(`org_id = ${p.p(f.orgId)}`)
    if (f.status) where.push(`status = ${p.p(f.status)}`)
    if (f.before) where.push(`(created_at, id) < (${p.p(f.before.at)}::timestamptz, ${p.p(f.before.id)}::uuid)`)
    const r = await q.query<ReportRow & { at_key: string }>(
      `SELECT ${LIST_COLUMNS}, ${cursorTime('created_at')} AS at_key FROM navigation_reports ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
        ORDER BY created_at DESC, id DESC LIMIT ${p.p(f.limit)}`,
      p.values,
    )
    return r.rows
  },

  /** Progress of one build; a superseded build (a rebuild was requested) changes nothing. */
  async progress(q: Queryable, id: string, build: number, status: ReportStatus, progress: Record<string, unknown>, error: string | null = null): Promise<boolean> {
    const r = await q.query(
      // a build that completed stays so: an attempt given up that is still running (its retry finished first) writes nothing
      `UPDATE navigation_reports SET status = $3, progress = $4::jsonb, error = $5, updated_at = now()
        WHERE id = $1 AND build = $2 AND status <> 'completed'`,
      [id, build, status, JSON.stringify(progress), error],
    )
    return r.rowCount > 0
  },

  async complete(q: Queryable, id: string, build: number, report: Report, summary: Summary): Promise<boolean> {
    const r = await q.query(
      `UPDATE navigation_reports SET status = 'completed', progress = $3::jsonb, error = NULL, report = $4::jsonb, summary = $5::jsonb,
              summary_state = 'draft', confirmed_by = NULL, confirmed_at = NULL, updated_at = now(), completed_at = now()
        WHERE id = $1 AND build = $2`,
      [id, build, JSON.stringify({ step: 'done', percent: 100 }), JSON.stringify(report), JSON.stringify(summary)],
    )
    return r.rowCount > 0
  },

  /** A new build: queued again, the previous result cleared, the summary back to draft. Returns the new build number. */
  async rebuild(q: Queryable, id: string): Promise<number> {
    const r = await q.query<{ build: number }>(
      `UPDATE navigation_reports SET build = build + 1, status = 'queued', progress = '{}'::jsonb, error = NULL, report = NULL,
              summary = NULL, summary_state = 'draft', confirmed_by = NULL, confirmed_at = NULL, completed_at = NULL, updated_at = now()
        WHERE id = $1 RETURNING build`,
      [id],
    )
    return r.rows[0]!.build
  },

  async confirm(q: Queryable, id: string, keyId: string | null, summary: Summary): Promise<void> {
    await q.query(
      `UPDATE navigation_reports SET summary = $3::jsonb, summary_state = 'confirmed', confirmed_by = $2, confirmed_at = now(), updated_at = now()
        WHERE id = $1`,
      [id, keyId, JSON.stringify(summary)],
    )
  },

  // ---- the scope ----

  /**
   * The scope as SQL over `patents t`, restricted to what the caller may see. `needIds`: the need scope's patents
   * (from the matching pipeline), combined with the other criteria.
   */
  scopeWhere(scope: Scope, caller: Caller, p: Params, needIds?: string[]): string {
    const w: string[] = [KIND_DEFS.patent.visibleSql(caller, p)]
    if (needIds) w.push(`t.id = ANY(${p.p(needIds)}::uuid[])`)
    if (scope.keywords.length) {
      const hay = `lower(t.title || ' ' || t.abstract || ' ' || t.first_claim)`
      w.push(`(${scope.keywords.map((k) => `strpos(${hay}, ${p.p(k.normalize('NFKC').toLowerCase())}) > 0`).join(' OR ')})`)
    }
    if (scope.ipc.length) {
      w.push(`EXISTS (SELECT 1 FROM unnest(t.ipc_codes) c WHERE ${scope.ipc.map((x) => `c LIKE ${p.p(esc(x) + '%')}`).join(' OR ')})`)
    }
    if (scope.applicants.length) {
      w.push(`EXISTS (SELECT 1 FROM unnest(t.applicants) a WHERE ${scope.applicants.map((x) => `strpos(a, ${p.p(x.normalize('NFKC'))}) > 0`).join(' OR ')})`)
    }
    if (scope.date_from) w.push(`t.application_date >= ${p.p(scope.date_from)}::date`)
    if (scope.date_to) w.push(`t.application_date <= ${p.p(scope.date_to)}::date`)
    if (scope.patent_types.length) w.push(`t.patent_type = ANY(${p.p(scope.patent_types)}::text[])`)
    if (scope.legal_status.length) w.push(`t.legal_status = ANY(${p.p(scope.legal_status)}::text[])`)
    return w.join(' AND ')
  },

  /** The scope's patents, newest applications first, at most `cap` + 1 (one more tells that it was cut). */
  async scopeRows(q: Queryable, where: string, p: Params, cap: number): Promise<ScopeRow[]> {
    const r = await q.query<ScopeRow>(
      `SELECT t.id, t.publication_number, t.title, t.abstract, t.applicants, t.ipc_main, t.ipc_codes, t.patent_type, t.legal_status,
              extract(year FROM t.application_date)::int AS year, t.grant_date IS NOT NULL AS granted
         FROM patents t WHERE ${where}
        ORDER BY t.application_date DESC NULLS LAST, t.id LIMIT ${p.p(cap + 1)}`,
      p.values,
    )
    return r.rows
  },

  // ---- aggregates over a list of patent ids ----

  async trend(q: Queryable, ids: string[]): Promise<{ year: number; applications: number; grants: number; applicants: number }[]> {
    const r = await q.query<{ year: number; applications: number; grants: number; applicants: number }>(
      `WITH s AS (SELECT application_date, grant_date, applicants FROM patents WHERE id = ANY($1::uuid[])),
            a AS (SELECT extract(year FROM application_date)::int AS year, count(*)::int AS n FROM s WHERE application_date IS NOT NULL GROUP BY 1),
            g AS (SELECT extract(year FROM grant_date)::int AS year, count(*)::int AS n FROM s WHERE grant_date IS NOT NULL GROUP BY 1),
            p AS (SELECT extract(year FROM application_date)::int AS year, count(DISTINCT x)::int AS n
                    FROM s, unnest(s.applicants) x WHERE application_date IS NOT NULL GROUP BY 1)
       SELECT y.year, coalesce(a.n, 0) AS applications, coalesce(g.n, 0) AS grants, coalesce(p.n, 0) AS applicants
         FROM (SELECT year FROM a UNION SELECT year FROM g) y
         LEFT JOIN a ON a.year = y.year LEFT JOIN g ON g.year = y.year LEFT JOIN p ON p.year = y.year
        ORDER BY y.year`,
      [ids],
    )
    return r.rows
  },

  /**
   * Counts by main IPC subclass (`level` 'subclass', e.g. H01M) or main group (H01M10/00), with counts in the window
   * of the last `window` years up to `refYear` and in the window before it.
   */
  async ipc(q: Queryable, ids: string[], level: 'subclass' | 'group', refYear: number | null, window: number, limit: number) {
    const key = level === 'subclass' ? 'left(ipc_main, 4)' : `CASE WHEN position('/' IN ipc_main) > 0 THEN split_part(ipc_main, '/', 1) || '/00' ELSE ipc_main END`
    const ref = refYear ?? 0
    const r = await q.query<{ code: string; count: number; recent: number; previous: number }>(
      `SELECT ${key} AS code, count(*)::int AS count,
              count(*) FILTER (WHERE extract(year FROM application_date) BETWEEN $2::int - $3::int + 1 AND $2::int)::int AS recent,
              count(*) FILTER (WHERE extract(year FROM application_date) BETWEEN $2::int - 2 * $3::int + 1 AND $2::int - $3::int)::int AS previous
         FROM patents WHERE id = ANY($1::uuid[]) AND ipc_main IS NOT NULL
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $4::int`,
      [ids, ref, window, limit],
    )
    return r.rows
  },

  /** Every applicant with its patents and how many of them it files first (第一申请人). */
  async applicants(q: Queryable, ids: string[]): Promise<{ name: string; count: number; first: number }[]> {
    const r = await q.query<{ name: string; count: number; first: number }>(
      `SELECT a.name, count(*)::int AS count, count(*) FILTER (WHERE a.ord = 1)::int AS first
         FROM patents t, unnest(t.applicants) WITH ORDINALITY AS a(name, ord)
        WHERE t.id = ANY($1::uuid[]) GROUP BY a.name ORDER BY 2 DESC, 1`,
      [ids],
    )
    return r.rows
  },

  async inventors(q: Queryable, ids: string[], limit: number): Promise<{ top: Count[]; total: number }> {
    const r = await q.query<Count & { total: number }>(
      `SELECT name, count, count(*) OVER ()::int AS total FROM (
         SELECT x AS name, count(*)::int AS count FROM patents t, unnest(t.inventors) x WHERE t.id = ANY($1::uuid[]) GROUP BY x
       ) c ORDER BY count DESC, name LIMIT $2`,
      [ids, limit],
    )
    return { top: r.rows.map(({ name, count }) => ({ name, count })), total: r.rows[0]?.total ?? 0 }
  },

  /** Pairs of applicants filing together (each unordered pair once per patent). */
  async pairs(q: Queryable, ids: string[], limit: number): Promise<{ a: string; b: string; count: number }[]> {
    const r = await q.query<{ a: string; b: string; count: number }>(
      `SELECT x AS a, y AS b, count(*)::int AS count
         FROM patents t, unnest(t.applicants) x, unnest(t.applicants) y
        WHERE t.id = ANY($1::uuid[]) AND x < y GROUP BY x, y ORDER BY 3 DESC, 1, 2 LIMIT $2`,
      [ids, limit],
    )
    return r.rows
  },

  async legal(q: Queryable, ids: string[]): Promise<{ status: Count[]; types: Count[] }> {
    const r = await q.query<{ dim: string; name: string; count: number }>(
      `SELECT 'status' AS dim, coalesce(legal_status, 'unknown') AS name, count(*)::int AS count FROM patents WHERE id = ANY($1::uuid[]) GROUP BY 2
       UNION ALL
       SELECT 'type', coalesce(patent_type, 'unknown'), count(*)::int FROM patents WHERE id = ANY($1::uuid[]) GROUP BY 2
       ORDER BY 1, 3 DESC, 2`,
      [ids],
    )
    const pick = (d: string) => r.rows.filter((x) => x.dim === d).map(({ name, count }) => ({ name, count }))
    return { status: pick('status'), types: pick('type') }
  },
}

export interface ScopeRow {
  id: string
  publication_number: string
  title: string
  abstract: string
  applicants: string[]
  ipc_main: string | null
  ipc_codes: string[]
  patent_type: string | null
  legal_status: string | null
  year: number | null
  granted: boolean
}
