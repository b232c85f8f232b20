// Roadshows, who may do what: only organisers and staff build them; another organisation learns nothing of one (404);
// a draft achievement or an unpublished brief never shows through a suggestion, an edit, a view, an export or a result;
// user text is escaped in every export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { CLEAR_NEED, draft, postNeed } from '../helpers/briefs'

let t: TestApp
type Tenant = { orgId: string; key: string }
let org: Tenant, otherOrg: Tenant, uni: Tenant, ent: Tenant, mgr: Tenant
const ids: Record<string, string> = {}
const TAG = '磁悬浮轴承'
// titles of this run (a PostgreSQL database may hold earlier runs' rows with the same tag)
const RUN = Math.random().toString(36).slice(2, 8)

const req = (path: string, key: string, init: { method?: string; json?: unknown } = {}) => t.request(path, { ...init, key })
const create = async (key: string, body: Record<string, unknown>) => {
  const r = await req('/v1/roadshows', key, { method: 'POST', json: body })
  expect(r.status, await r.clone().text()).toBe(201)
  return r.json()
}

beforeAll(async () => {
  t = await createTestApp()
  org = await t.tenant('organizer', 'organizer')
  otherOrg = await t.tenant('organizer', 'organizer')
  uni = await t.tenant('university', 'university')
  ent = await t.tenant('enterprise', 'enterprise')
  mgr = await t.tenant('transfer_center', 'manager')
  const add = async (key: string, title: string, status: string) => {
    const r = await req('/v1/achievements', uni.key, { method: 'POST', json: { title, summary: `${title}：${TAG}转子动力学控制，用于高速离心压缩机。`, maturity: 'pilot', status, external_id: key } })
    expect(r.status, await r.clone().text()).toBe(201)
    ids[key] = (await r.json()).id
  }
  await add('active', `${TAG}高速电机控制技术${RUN}`, 'active')
  await add('evil', `=HYPERLINK("http://evil")<img src=x onerror=alert(1)>${TAG}`, 'active')
  await add('draft', `${TAG}未公开的新方案`, 'draft')
  await t.settle()
})
afterAll(() => t.close())

describe('roadshows: security', () => {
  it('lets only organisers, managers and admins build one', async () => {
    for (const k of [uni, ent]) expect((await req('/v1/roadshows', k.key, { method: 'POST', json: { title: 'x', theme: { keywords: [TAG] } } })).status).toBe(403)
    expect((await req('/v1/roadshows', 'not-a-key', { method: 'POST', json: { title: 'x', theme: { keywords: [TAG] } } })).status).toBe(401)
    expect((await create(mgr.key, { title: '经理人路演', theme: { keywords: [TAG] } })).status).toBe('draft')
  })

  it('never suggests or accepts a draft achievement, and says nothing more of it than of an id that does not exist', async () => {
    // even a manager, who may read drafts, gets only active listings suggested
    for (const k of [org, mgr]) {
      const r = await create(k.key, { title: '轴承专场', theme: { keywords: [TAG] }, size: 20, per_org_max: 20 })
      const shown = [...r.entries, ...r.alternates].map((e: { id: string }) => e.id)
      expect(shown).toContain(ids.active)
      expect(shown).not.toContain(ids.draft)
    }
    const r = await create(org.key, { title: '轴承专场', theme: { keywords: [TAG] }, size: 20, per_org_max: 20 })
    const add = async (id: string) => req(`/v1/roadshows/${r.id}`, org.key, { method: 'PATCH', json: { base_version: 1, entries: [{ kind: 'achievement', id }] } })
    const hidden = await add(ids.draft!)
    const missing = await add('00000000-0000-4000-8000-000000000000')
    expect(hidden.status).toBe(400)
    expect((await hidden.json()).errors).toEqual((await missing.json()).errors)
  })

  it('hides an entry withdrawn to draft after it was listed, from the view, the export and the results, and will not confirm', async () => {
    const r = await create(org.key, { title: '撤回测试', theme: { keywords: [TAG] }, size: 20, per_org_max: 20 })
    expect(r.entries.map((e: { id: string }) => e.id)).toContain(ids.active)
    expect((await req(`/v1/achievements/${ids.active}`, uni.key, { method: 'PATCH', json: { status: 'draft' } })).status).toBe(200)
    try {
      const v = await (await req(`/v1/roadshows/${r.id}`, org.key)).json()
      expect(v.entries.map((e: { id: string }) => e.id)).not.toContain(ids.active)
      expect(v.withdrawn).toBe(1)
      for (const f of ['csv', 'md', 'html']) expect(await (await req(`/v1/roadshows/${r.id}/export?format=${f}`, org.key)).text()).not.toContain(`高速电机控制技术${RUN}`)
      expect(JSON.stringify(await (await req(`/v1/roadshows/${r.id}/results`, org.key)).json())).not.toContain(ids.active)
      expect((await req(`/v1/roadshows/${r.id}/confirm`, org.key, { method: 'POST', json: { version: 1 } })).status).toBe(409)
      // staff see it, marked as no longer presentable
      const staff = await (await req(`/v1/roadshows/${r.id}`, mgr.key)).json()
      expect(staff.entries.find((e: { id: string }) => e.id === ids.active)).toMatchObject({ available: false })
    } finally {
      await req(`/v1/achievements/${ids.active}`, uni.key, { method: 'PATCH', json: { status: 'active' } })
    }
  })

  it('shows a roadshow to its organisation and staff only: 404 for everyone else, on every route', async () => {
    const r = await create(org.key, { title: '仅本机构', theme: { keywords: [TAG] }, size: 2, per_org_max: 2 })
    const entry = r.entries[0]
    for (const k of [otherOrg, uni, ent]) {
      expect((await req(`/v1/roadshows/${r.id}`, k.key)).status).toBe(404)
      expect((await req(`/v1/roadshows/${r.id}/export?format=csv`, k.key)).status).toBe(404)
      expect((await req(`/v1/roadshows/${r.id}/results`, k.key)).status).toBe(404)
      expect((await req(`/v1/roadshows/${r.id}`, k.key, { method: 'PATCH', json: { base_version: 1, title: '改' } })).status).toBe(404)
      expect((await req(`/v1/roadshows/${r.id}/confirm`, k.key, { method: 'POST', json: { version: 1 } })).status).toBe(404)
      expect((await req(`/v1/roadshows/${r.id}/scores`, k.key, { method: 'POST', json: { kind: 'achievement', id: entry.id, judge: 'x', score: 1 } })).status).toBe(404)
      expect((await (await req('/v1/roadshows', k.key)).json()).items.map((x: { id: string }) => x.id)).not.toContain(r.id)
    }
    expect((await req(`/v1/roadshows/${r.id}`, mgr.key)).status).toBe(200)
    expect((await req(`/v1/roadshows/${r.id}`, t.adminKey)).status).toBe(200)
    expect((await (await req('/v1/roadshows', mgr.key)).json()).items.map((x: { id: string }) => x.id)).toContain(r.id)
  })

  it('suggests a brief for a reverse roadshow only once it is published, and only one the organiser may see', async () => {
    const open = await postNeed(t, ent.key, { ...CLEAR_NEED, title: `${TAG}冷却方案`, visibility: 'platform', external_id: 'rs-sec-platform' })
    const priv = await postNeed(t, ent.key, { ...CLEAR_NEED, title: `${TAG}私有需求`, visibility: 'private', external_id: 'rs-sec-private' })
    await t.settle()
    const publish = async (needId: string) => {
      const b = await draft(t, ent.key, needId, { writer: 'template' })
      const theme = { title: '反向', kind: 'reverse', theme: { keywords: [TAG] } }
      // drafted and confirmed, not yet published: nobody is offered it
      await req(`/v1/briefs/${b.id}/confirm`, ent.key, { method: 'POST', json: { version: b.version } })
      expect((await create(org.key, theme)).entries.map((e: { id: string }) => e.id)).not.toContain(b.id)
      expect((await req(`/v1/briefs/${b.id}/publish`, ent.key, { method: 'POST' })).status).toBe(200)
      return { id: b.id as string, ids: (await create(org.key, theme)).entries.map((e: { id: string }) => e.id) }
    }
    const shared = await publish(open)
    expect(shared.ids).toContain(shared.id)
    const hidden = await publish(priv)
    expect(hidden.ids).not.toContain(hidden.id)
    // a manager may read the private need's brief, but not put it on a programme others read, by suggestion or by edit
    const staff = await create(mgr.key, { title: '反向', kind: 'reverse', theme: { keywords: [TAG] } })
    expect(staff.entries.map((e: { id: string }) => e.id)).toContain(shared.id)
    expect(staff.entries.map((e: { id: string }) => e.id)).not.toContain(hidden.id)
    const add = await req(`/v1/roadshows/${staff.id}`, mgr.key, { method: 'PATCH', json: { base_version: 1, entries: [{ kind: 'brief', id: hidden.id }] } })
    expect(add.status).toBe(400)
  })

  it('escapes user text in every export: no markup in HTML or Markdown, no formula in CSV', async () => {
    const r = await create(org.key, { title: '<script>alert("t")</script>路演', theme: { keywords: [TAG] }, size: 20, per_org_max: 20 })
    expect(r.entries.map((e: { id: string }) => e.id)).toContain(ids.evil)
    const html = await req(`/v1/roadshows/${r.id}/export?format=html`, org.key)
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'")
    const body = await html.text()
    expect(body).not.toContain('<script>')
    expect(body).not.toContain('<img')
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;')
    const md = await (await req(`/v1/roadshows/${r.id}/export?format=md`, org.key)).text()
    expect(md).not.toMatch(/<img|<script/)
    // one table row per entry, whatever a title holds
    expect(md.split('\n').filter((l) => l.startsWith('| ')).length).toBe(r.entries.length + 1)
    const csv = await (await req(`/v1/roadshows/${r.id}/export?format=csv`, org.key)).text()
    const cell = csv.split('\r\n').find((l) => l.includes('onerror'))!
    // a cell starting with = is shown as text by spreadsheets, not run
    expect(cell).toContain(`,"'=HYPERLINK(""http://evil"")<img`)
    expect(cell).not.toMatch(/,"?=/)
  })
})
