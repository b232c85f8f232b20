// Roadshow shortlists as an organiser uses them on the demo catalogue: a themed, diverse suggestion; an edited
// programme with slot times; confirmation; the exported programme; judges' scores with the extremes dropped; and a
// reverse roadshow of published challenge briefs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { CLEAR_NEED, draft, postNeed } from '../helpers/briefs'
import { loadDemoData } from '../helpers/demo'

let t: TestApp
let org: { orgId: string; key: string }
type E = { position: number | null; id: string; title: string; org_name: string; field: string; maturity: string; source: string; reasons: string[]; score: number | null; starts_at: string | null; ends_at: string | null; available: boolean }
const STAGES = ['lab', 'small_pilot', 'pilot', 'industrial']

const create = async (body: Record<string, unknown>, key = org.key) => {
  const r = await t.request('/v1/roadshows', { method: 'POST', key, json: body })
  expect(r.status, await r.clone().text()).toBe(201)
  return r.json()
}
const countBy = (xs: E[]) => xs.reduce((m, e) => m.set(e.org_name, (m.get(e.org_name) ?? 0) + 1), new Map<string, number>())

beforeAll(async () => {
  t = await createTestApp({}, { isolated: true })
  await loadDemoData(t.rt)
  await t.settle()
  org = await t.tenant('organizer', 'organizer')
})
afterAll(() => t.close())

describe('roadshows: an organiser builds a programme', () => {
  it('suggests achievements inside the theme, most relevant first, with no organisation above its cap', async () => {
    const r = await create({ title: '智能制造专场路演', theme: { industry: '智能制造', keywords: ['视觉检测', '工业机器人'], min_maturity: 'pilot' }, size: 4, per_org_max: 2 })
    expect(r).toMatchObject({ kind: 'achievements', kind_label: '成果路演', status: 'draft', version: 1, size: 4, per_org_max: 2, slot: { pitch: 8, qa: 7 }, withdrawn: 0 })
    expect(r.entries).toHaveLength(4)
    expect(r.entries.map((e: E) => e.position)).toEqual([1, 2, 3, 4])
    for (const e of [...r.entries, ...r.alternates] as E[]) {
      expect(e.field.startsWith('智能制造')).toBe(true)
      expect(STAGES.indexOf(e.maturity)).toBeGreaterThanOrEqual(STAGES.indexOf('pilot'))
      expect(e).toMatchObject({ source: 'suggested', available: true })
    }
    for (const n of countBy(r.entries).values()) expect(n).toBeLessThanOrEqual(2)
    // the keywords' own listings lead
    expect(r.entries[0].title).toMatch(/视觉|机器人/)
    expect(r.entries[0].reasons.join('；')).toMatch(/关键词：.*(视觉检测|工业机器人)/)
    expect(r.entries[0].reasons.join('；')).toMatch(/成熟度：(中试|产业化)/)
    // the suggested order is the pipeline's
    const scores = r.entries.map((e: E) => e.score)
    expect([...scores].sort((a, b) => b - a)).toEqual(scores)
    // what the cap pushed out is an alternate that says so
    const capped = r.alternates.filter((e: E) => e.reasons.some((x) => x.startsWith('同一单位已有')))
    for (const e of capped) expect(countBy(r.entries).get(e.org_name)).toBe(2)
    expect(r.alternates.every((e: E) => e.position === null)).toBe(true)
  })

  it('ranks a theme without keywords by maturity, one organisation each by default at a small size', async () => {
    const r = await create({ title: '先进材料专场', theme: { industry: '先进材料' }, size: 3 })
    expect(r.per_org_max).toBe(1)
    expect(r.entries).toHaveLength(3)
    expect(new Set(r.entries.map((e: E) => e.org_name)).size).toBe(3)
    expect(r.entries[0].maturity).toBe('industrial')
    expect(r.entries.every((e: E) => e.score === null && e.field.startsWith('先进材料'))).toBe(true)
  })

  it('keeps the organiser\'s order, alternates moved in and items added; slot times follow; then confirms, exports and scores', async () => {
    const r = await create({ title: '新能源成果路演', theme: { keywords: ['电池'] }, size: 3 })
    expect(r.entries.length).toBe(3)
    expect(r.alternates.length).toBeGreaterThan(0)
    const extra = (await t.db.query<{ id: string }>(`SELECT id FROM achievements WHERE title = '风电机组叶片覆冰智能监测系统'`)).rows[0]!.id
    const order = [r.entries[2], r.alternates[0], r.entries[0]].map((e: E) => ({ kind: 'achievement', id: e.id }))
    const patched = await t.request(`/v1/roadshows/${r.id}`, {
      method: 'PATCH', key: org.key,
      json: { base_version: 1, title: '新能源成果路演（第二期）', size: 4, starts_at: '2026-12-10T14:00:00+08:00', slot: { pitch: 8, qa: 5 }, entries: [...order, { kind: 'achievement', id: extra }] },
    })
    expect(patched.status, await patched.clone().text()).toBe(200)
    const v2 = await patched.json()
    expect(v2).toMatchObject({ version: 2, status: 'draft', title: '新能源成果路演（第二期）', size: 4, slot: { pitch: 8, qa: 5 } })
    expect(v2.entries.map((e: E) => e.id)).toEqual([...order.map((o) => o.id), extra])
    expect(v2.entries.map((e: E) => e.source)).toEqual(['suggested', 'suggested', 'suggested', 'organizer'])
    expect(v2.entries[3].reasons).toEqual(['组织者添加'])
    // the entry left out is an alternate now, with its suggestion kept
    expect(v2.alternates.map((e: E) => e.id)).toContain(r.entries[1].id)
    // 13-minute slots from 14:00 Beijing time
    expect(v2.entries.map((e: E) => [e.starts_at, e.ends_at])).toEqual([
      ['2026-12-10T06:00:00.000Z', '2026-12-10T06:13:00.000Z'], ['2026-12-10T06:13:00.000Z', '2026-12-10T06:26:00.000Z'],
      ['2026-12-10T06:26:00.000Z', '2026-12-10T06:39:00.000Z'], ['2026-12-10T06:39:00.000Z', '2026-12-10T06:52:00.000Z'],
    ])

    const confirmed = await (await t.request(`/v1/roadshows/${r.id}/confirm`, { method: 'POST', key: org.key, json: { version: 2 } })).json()
    expect(confirmed).toMatchObject({ status: 'confirmed', confirmed_version: 2 })
    expect((await (await t.request('/v1/roadshows', { key: org.key })).json()).items.map((x: { id: string }) => x.id)).toContain(r.id)

    const csv = await t.request(`/v1/roadshows/${r.id}/export?format=csv`, { key: org.key })
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const bytes = new Uint8Array(await csv.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]) // a BOM: Excel reads the Chinese right
    const lines = new TextDecoder().decode(bytes).split('\r\n')
    expect(lines[0]).toBe('序号 No.,时间 Time,名称 Title,单位 Organisation,领域 Field,成熟度 Maturity,地区 Region,推荐理由 Why')
    expect(lines[1]).toMatch(new RegExp(`^1,14:00-14:13,${v2.entries[0].title},`))
    expect(lines[4]).toMatch(/^4,14:39-14:52,风电机组叶片覆冰智能监测系统,江南理工大学,新能源-风电,产业化,江苏,组织者添加$/)
    const md = await (await t.request(`/v1/roadshows/${r.id}/export?format=md`, { key: org.key })).text()
    expect(md).toMatch(/^# 新能源成果路演（第二期）/)
    expect(md).toContain('已确认 v2')
    expect(md).toContain('路演 8 分钟 \\+ 问答 5 分钟 · 2026\\-12\\-10 14:00 开始')
    const html = await (await t.request(`/v1/roadshows/${r.id}/export`, { key: org.key })).text()
    expect(html).toContain('<h1>新能源成果路演（第二期）</h1>')

    // judges: the highest and the lowest score are dropped once there are three
    const [a, b] = v2.entries as E[]
    const score = (e: E, judge: string, s: number) => t.request(`/v1/roadshows/${r.id}/scores`, { method: 'POST', key: org.key, json: { kind: 'achievement', id: e.id, judge, score: s } })
    for (const [j, s] of [['评委A', 80], ['评委B', 95], ['评委C', 60], ['评委D', 85]] as const) expect((await score(a!, j, s)).status).toBe(200)
    await score(b!, '评委A', 70)
    await score(b!, '评委B', 99)
    const res = await (await score(b!, '评委B', 90)).json() // scoring again replaces
    expect(res.items[0]).toMatchObject({ rank: 1, id: a!.id, judges: 4, mean: 80, trimmed_mean: 82.5, dropped: { lowest: 60, highest: 95 } })
    expect(res.items[1]).toMatchObject({ rank: 2, id: b!.id, judges: 2, mean: 80, trimmed_mean: 80, dropped: null })
    expect(res.items.slice(2).map((x: { rank: number | null; judges: number }) => [x.rank, x.judges])).toEqual([[null, 0], [null, 0]])
    expect(await (await t.request(`/v1/roadshows/${r.id}/results`, { key: org.key })).json()).toEqual(res)
  })

  it('puts breaks between slots: the times after shift, the exports and the judge see them, an edit replaces them', async () => {
    const r = await create({ title: '带茶歇的专场', theme: { keywords: ['视觉', '机器人'] }, size: 3, per_org_max: 3, starts_at: '2026-12-10T06:00:00Z', breaks: [{ after: 1, minutes: 10 }, { after: 3, minutes: 60, label: '午休' }] })
    const hm = (s: string) => new Date(Date.parse(s) + 8 * 3600_000).toISOString().slice(11, 16)
    expect(r.entries.map((e: E) => `${hm(e.starts_at!)}-${hm(e.ends_at!)}`)).toEqual(['14:00-14:15', '14:25-14:40', '14:40-14:55'])
    // the lunch after the last entry is kept (an editor sends it back), not shown
    expect(r.breaks).toEqual([
      { after: 1, minutes: 10, label: '茶歇', starts_at: '2026-12-10T06:15:00.000Z', ends_at: '2026-12-10T06:25:00.000Z', shown: true },
      { after: 3, minutes: 60, label: '午休', starts_at: null, ends_at: null, shown: false },
    ])
    const csv = await (await t.request(`/v1/roadshows/${r.id}/export?format=csv`, { key: org.key })).text()
    const lines = csv.replace(/^\ufeff/, '').split('\r\n')
    expect(lines[2]).toBe(',14:15-14:25,茶歇（10 分钟）,,,,,')
    expect(lines[3]!.startsWith('2,14:25-14:40,')).toBe(true)
    const html = await (await t.request(`/v1/roadshows/${r.id}/export?format=html`, { key: org.key })).text()
    expect(html).toContain('<tr class="pause">')

    const edited = await (await t.request(`/v1/roadshows/${r.id}`, { method: 'PATCH', key: org.key, json: { base_version: 1, breaks: [{ after: 2, minutes: 5, label: '合影' }] } })).json()
    expect(edited.version).toBe(2)
    expect(edited.entries.map((e: E) => hm(e.starts_at!))).toEqual(['14:00', '14:15', '14:35'])
    expect(edited.breaks.map((b: { label: string }) => b.label)).toEqual(['合影'])
    expect(csv).not.toContain('午休')
    // an edit that leaves breaks out keeps them
    const kept = await (await t.request(`/v1/roadshows/${r.id}`, { method: 'PATCH', key: org.key, json: { base_version: 2, title: '带合影的专场' } })).json()
    expect(kept.breaks.map((b: { after: number }) => b.after)).toEqual([2])

    await t.request(`/v1/roadshows/${r.id}/confirm`, { method: 'POST', key: org.key, json: { version: 3 } })
    const judge = await (await t.request(`/v1/roadshows/${r.id}/judges`, { method: 'POST', key: org.key, json: { name: '评委甲' } })).json()
    const view = await (await t.request('/v1/judging/roadshow', { key: judge.token })).json()
    expect(view.entries.map((e: E) => hm(e.starts_at!))).toEqual(['14:00', '14:15', '14:35'])
    expect(view.breaks).toEqual([expect.objectContaining({ after: 2, label: '合影' })])
  })

  it('builds a reverse roadshow (反向路演) from published challenge briefs only', async () => {
    const ent = await t.tenant('enterprise', 'enterprise', '储能系统集成公司')
    const publishedNeed = await postNeed(t, ent.key, { ...CLEAR_NEED, visibility: 'public', external_id: 'rs-published' })
    const draftNeed = await postNeed(t, ent.key, { ...CLEAR_NEED, title: '储能液冷板轻量化设计', visibility: 'public', external_id: 'rs-draft' })
    await t.settle()
    const b = await draft(t, ent.key, publishedNeed, { writer: 'template' })
    await draft(t, ent.key, draftNeed, { writer: 'template' }) // drafted, never published
    expect((await t.request(`/v1/briefs/${b.id}/confirm`, { method: 'POST', key: ent.key, json: { version: b.version } })).status).toBe(200)
    expect((await t.request(`/v1/briefs/${b.id}/publish`, { method: 'POST', key: ent.key })).status).toBe(200)

    const r = await create({ title: '储能企业出题专场', kind: 'reverse', theme: { keywords: ['液冷板', '储能'] }, size: 5 })
    expect(r).toMatchObject({ kind: 'reverse', kind_label: '反向路演（企业出题）' })
    expect(r.entries.map((e: E) => e.id)).toEqual([b.id])
    expect(r.entries[0]).toMatchObject({ kind: 'brief', org_name: '储能系统集成公司', maturity: null, available: true })
    expect(r.entries[0].title).toBe(b.content.title)
    expect(r.entries[0].reasons[0]).toBe('关键词：液冷板、储能')
    expect(r.entries[0].score).toBe(1)
    // a theme its briefs do not share has nothing to present
    expect((await create({ title: '生物医药出题', kind: 'reverse', theme: { keywords: ['单克隆抗体'] }, size: 5 })).entries).toEqual([])
  })
})
