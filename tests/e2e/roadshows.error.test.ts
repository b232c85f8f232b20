// Roadshows, bad input: every mistake is a 400 naming the field, or a 409 saying what changed; nothing is half-written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
let org: { orgId: string; key: string }
let uni: { orgId: string; key: string }
let achievements: string[] = []

const post = (path: string, json: unknown, key = org.key) => t.request(path, { method: 'POST', key, json })
const fields = async (r: Response) => ((await r.json()) as { errors?: { field: string }[] }).errors?.map((e) => e.field) ?? []

beforeAll(async () => {
  t = await createTestApp()
  org = await t.tenant('organizer', 'organizer')
  uni = await t.tenant('university', 'university')
  for (const [i, title] of ['陶瓷膜错流过滤技术', '陶瓷膜表面改性技术'].entries()) {
    const r = await post('/v1/achievements', { title, summary: `${title}，用于工业废水处理。`, field: '资源环保-水处理', maturity: 'pilot', external_id: `rs-err-${i}` }, uni.key)
    achievements.push((await r.json()).id)
  }
  await t.settle()
})
afterAll(() => t.close())

describe('roadshows: errors', () => {
  it('refuses a theme, size, slot or start it cannot use, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ title: '空主题', theme: {} }, 'body.theme'],
      [{ title: '尺寸', theme: { keywords: ['陶瓷膜'] }, size: 0 }, 'body.size'],
      [{ title: '尺寸', theme: { keywords: ['陶瓷膜'] }, size: 61 }, 'body.size'],
      [{ title: '成熟度', theme: { keywords: ['陶瓷膜'], min_maturity: 'TRL9' } }, 'body.theme.min_maturity'],
      [{ title: '反向', kind: 'reverse', theme: { keywords: ['陶瓷膜'], min_maturity: 'pilot' } }, 'body.theme.min_maturity'],
      [{ title: '时长', theme: { keywords: ['陶瓷膜'] }, slot: { pitch: 0, qa: 5 } }, 'body.slot.pitch'],
      [{ title: '时间', theme: { keywords: ['陶瓷膜'] }, starts_at: '明天下午' }, 'body.starts_at'],
      // valid ISO 8601, but years no database column should hold
      [{ title: '时间', theme: { keywords: ['陶瓷膜'] }, starts_at: '9999-12-31T23:59:59-12:00' }, 'body.starts_at'],
      [{ title: '时间', theme: { keywords: ['陶瓷膜'] }, starts_at: '0000-01-01T00:00:00Z' }, 'body.starts_at'],
      [{ title: '\u0000', theme: { keywords: ['陶瓷膜'] } }, 'body.title'],
      [{ theme: { keywords: ['陶瓷膜'] } }, 'body.title'],
      [{ title: '关键词', theme: { keywords: ['x'.repeat(41)] } }, 'body.theme.keywords.0'],
      [{ title: '休息', theme: { keywords: ['陶瓷膜'] }, breaks: [{ after: 0, minutes: 10 }] }, 'body.breaks.0.after'],
      [{ title: '休息', theme: { keywords: ['陶瓷膜'] }, breaks: [{ after: 2, minutes: 0 }] }, 'body.breaks.0.minutes'],
      [{ title: '休息', theme: { keywords: ['陶瓷膜'] }, breaks: [{ after: 2, minutes: 10 }, { after: 2, minutes: 5 }] }, 'body.breaks'],
      [{ title: '休息', theme: { keywords: ['陶瓷膜'] }, breaks: [{ after: 2, minutes: 10, label: '' }] }, 'body.breaks.0.label'],
    ]
    for (const [body, field] of cases) {
      const r = await post('/v1/roadshows', body)
      expect(r.status, JSON.stringify(body)).toBe(400)
      expect(await fields(r), JSON.stringify(body)).toContain(field)
    }
    const r = await t.request('/v1/roadshows', { method: 'POST', key: org.key, body: 'not json', headers: { 'content-type': 'application/json' } })
    expect(r.status).toBe(400)
    expect((await (await t.request('/v1/roadshows', { key: org.key })).json()).items).toEqual([])
  })

  it('names each bad entry of an edit, and writes none of it', async () => {
    const r = await (await post('/v1/roadshows', { title: '水处理专场', theme: { keywords: ['陶瓷膜'] }, size: 2, per_org_max: 2 })).json()
    expect(r.entries).toHaveLength(2)
    const [a, b] = achievements
    const bad = await t.request(`/v1/roadshows/${r.id}`, {
      method: 'PATCH', key: org.key,
      json: { base_version: 1, size: 4, entries: [{ kind: 'achievement', id: a }, { kind: 'achievement', id: a }, { kind: 'brief', id: b }, { kind: 'achievement', id: '00000000-0000-4000-8000-000000000000' }] },
    })
    expect(bad.status).toBe(400)
    expect(await fields(bad)).toEqual(['body.entries.1.id', 'body.entries.2.kind', 'body.entries.3.id'])
    const same = await (await t.request(`/v1/roadshows/${r.id}`, { key: org.key })).json()
    expect(same.version).toBe(1)
    expect(same.entries.map((e: { id: string }) => e.id)).toEqual(r.entries.map((e: { id: string }) => e.id))
    expect((await t.request(`/v1/roadshows/${r.id}`, { method: 'PATCH', key: org.key, json: { base_version: 1, entries: [{ kind: 'achievement', id: 'nope' }] } })).status).toBe(400)
    expect((await t.request(`/v1/roadshows/${r.id}`, { method: 'PATCH', key: org.key, json: { entries: [] } })).status).toBe(400)
    const farFuture = await t.request(`/v1/roadshows/${r.id}`, { method: 'PATCH', key: org.key, json: { base_version: 1, starts_at: '0000-01-01T00:00:00Z' } })
    expect(farFuture.status).toBe(400)
    expect(await fields(farFuture)).toEqual(['body.starts_at'])
  })

  it('keeps the programme within its size: more entries need a larger size, a smaller size needs fewer entries', async () => {
    const r = await (await post('/v1/roadshows', { title: '场次', theme: { keywords: ['陶瓷膜'] }, size: 1 })).json()
    const both = achievements.map((id) => ({ kind: 'achievement', id }))
    const over = await t.request(`/v1/roadshows/${r.id}`, { method: 'PATCH', key: org.key, json: { base_version: 1, entries: both } })
    expect(over.status).toBe(400)
    expect(await fields(over)).toEqual(['body.entries'])
    const grown = await t.request(`/v1/roadshows/${r.id}`, { method: 'PATCH', key: org.key, json: { base_version: 1, size: 2, entries: both } })
    expect(grown.status).toBe(200)
    expect(await grown.json()).toMatchObject({ size: 2, version: 2 })
    const shrunk = await t.request(`/v1/roadshows/${r.id}`, { method: 'PATCH', key: org.key, json: { base_version: 2, size: 1 } })
    expect(shrunk.status).toBe(400)
    expect(await fields(shrunk)).toEqual(['body.size'])
  })

  it('answers 409 to a stale version, an empty programme, and scores before confirmation', async () => {
    const r = await (await post('/v1/roadshows', { title: '版本', theme: { keywords: ['陶瓷膜'] }, size: 2, per_org_max: 2 })).json()
    const e0 = r.entries[0]
    expect((await post(`/v1/roadshows/${r.id}/scores`, { kind: 'achievement', id: e0.id, judge: '评委A', score: 80 })).status).toBe(409)
    const edit = await t.request(`/v1/roadshows/${r.id}`, { method: 'PATCH', key: org.key, json: { base_version: 1, title: '版本二' } })
    expect(edit.status).toBe(200)
    const stale = await t.request(`/v1/roadshows/${r.id}`, { method: 'PATCH', key: org.key, json: { base_version: 1, title: '版本三' } })
    expect(stale.status).toBe(409)
    expect((await stale.json()).current_version).toBe(2)
    expect((await post(`/v1/roadshows/${r.id}/confirm`, { version: 1 })).status).toBe(409)
    const empty = await t.request(`/v1/roadshows/${r.id}`, { method: 'PATCH', key: org.key, json: { base_version: 2, entries: [] } })
    const emptied = await empty.json()
    expect(emptied.entries).toEqual([])
    expect(emptied.alternates.length).toBeGreaterThanOrEqual(2)
    expect((await post(`/v1/roadshows/${r.id}/confirm`, { version: 3 })).status).toBe(409)
  })

  it('refuses a score out of range, for an item off the programme, or without a judge', async () => {
    const r = await (await post('/v1/roadshows', { title: '评分', theme: { keywords: ['陶瓷膜'] }, size: 1 })).json()
    await post(`/v1/roadshows/${r.id}/confirm`, { version: 1 })
    const on = r.entries[0].id
    const off = achievements.find((x) => x !== on)!
    for (const [body, field] of [
      [{ kind: 'achievement', id: on, judge: '评委A', score: 101 }, 'body.score'],
      [{ kind: 'achievement', id: on, judge: '评委A', score: -1 }, 'body.score'],
      [{ kind: 'achievement', id: on, judge: '', score: 80 }, 'body.judge'],
      [{ kind: 'achievement', id: on, judge: '评委A', score: 80.123 }, 'body.score'],
      [{ kind: 'achievement', id: off, judge: '评委A', score: 80 }, 'body.id'],
    ] as const) {
      const s = await post(`/v1/roadshows/${r.id}/scores`, body)
      expect(s.status, JSON.stringify(body)).toBe(400)
      expect(await fields(s)).toContain(field)
    }
    expect((await (await t.request(`/v1/roadshows/${r.id}/results`, { key: org.key })).json()).items[0].judges).toBe(0)
    expect((await t.request(`/v1/roadshows/${r.id}/export?format=pdf`, { key: org.key })).status).toBe(400)
    expect((await t.request('/v1/roadshows/not-a-uuid', { key: org.key })).status).toBe(400)
  })
})
