// Organisations, keys and authentication: unknown or revoked keys, wrong roles, other organisations, bootstrap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashKey } from '../../src/orgs/service'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('auth', () => {
  it('answers 401 without a key and with an unknown key', async () => {
    const none = await t.request('/v1/me')
    expect(none.status).toBe(401)
    expect((await none.json()).type).toBe('/problems/unauthorized')
    const bad = await t.request('/v1/me', { key: 'tt_nothing_here' })
    expect(bad.status).toBe(401)
  })

  it('lets an admin create an organisation and a key that then works', async () => {
    const org = await t.request('/v1/orgs', { method: 'POST', key: t.adminKey, json: { name: `某某大学 ${Math.random().toString(36).slice(2, 8)}`, kind: 'university', region: '江苏' } })
    expect(org.status).toBe(201)
    const { id } = await org.json()
    const k = await t.request(`/v1/orgs/${id}/keys`, { method: 'POST', key: t.adminKey, json: { name: 'tto', role: 'university' } })
    expect(k.status).toBe(201)
    const created = await k.json()
    expect(created.key).toMatch(/^tt_/)
    const me = await t.request('/v1/me', { key: created.key })
    expect(await me.json()).toEqual({ role: 'university', org_id: id, key_id: created.id })
    // Listing never shows the secret.
    const list = await (await t.request(`/v1/orgs/${id}/keys`, { key: t.adminKey })).json()
    expect(JSON.stringify(list)).not.toContain(created.key)
  })

  it('stores keys only as hashes', async () => {
    const { key } = await t.tenant('enterprise', 'enterprise')
    const rows = await t.db.query<{ key_hash: string; prefix: string }>('SELECT key_hash, prefix FROM api_keys')
    const dump = JSON.stringify(rows.rows)
    expect(dump).not.toContain(key)
    expect(rows.rows.map((r) => r.key_hash)).toContain(hashKey(key))
  })

  it('answers 403 for the wrong role', async () => {
    const { key } = await t.tenant('enterprise', 'enterprise')
    const r = await t.request('/v1/orgs', { method: 'POST', key, json: { name: 'x', kind: 'enterprise' } })
    expect(r.status).toBe(403)
    expect((await r.json()).type).toBe('/problems/forbidden')
  })

  it("answers 404, not 403, for another organisation's object", async () => {
    const a = await t.tenant('enterprise', 'enterprise')
    const b = await t.tenant('enterprise', 'enterprise')
    const own = await t.request(`/v1/orgs/${a.orgId}`, { key: a.key })
    expect(own.status).toBe(200)
    const other = await t.request(`/v1/orgs/${b.orgId}`, { key: a.key })
    expect(other.status).toBe(404)
    const missing = await t.request('/v1/orgs/00000000-0000-4000-8000-000000000000', { key: a.key })
    expect(missing.status).toBe(404)
    expect(await other.json()).toMatchObject({ type: '/problems/not_found' })
  })

  it('refuses a key whose role does not fit the organisation kind', async () => {
    const a = await t.tenant('enterprise', 'enterprise')
    const r = await t.request(`/v1/orgs/${a.orgId}/keys`, { method: 'POST', key: t.adminKey, json: { name: 'x', role: 'admin' } })
    expect(r.status).toBe(400)
    expect((await r.json()).errors[0].field).toBe('role')
  })

  it('stops accepting a revoked key', async () => {
    const a = await t.tenant('university', 'university')
    const me = await (await t.request('/v1/me', { key: a.key })).json()
    const rev = await t.request(`/v1/keys/${me.key_id}`, { method: 'DELETE', key: t.adminKey })
    expect(rev.status).toBe(200)
    expect((await t.request('/v1/me', { key: a.key })).status).toBe(401)
  })

  it('registers ADMIN_BOOTSTRAP_KEY once, idempotently', async () => {
    const key = 'bootstrap-key-for-tests-0123456789'
    const first = await t.services.orgs.bootstrapAdmin({ key })
    const again = await t.services.orgs.bootstrapAdmin({ key })
    expect([first.created, again.created]).toEqual([true, false])
    expect((await t.request('/v1/me', { key })).status).toBe(200)
  })
})
