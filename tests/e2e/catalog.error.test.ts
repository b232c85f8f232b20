// Bad input is a 400 problem+json naming the field, never a 500: the inputs of the hardening probe, request by request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { todayInChina } from '../../src/validation'
import { createTestApp, type TestApp, type TestResponse } from '../helpers/app'

let t: TestApp
let ent: { orgId: string; key: string }
let uni: { orgId: string; key: string }
let needId: string
let achievementId: string
beforeAll(async () => {
  t = await createTestApp()
  ent = await t.tenant('enterprise', 'enterprise')
  uni = await t.tenant('university', 'university')
  const n = await t.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '待修改的需求' } })
  needId = (await n.json()).id
  const a = await t.request('/v1/achievements', { method: 'POST', key: uni.key, json: { title: '待修改的成果' } })
  achievementId = (await a.json()).id
})
afterAll(() => t.close())

/** A 400 problem+json whose errors name `field`. */
async function expect400(res: TestResponse, field: string) {
  expect(res.status).toBe(400)
  expect(res.headers.get('content-type')).toContain('application/problem+json')
  const body = await res.json()
  expect(body.type).toBe('/problems/validation_error')
  expect(body.errors.map((e: { field: string }) => e.field)).toContain(field)
  return body
}

const post = (path: string, key: string, json: unknown) => t.request(path, { method: 'POST', key, json })
const patch = (path: string, key: string, json: unknown) => t.request(path, { method: 'PATCH', key, json })

describe('dates out of range', () => {
  it('POST /v1/needs {"title":"x","deadline":"0000-01-01"}', async () => {
    const b = await expect400(await post('/v1/needs', ent.key, { title: 'x', deadline: '0000-01-01' }), 'body.deadline')
    expect(b.errors.find((e: { field: string }) => e.field === 'body.deadline').message).toMatch(/1900/)
  })
  it('PATCH /v1/needs/{id} {"deadline":"0000-01-01"}', async () => {
    await expect400(await patch(`/v1/needs/${needId}`, ent.key, { deadline: '0000-01-01' }), 'body.deadline')
  })
  it('POST /v1/needs with a far-future deadline (9999-12-31)', async () => {
    await expect400(await post('/v1/needs', ent.key, { title: 'x', deadline: '9999-12-31' }), 'body.deadline')
  })
  it('POST /v1/patents with application_date 0001-01-01, and PATCH with grant_date 2300-01-01', async () => {
    const r = await post('/v1/patents', uni.key, { publication_number: 'CN114999001A', title: '专利', application_date: '0001-01-01' })
    await expect400(r, 'body.application_date')
    const ok = await post('/v1/patents', uni.key, { publication_number: 'CN114999002A', title: '专利' })
    expect(ok.status).toBe(201)
    await expect400(await patch(`/v1/patents/${(await ok.json()).id}`, uni.key, { grant_date: '2300-01-01' }), 'body.grant_date')
  })
  it('GET /v1/audit?since=0000-01-01T00:00:00Z', async () => {
    await expect400(await t.request('/v1/audit?since=0000-01-01T00:00:00Z', { key: t.adminKey }), 'query.since')
  })
})

describe('deadlines in the past (issue 11)', () => {
  it('POST /v1/needs with yesterday as deadline is a 400; today is accepted', async () => {
    const y = new Date(Date.parse(todayInChina()) - 86400e3).toISOString().slice(0, 10)
    const b = await expect400(await post('/v1/needs', ent.key, { title: '过期需求', deadline: y }), 'body.deadline')
    expect(b.errors[0].message).toMatch(/past|早于今天/)
    expect((await post('/v1/needs', ent.key, { title: '今天截止的需求', deadline: todayInChina() })).status).toBe(201)
  })
  it('PATCH /v1/needs/{id} {"deadline":"2020-01-01"} is a 400 and changes nothing', async () => {
    await expect400(await patch(`/v1/needs/${needId}`, ent.key, { deadline: '2020-01-01' }), 'body.deadline')
    expect((await (await t.request(`/v1/needs/${needId}`, { key: ent.key })).json()).deadline).toBeNull()
  })
})

describe('NUL and lone surrogates in text', () => {
  it('{"title":"a\\u0000b"} on every catalogue, create and patch', async () => {
    await expect400(await post('/v1/needs', ent.key, { title: 'a\u0000b' }), 'body.title')
    await expect400(await post('/v1/achievements', uni.key, { title: 'a\u0000b' }), 'body.title')
    await expect400(await post('/v1/patents', uni.key, { publication_number: 'CN114999003A', title: 'a\u0000b' }), 'body.title')
    await expect400(await patch(`/v1/needs/${needId}`, ent.key, { description: 'x\u0000' }), 'body.description')
    await expect400(await patch(`/v1/achievements/${achievementId}`, uni.key, { keywords: ['ok', 'b\u0000'] }), 'body.keywords.1')
  })
  it('NUL in list filters: /v1/needs?q=%00, ?region=a%00, /v1/patents?applicant=a%00, /v1/achievements?field=a%00', async () => {
    await expect400(await t.request('/v1/needs?q=%00', { key: ent.key }), 'query.q')
    await expect400(await t.request('/v1/needs?region=a%00', { key: ent.key }), 'query.region')
    await expect400(await t.request('/v1/patents?applicant=a%00', { key: ent.key }), 'query.applicant')
    await expect400(await t.request('/v1/achievements?field=a%00', { key: ent.key }), 'query.field')
    // an encoded lone surrogate is not UTF-8: kept as the literal text, never a 5xx
    expect((await t.request('/v1/achievements?q=%ED%A0%80', { key: ent.key })).status).toBe(200)
  })
  it('a lone surrogate inside a JSON column: {"title":"y","indicators":[{"name":"\\ud800"}]}', async () => {
    // JSON.stringify would escape it; send the raw JSON text as a client would
    const res = await t.request('/v1/needs', {
      method: 'POST', key: ent.key, headers: { 'content-type': 'application/json' },
      body: '{"title":"y","indicators":[{"name":"\\ud800"}]}',
    })
    await expect400(res, 'body.indicators.0.name')
    const low = await t.request('/v1/needs', {
      method: 'POST', key: ent.key, headers: { 'content-type': 'application/json' },
      body: '{"title":"\\udc00y"}',
    })
    await expect400(low, 'body.title')
  })
  it('in organisation, key, audit and match bodies and filters', async () => {
    await expect400(await post('/v1/orgs', t.adminKey, { name: 'x\u0000', kind: 'enterprise' }), 'body.name')
    await expect400(await post(`/v1/orgs/${ent.orgId}/keys`, t.adminKey, { name: '\ud800', role: 'enterprise' }), 'body.name')
    await expect400(await t.request('/v1/audit?action=a%00', { key: t.adminKey }), 'query.action')
    await expect400(await post('/v1/search', ent.key, { query: '电池\u0000' }), 'body.query')
  })
})

describe('forged cursors', () => {
  const forged = Buffer.from(JSON.stringify({ at: 'x', id: '00000000-0000-4000-8000-000000000000' })).toString('base64url')
  it('base64url of {"at":"x","id":...} on needs and achievements', async () => {
    await expect400(await t.request(`/v1/needs?cursor=${forged}`, { key: ent.key }), 'query.cursor')
    await expect400(await t.request(`/v1/achievements?cursor=${forged}`, { key: ent.key }), 'query.cursor')
  })
  it('other forgeries: a year-0 time, extra fields, a rank cursor on a plain list, a time cursor on a keyword query, garbage', async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const id = '00000000-0000-4000-8000-000000000000'
    for (const c of [
      enc({ at: '0000-01-01T00:00:00Z', id }),
      enc({ at: '2025-01-01T00:00:00Z', id, rank: 1 }),
      enc({ rank: 0.5, id }),
      enc({ at: '2025-01-01T00:00:00Z', id: 'x' }),
      enc([1, 2]),
      'not-base64-!!',
    ]) {
      await expect400(await t.request(`/v1/patents?cursor=${encodeURIComponent(c)}`, { key: ent.key }), 'query.cursor')
    }
    await expect400(await t.request(`/v1/patents?q=电池&cursor=${enc({ at: '2025-01-01T00:00:00Z', id })}`, { key: ent.key }), 'query.cursor')
    await expect400(await t.request(`/v1/patents?q=电池&cursor=${enc({ rank: 1e300, id })}`, { key: ent.key }), 'query.cursor')
  })
  it('a real cursor still pages', async () => {
    for (let i = 0; i < 3; i++) await post('/v1/needs', ent.key, { title: `翻页需求 ${i}` })
    const first = await (await t.request(`/v1/needs?org_id=${ent.orgId}&limit=2`, { key: ent.key })).json()
    expect(first.next_cursor).toBeTruthy()
    const second = await t.request(`/v1/needs?org_id=${ent.orgId}&limit=2&cursor=${first.next_cursor}`, { key: ent.key })
    expect(second.status).toBe(200)
    expect((await second.json()).items.length).toBeGreaterThan(0)
  })
})
