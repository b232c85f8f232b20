// Challenge briefs, who may do what: other organisations, other roles, unpublished briefs, the need's visibility,
// and escaping of user text in exports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { CLEAR_NEED, draft, postNeed } from '../helpers/briefs'

let t: TestApp
type Tenant = { orgId: string; key: string }
let ent: Tenant, other: Tenant, mgr: Tenant, uni: Tenant, org: Tenant

beforeAll(async () => {
  t = await createTestApp()
  ent = await t.tenant('enterprise', 'enterprise')
  other = await t.tenant('enterprise', 'enterprise')
  mgr = await t.tenant('transfer_center', 'manager')
  uni = await t.tenant('university', 'university')
  org = await t.tenant('organizer', 'organizer')
})
afterAll(() => t.close())

const status = async (path: string, key: string, init: RequestInit & { json?: unknown } = {}) => (await t.request(path, { ...init, key })).status

async function publishedBrief(visibility: 'public' | 'platform' | 'private', tag: string) {
  const needId = await postNeed(t, ent.key, { ...CLEAR_NEED, visibility, external_id: `${visibility}-${tag}` })
  await t.settle()
  const b = await draft(t, ent.key, needId, { writer: 'template' })
  return { needId, id: b.id as string, version: b.version as number }
}

describe('briefs: security', () => {
  it('nobody but the need\'s enterprise and staff sees a brief before it is published, even on a public need', async () => {
    const { needId, id, version } = await publishedBrief('public', 'unpub')
    for (const k of [other, uni, org]) {
      expect(await status(`/v1/briefs/${id}`, k.key)).toBe(404)
      expect(await status(`/v1/briefs/${id}/versions`, k.key)).toBe(404)
      expect(await status(`/v1/briefs/${id}/versions/1`, k.key)).toBe(404)
      expect(await status(`/v1/briefs/${id}/diff?from=1&to=1`, k.key)).toBe(404)
      expect(await status(`/v1/briefs/${id}/export?format=html`, k.key)).toBe(404)
      // the need is public: its brief list answers, without the unpublished brief
      expect((await (await t.request(`/v1/needs/${needId}/briefs`, { key: k.key })).json()).items).toEqual([])
      // and nobody else may act on it: 404, never 403, so the id leaks nothing
      expect(await status(`/v1/briefs/${id}`, k.key, { method: 'PATCH', json: { base_version: version, content: { budget: '1元' } } })).toBe(404)
      expect(await status(`/v1/briefs/${id}/confirm`, k.key, { method: 'POST', json: { version } })).toBe(404)
      expect(await status(`/v1/briefs/${id}/publish`, k.key, { method: 'POST' })).toBe(404)
    }
    // the draft job belongs to the need's organisation
    const job = (await (await t.request(`/v1/needs/${needId}/briefs`, { key: ent.key })).json()).items[0].job_id
    expect(await status(`/v1/jobs/${job}`, other.key)).toBe(404)
    expect(await status(`/v1/jobs/${job}`, ent.key)).toBe(200)
    expect(await status(`/v1/briefs/${id}`, mgr.key)).toBe(200)
    expect(await status(`/v1/briefs/${id}`, t.adminKey)).toBe(200)
  })

  it('only the need\'s enterprise or a manager drafts, edits, confirms, publishes and moves a brief', async () => {
    const needId = await postNeed(t, ent.key, { ...CLEAR_NEED, visibility: 'public', external_id: 'roles' })
    await t.settle()
    // another enterprise and a university can see the public need but may not draft from it
    for (const k of [other, uni, org]) expect(await status(`/v1/needs/${needId}/briefs`, k.key, { method: 'POST', json: {} })).toBe(403)
    const b = await draft(t, mgr.key, needId, { writer: 'template' })
    expect(await status(`/v1/briefs/${b.id}/confirm`, ent.key, { method: 'POST', json: { version: 1 } })).toBe(200)
    expect(await status(`/v1/briefs/${b.id}/publish`, mgr.key, { method: 'POST' })).toBe(200)
    // published on a public need: everyone reads it, nobody else changes it (403: they can see it)
    for (const k of [other, uni, org]) {
      expect(await status(`/v1/briefs/${b.id}`, k.key)).toBe(200)
      expect(await status(`/v1/briefs/${b.id}/export?format=md`, k.key)).toBe(200)
      expect(await status(`/v1/briefs/${b.id}/stage`, k.key, { method: 'POST', json: { stage: 'awaiting' } })).toBe(403)
    }
    expect(await status(`/v1/briefs/${b.id}/stage`, ent.key, { method: 'POST', json: { stage: 'awaiting' } })).toBe(200)
    const audit = (await (await t.request(`/v1/audit?object_id=${b.id}&action=brief.stage`, { key: t.adminKey })).json()).items
    expect(audit).toHaveLength(1) // refused attempts left no change behind
  })

  it('a published brief is seen according to the need\'s visibility', async () => {
    const publish = async (v: 'platform' | 'private') => {
      const b = await publishedBrief(v, 'vis')
      await t.request(`/v1/briefs/${b.id}/confirm`, { method: 'POST', key: ent.key, json: { version: b.version } })
      expect(await status(`/v1/briefs/${b.id}/publish`, ent.key, { method: 'POST' })).toBe(200)
      return b
    }
    const platform = await publish('platform')
    expect(await status(`/v1/briefs/${platform.id}`, uni.key)).toBe(200)
    expect(await status(`/v1/briefs/${platform.id}`, org.key)).toBe(200)
    expect(await status(`/v1/briefs/${platform.id}`, other.key)).toBe(404) // platform needs are not shown to other enterprises
    const priv = await publish('private')
    for (const k of [uni, org, other]) {
      expect(await status(`/v1/briefs/${priv.id}`, k.key)).toBe(404)
      expect(await status(`/v1/needs/${priv.needId}/briefs`, k.key)).toBe(404)
    }
    expect(await status(`/v1/briefs/${priv.id}`, ent.key)).toBe(200)
  })

  it('another enterprise cannot draft from, or learn of, a private need', async () => {
    const needId = await postNeed(t, ent.key, { ...CLEAR_NEED, visibility: 'private', external_id: 'private-draft' })
    expect(await status(`/v1/needs/${needId}/briefs`, other.key, { method: 'POST', json: {} })).toBe(404)
    expect(await status(`/v1/needs/${needId}/briefs`, uni.key, { method: 'POST', json: {} })).toBe(404)
  })

  it('escapes user text in exports: no markup, scripts or links get through', async () => {
    const needId = await postNeed(t, ent.key, {
      title: '<script>alert(1)</script>液冷板 [点我](javascript:alert(2))',
      description: '温差≤3℃。<img src=x onerror=alert(3)> # 标题 | 表格 | ![x](http://evil.example/x.png)',
      external_id: 'xss',
    })
    await t.settle()
    const b = await draft(t, ent.key, needId, { writer: 'template' })
    const html = await (await t.request(`/v1/briefs/${b.id}/export?format=html`, { key: ent.key })).text()
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    const md = await (await t.request(`/v1/briefs/${b.id}/export?format=md`, { key: ent.key })).text()
    expect(md).not.toMatch(/<script|<img|\]\(javascript:|!\[x\]\(http/)
    expect(md).toContain('\\[点我\\]\\(javascript:alert\\(2\\)\\)')
  })
})
