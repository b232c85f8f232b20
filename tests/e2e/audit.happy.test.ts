// Every write that changes what someone may see or do leaves an audit event in the same transaction; admins read them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const body = { title: '高效光伏组件封装胶膜', summary: '抗PID封装胶膜，透光率不低于91%，已小试。', field: '新能源-光伏', maturity: 'small_pilot' }

describe('audit trail', () => {
  it('records org, key and catalogue writes with actor and changed fields, newest first, filterable', async () => {
    const org = await (await t.request('/v1/orgs', { method: 'POST', key: t.adminKey, json: { name: `审计大学 ${Date.now()}`, kind: 'university', region: '江苏' } })).json()
    const k = await (await t.request(`/v1/orgs/${org.id}/keys`, { method: 'POST', key: t.adminKey, json: { name: 'tto', role: 'university' } })).json()
    const a = await (await t.request('/v1/achievements', { method: 'POST', key: k.key, json: body })).json()
    expect(a.id).toBeTruthy()
    await t.request(`/v1/achievements/${a.id}`, { method: 'PATCH', key: k.key, json: { status: 'archived' } })
    await t.request(`/v1/achievements/${a.id}`, { method: 'DELETE', key: k.key })
    await t.request(`/v1/keys/${k.id}`, { method: 'DELETE', key: t.adminKey })

    const r = await t.request(`/v1/audit?object_id=${a.id}`, { key: t.adminKey })
    expect(r.status).toBe(200)
    const events = (await r.json()).items
    expect(events.map((e: { action: string }) => e.action)).toEqual(['achievement.delete', 'achievement.update', 'achievement.create'])
    expect(events[1]).toMatchObject({ actor_kind: 'key', actor_role: 'university', actor_org_id: org.id, org_id: org.id })
    expect(Object.keys(events[1].digest.changed)).toEqual(['status'])
    // digests never carry the values themselves
    expect(JSON.stringify(events)).not.toContain('抗PID')

    const byOrg = (await (await t.request(`/v1/audit?org_id=${org.id}&limit=2`, { key: t.adminKey })).json())
    expect(byOrg.items).toHaveLength(2)
    expect(byOrg.next_cursor).toBeTruthy()
    const next = await (await t.request(`/v1/audit?org_id=${org.id}&limit=100&cursor=${byOrg.next_cursor}`, { key: t.adminKey })).json()
    const actions = [...byOrg.items, ...next.items].map((e: { action: string }) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['org.create', 'key.create', 'key.revoke', 'achievement.create']))
  })
})
