// Organisations and API keys: creation (admin only), key verification, bootstrap of the first admin key.
import { createHash, randomBytes } from 'node:crypto'
import { recordAudit } from '../audit/store'
import { ConflictError, InvalidError, NotFoundError } from '../errors'
import type { Db } from '../db'
import { type Caller, type OrgKind, type Role, ROLE_ORG_KINDS, SYSTEM, isStaff, requireRole, visibleOr404 } from './access'
import { type ApiKeyRow, type OrgRow, orgStore } from './store'

export const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex')

/** A public id for listings: random, never derived from (or part of) a secret. */
export const publicKeyId = () => randomBytes(6).toString('base64url').slice(0, 8)

/**
 * A new random key: "tt_" + public id + "_" + 32 random url-safe characters (192 bits). The public id is what listings
 * show as `prefix`; it tells keys apart and carries none of the secret.
 */
export function generateKey(): { key: string; prefix: string } {
  const prefix = publicKeyId()
  return { key: `tt_${prefix}_${randomBytes(24).toString('base64url')}`, prefix }
}

/** How often a key's last use is written. */
const TOUCH_EVERY_MS = 60_000

export function createOrgService(db: Db) {
  async function createOrg(caller: Caller, input: { name: string; kind: OrgKind; region?: string | null }): Promise<OrgRow> {
    requireRole(caller, 'admin')
    return db.transaction(async (tx) => {
      const same = await orgStore.sameNameOrg(tx, input.name)
      if (same) throw new ConflictError(`An organisation named "${same.name}" already exists / 机构名称已存在`, { existing_id: same.id })
      const org = await orgStore.insertOrg(tx, input)
      await recordAudit(tx, caller, { action: 'org.create', objectKind: 'org', objectId: org.id, orgId: org.id, after: { name: org.name, kind: org.kind, region: org.region } })
      return org
    })
  }

  async function getOrg(caller: Caller, id: string): Promise<OrgRow> {
    const org = await orgStore.getOrg(db, id)
    return visibleOr404(org, (o) => isStaff(caller) || (caller.kind === 'key' && caller.orgId === o.id), 'Organization')
  }

  /** A page of organisations by id (the cursor is the last id); non-staff callers see only their own. */
  async function listOrgs(caller: Caller, opts: { cursor?: string; limit: number }): Promise<{ items: OrgRow[]; next_cursor: string | null }> {
    const onlyId = isStaff(caller) ? undefined : caller.kind === 'key' ? caller.orgId : undefined
    const rows = await orgStore.listOrgs(db, { after: opts.cursor, limit: opts.limit + 1, onlyId })
    const items = rows.slice(0, opts.limit)
    return { items, next_cursor: rows.length > opts.limit ? items[items.length - 1]!.id : null }
  }

  async function createKey(
    caller: Caller,
    orgId: string,
    input: { name: string; role: Role },
  ): Promise<{ row: ApiKeyRow; key: string }> {
    requireRole(caller, 'admin')
    const org = await orgStore.getOrg(db, orgId)
    if (!org) throw new NotFoundError('Organization')
    if (!ROLE_ORG_KINDS[input.role].includes(org.kind)) {
      throw new InvalidError([
        { field: 'role', message: `allowed for ${org.kind}: ${rolesFor(org.kind).join(', ')}` },
      ], `Role ${input.role} cannot belong to a ${org.kind} organization / 角色与机构类型不符`)
    }
    const { key, prefix } = generateKey()
    const row = await db.transaction(async (tx) => {
      const k = await orgStore.insertKey(tx, { orgId, name: input.name, role: input.role, prefix, keyHash: hashKey(key) })
      await recordAudit(tx, caller, { action: 'key.create', objectKind: 'api_key', objectId: k.id, orgId, after: { name: k.name, role: k.role } })
      return k
    })
    return { row, key }
  }

  async function listKeys(caller: Caller, orgId: string): Promise<ApiKeyRow[]> {
    requireRole(caller, 'admin')
    if (!(await orgStore.getOrg(db, orgId))) throw new NotFoundError('Organization')
    return orgStore.listKeys(db, orgId)
  }

  async function revokeKey(caller: Caller, keyId: string): Promise<ApiKeyRow> {
    requireRole(caller, 'admin')
    return db.transaction(async (tx) => {
      const row = await orgStore.revokeKey(tx, keyId)
      if (!row) throw new NotFoundError('API key')
      await recordAudit(tx, caller, { action: 'key.revoke', objectKind: 'api_key', objectId: row.id, orgId: row.org_id, after: { revoked: true } })
      return row
    })
  }

  /** Resolves a bearer key to a caller; null when unknown or revoked. */
  async function authenticate(key: string): Promise<Caller | null> {
    const row = await orgStore.keyByHash(db, hashKey(key))
    if (!row || row.revoked_at) return null
    // last use is kept to the minute: a key seen within the last minute is not written again (a statement per request
    // saved; the UPDATE's own condition still holds when several processes race)
    if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() >= TOUCH_EVERY_MS) orgStore.touchKey(db, row.id).catch(() => {})
    return { kind: 'key', keyId: row.id, role: row.role, orgId: row.org_id, orgKind: row.org_kind }
  }

  /**
   * Creates an admin key (and the platform organisation when there is none).
   * With `key` given (ADMIN_BOOTSTRAP_KEY) it is idempotent: an existing key with that hash is left alone.
   */
  async function bootstrapAdmin(opts: { key?: string; name?: string } = {}): Promise<{ key: string; created: boolean; orgId: string }> {
    return db.transaction(async (tx) => {
      const platform =
        (await orgStore.findOrgByName(tx, '平台运营 Platform', 'platform')) ??
        (await orgStore.insertOrg(tx, { name: '平台运营 Platform', kind: 'platform' }))
      // an operator-chosen key gets a random public id: none of its characters are ever stored or listed
      const fresh = opts.key ? { key: opts.key, prefix: publicKeyId() } : generateKey()
      const existing = opts.key ? await orgStore.keyByHash(tx, hashKey(opts.key)) : null
      if (existing) {
        // registered before public ids: replace a prefix that is the start of the secret
        if (opts.key!.startsWith(existing.prefix)) await orgStore.setKeyPrefix(tx, existing.id, publicKeyId())
        return { key: opts.key!, created: false, orgId: platform.id }
      }
      const k = await orgStore.insertKey(tx, {
        orgId: platform.id,
        name: opts.name ?? 'bootstrap admin',
        role: 'admin',
        prefix: fresh.prefix,
        keyHash: hashKey(fresh.key),
      })
      await recordAudit(tx, SYSTEM, { action: 'key.bootstrap', objectKind: 'api_key', objectId: k.id, orgId: platform.id, after: { role: 'admin' } })
      return { key: fresh.key, created: true, orgId: platform.id }
    })
  }

  /** CLI: a key of any role for an existing organisation (no caller: whoever runs the CLI owns the machine). */
  async function createKeyAsOperator(orgId: string, input: { name: string; role: Role }) {
    return createKey({ kind: 'system', role: 'system' }, orgId, input)
  }

  const countKeys = () => orgStore.countKeys(db)

  return { createOrg, getOrg, listOrgs, createKey, listKeys, revokeKey, authenticate, bootstrapAdmin, createKeyAsOperator, countKeys }
}

export function rolesFor(kind: OrgKind): Role[] {
  return (Object.keys(ROLE_ORG_KINDS) as Role[]).filter((r) => ROLE_ORG_KINDS[r].includes(kind))
}

export type OrgService = ReturnType<typeof createOrgService>
