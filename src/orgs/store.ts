// SQL for organisations and API keys.
import type { Queryable } from '../db'
import type { OrgKind, Role } from './access'

export interface OrgRow {
  id: string
  name: string
  kind: OrgKind
  region: string | null
  created_at: Date
}

export interface ApiKeyRow {
  id: string
  org_id: string
  name: string
  role: Role
  prefix: string
  created_at: Date
  last_used_at: Date | null
  revoked_at: Date | null
}

const KEY_COLS = 'id, org_id, name, role, prefix, created_at, last_used_at, revoked_at'

export const orgStore = {
  async insertOrg(q: Queryable, o: { name: string; kind: OrgKind; region?: string | null }): Promise<OrgRow> {
    const r = await q.query<OrgRow>(
      'INSERT INTO organizations (name, kind, region) VALUES ($1, $2, $3) RETURNING *',
      [o.name, o.kind, o.region ?? null],
    )
    return r.rows[0]!
  },
  async getOrg(q: Queryable, id: string): Promise<OrgRow | null> {
    const r = await q.query<OrgRow>('SELECT * FROM organizations WHERE id = $1', [id])
    return r.rows[0] ?? null
  },
  /** An organisation of this name, compared trimmed and case-insensitively, of any kind. Locks the name space first. */
  async sameNameOrg(q: Queryable, name: string): Promise<OrgRow | null> {
    await q.query("SELECT pg_advisory_xact_lock(hashtext('organizations.name'))") // two creates of one name: one wins
    const r = await q.query<OrgRow>('SELECT * FROM organizations WHERE lower(btrim(name)) = lower(btrim($1)) ORDER BY created_at LIMIT 1', [name])
    return r.rows[0] ?? null
  },
  async findOrgByName(q: Queryable, name: string, kind: OrgKind): Promise<OrgRow | null> {
    const r = await q.query<OrgRow>('SELECT * FROM organizations WHERE name = $1 AND kind = $2 ORDER BY created_at LIMIT 1', [name, kind])
    return r.rows[0] ?? null
  },
  async listOrgs(q: Queryable, opts: { onlyId?: string; after?: string; limit: number }): Promise<OrgRow[]> {
    const r = await q.query<OrgRow>(
      `SELECT * FROM organizations
        WHERE ($1::uuid IS NULL OR id = $1) AND ($2::uuid IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [opts.onlyId ?? null, opts.after ?? null, opts.limit],
    )
    return r.rows
  },
  async insertKey(q: Queryable, k: { orgId: string; name: string; role: Role; prefix: string; keyHash: string }): Promise<ApiKeyRow> {
    const r = await q.query<ApiKeyRow>(
      `INSERT INTO api_keys (org_id, name, role, prefix, key_hash) VALUES ($1, $2, $3, $4, $5) RETURNING ${KEY_COLS}`,
      [k.orgId, k.name, k.role, k.prefix, k.keyHash],
    )
    return r.rows[0]!
  },
  async keyByHash(q: Queryable, keyHash: string): Promise<(ApiKeyRow & { org_kind: OrgKind }) | null> {
    const r = await q.query<ApiKeyRow & { org_kind: OrgKind }>(
      `SELECT k.id, k.org_id, k.name, k.role, k.prefix, k.created_at, k.last_used_at, k.revoked_at, o.kind AS org_kind
         FROM api_keys k JOIN organizations o ON o.id = k.org_id WHERE k.key_hash = $1`,
      [keyHash],
      { prepare: true }, // every request
    )
    return r.rows[0] ?? null
  },
  async setKeyPrefix(q: Queryable, id: string, prefix: string): Promise<void> {
    await q.query('UPDATE api_keys SET prefix = $2 WHERE id = $1', [id, prefix])
  },
  async touchKey(q: Queryable, id: string): Promise<void> {
    // At most one write a minute per key: usage tracking must not turn every read into a write.
    await q.query(
      `UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    )
  },
  async listKeys(q: Queryable, orgId: string): Promise<ApiKeyRow[]> {
    const r = await q.query<ApiKeyRow>(`SELECT ${KEY_COLS} FROM api_keys WHERE org_id = $1 ORDER BY created_at, id`, [orgId])
    return r.rows
  },
  async revokeKey(q: Queryable, id: string): Promise<ApiKeyRow | null> {
    const r = await q.query<ApiKeyRow>(
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${KEY_COLS}`,
      [id],
    )
    return r.rows[0] ?? null
  },
  async countKeys(q: Queryable): Promise<number> {
    const r = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys')
    return r.rows[0]!.n
  },
}
