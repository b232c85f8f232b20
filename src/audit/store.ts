// SQL of the audit trail. recordAudit takes the transaction of the write it describes, so both commit or neither does.
import { createHash } from 'node:crypto'
import type { Queryable } from '../db'
import type { Caller } from '../orgs/access'

export interface AuditEvent {
  action: string // e.g. 'achievement.create', 'match.review', 'key.revoke'
  objectKind: string
  objectId: string | null
  /** the organisation that owns the object, so an organisation's history can be read back */
  orgId?: string | null
  before?: Record<string, unknown> | null
  after?: Record<string, unknown> | null
  /** free, small facts worth keeping (counts, reason codes); never secrets or whole texts */
  note?: Record<string, unknown>
}

export interface AuditRow {
  id: number
  at: string
  actor_kind: 'key' | 'system' | 'judge'
  actor_key_id: string | null
  actor_org_id: string | null
  actor_role: string | null
  action: string
  object_kind: string
  object_id: string | null
  org_id: string | null
  digest: Record<string, unknown>
}

const short = (v: unknown) => createHash('sha256').update(JSON.stringify(v ?? null)).digest('hex').slice(0, 12)

/** Which fields changed, with a short hash of each side's value: enough to tell what changed, not to leak it. */
export function digestOf(before?: Record<string, unknown> | null, after?: Record<string, unknown> | null, note?: Record<string, unknown>) {
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])
  const changed: Record<string, { before: string | null; after: string | null }> = {}
  for (const f of [...fields].sort()) {
    const b = before?.[f]
    const a = after?.[f]
    if (before && after && JSON.stringify(b) === JSON.stringify(a)) continue
    changed[f] = { before: before && f in before ? short(b) : null, after: after && f in after ? short(a) : null }
  }
  return { changed, ...(note ? { note } : {}) }
}

/** Who acted: a key's caller, the system, or a roadshow judge scoring through a link (no key). */
export type Actor = Caller | { kind: 'judge'; role: 'judge' }

export async function recordAudit(q: Queryable, caller: Actor, e: AuditEvent): Promise<void> {
  const key = caller.kind === 'key' ? caller : null
  await q.query(
    `INSERT INTO audit_events (actor_kind, actor_key_id, actor_org_id, actor_role, action, object_kind, object_id, org_id, digest)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
    [
      caller.kind, key?.keyId ?? null, key?.orgId ?? null, key?.role ?? caller.role, e.action, e.objectKind, e.objectId,
      e.orgId ?? null, JSON.stringify(digestOf(e.before, e.after, e.note)),
    ],
  )
}

export interface AuditFilter {
  action?: string
  objectKind?: string
  objectId?: string
  actorKeyId?: string
  orgId?: string
  since?: string
  until?: string
  /** keyset cursor: events strictly older than this id */
  beforeId?: number
  limit: number
}

export async function listAudit(q: Queryable, f: AuditFilter): Promise<AuditRow[]> {
  const where: string[] = []
  const params: unknown[] = []
  const add = (sql: string, v: unknown) => {
    params.push(v)
    where.push(sql.replace('?', `$${params.length}`))
  }
  if (f.action) add('action = ?', f.action)
  if (f.objectKind) add('object_kind = ?', f.objectKind)
  if (f.objectId) add('object_id = ?', f.objectId)
  if (f.actorKeyId) add('actor_key_id = ?', f.actorKeyId)
  if (f.orgId) add('org_id = ?', f.orgId)
  if (f.since) add('at >= ?', f.since)
  if (f.until) add('at < ?', f.until)
  if (f.beforeId) add('id < ?', f.beforeId)
  params.push(f.limit)
  const r = await q.query<AuditRow>(
    `SELECT id::int AS id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor_kind, actor_key_id,
            actor_org_id, actor_role, action, object_kind, object_id, org_id, digest
       FROM audit_events ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY id DESC LIMIT $${params.length}`,
    params,
  )
  return r.rows
}
