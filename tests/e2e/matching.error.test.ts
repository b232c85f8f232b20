// Bad requests to the matching routes: each is a 400/404/409 problem naming what is wrong, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
let mgr: { orgId: string; key: string }
let ent: { orgId: string; key: string }
beforeAll(async () => {
  t = await createTestApp()
  mgr = await t.tenant('transfer_center', 'manager')
  ent = await t.tenant('enterprise', 'enterprise')
})
afterAll(() => t.close())

const forged = Buffer.from(JSON.stringify({ v: 'x', id: '00000000-0000-4000-8000-000000000000' })).toString('base64url')

describe('matching errors', () => {
  it('answers 400 for a malformed id, 404 for an unknown one (not a database error turned into 404)', async () => {
    const bad = await t.request('/v1/needs/not-a-uuid/match', { method: 'POST', key: mgr.key })
    expect(bad.status).toBe(400)
    expect((await bad.json()).errors[0].field).toMatch(/id/)
    const unknown = await t.request('/v1/needs/00000000-0000-4000-8000-000000000000/match', { method: 'POST', key: mgr.key })
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toContain('application/problem+json')
    expect((await t.request('/v1/matches/00000000-0000-4000-8000-000000000000', { key: mgr.key })).status).toBe(404)
    expect((await t.request('/v1/matches/00000000-0000-4000-8000-000000000000/review', { method: 'POST', key: mgr.key, json: { decision: 'confirmed' } })).status).toBe(404)
  })

  it('refuses to run a closed need (409) and lets only its owner or staff run it (403)', async () => {
    const need = await (await t.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '需求已关闭的测试', status: 'closed', visibility: 'public' } })).json()
    const r = await t.request(`/v1/needs/${need.id}/match`, { method: 'POST', key: ent.key })
    expect(r.status).toBe(409)
    const open = await (await t.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '公开需求的测试', visibility: 'public' } })).json()
    const other = await t.tenant('enterprise', 'enterprise')
    expect((await t.request(`/v1/needs/${open.id}/match`, { method: 'POST', key: other.key })).status).toBe(403)
  })

  it('validates list queries and cursors', async () => {
    const need = await (await t.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '游标测试需求' } })).json()
    for (const path of [`/v1/needs/${need.id}/matches?cursor=${forged}`, `/v1/matches?cursor=${forged}`, `/v1/reviews?cursor=${forged}`, '/v1/matches?cursor=%%%']) {
      const r = await t.request(path, { key: mgr.key })
      expect(r.status, path).toBe(400)
      expect((await r.json()).errors[0].field).toBe('query.cursor')
    }
    for (const path of ['/v1/matches?new=maybe', '/v1/matches?state=accepted', '/v1/matches?limit=0', '/v1/reviews?since=yesterday', '/v1/reviews?reviewer=x']) {
      expect((await t.request(path, { key: mgr.key })).status, path).toBe(400)
    }
  })

  it('validates reviews and searches', async () => {
    const r = await t.request('/v1/matches/00000000-0000-4000-8000-000000000000/review', { method: 'POST', key: mgr.key, json: { decision: 'maybe' } })
    expect(r.status).toBe(400)
    const reason = await t.request('/v1/matches/00000000-0000-4000-8000-000000000000/review', { method: 'POST', key: mgr.key, json: { decision: 'rejected', reason_code: '不喜欢' } })
    expect(reason.status).toBe(400)
    expect((await t.request('/v1/search', { method: 'POST', key: mgr.key, json: { query: '', mode: 'fast' } })).status).toBe(400)
  })
})
