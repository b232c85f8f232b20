// Challenge briefs, the happy path: a manager drafts from a need, the enterprise edits (new versions), confirms and
// publishes, then moves the 榜单 through its lifecycle; every step audited; exports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { CLEAR_NEED, draft, postNeed, VAGUE_NEED } from '../helpers/briefs'

let t: TestApp
let ent: { orgId: string; key: string }
let mgr: { orgId: string; key: string }
let uni: { orgId: string; key: string }

beforeAll(async () => {
  t = await createTestApp()
  // no region: the vague need below states none, and would otherwise take its organisation's (a boundary condition)
  ent = await t.tenant('enterprise', 'enterprise', '苏州某储能科技有限公司', { region: null })
  mgr = await t.tenant('transfer_center', 'manager')
  uni = await t.tenant('university', 'university')
})
afterAll(() => t.close())

describe('briefs: draft, edit, confirm, publish, lifecycle', () => {
  it('turns a clear need into a brief with its targets, a high clarity score, and every version kept', async () => {
    const needId = await postNeed(t, ent.key, CLEAR_NEED)
    await t.settle()
    const b = await draft(t, mgr.key, needId, { writer: 'template' })
    expect(b).toMatchObject({ need_id: needId, status: 'draft', version: 1, writer: 'template', model: null, prompt_version: 'template/v1' })
    expect(b.input_hash).toMatch(/^[0-9a-f]{32}$/)
    expect(b.content.issuer).toBe('苏州某储能科技有限公司')
    const targets = b.content.indicators.map((i: { name: string; target: string; unit: string }) => `${i.name}|${i.target}|${i.unit}`)
    expect(targets).toEqual(expect.arrayContaining(['电芯最大温差|≤3|℃', '液冷板压降|≤30|kPa', '系统循环寿命|≥6000|次']))
    expect(b.content.budget).toContain('80万元')
    expect(b.content.duration).toContain('12个月')
    expect(b.content.constraints.join('')).toContain('-20~45 ℃')
    expect(b.clarity.score).toBe(100)
    expect(b.clarity.missing).toEqual([])

    // asking again for the same need text returns the same unedited draft
    const again = await (await t.request(`/v1/needs/${needId}/briefs`, { method: 'POST', key: mgr.key, json: { writer: 'template' } })).json()
    expect(again).toMatchObject({ id: b.id, created: false })

    // the enterprise edits twice: each edit is a new version, a person's target is marked 人工填写
    const e1 = await t.request(`/v1/briefs/${b.id}`, {
      method: 'PATCH', key: ent.key,
      json: { base_version: 1, content: { budget: '榜单金额100万元，分两期支付', indicators: [...b.content.indicators, { name: '液冷板重量', target: '≤8', unit: 'kg', method: '称重' }] } },
    })
    expect(e1.status, await e1.clone().text()).toBe(200)
    const v2 = await e1.json()
    expect(v2).toMatchObject({ status: 'edited', version: 2, writer: 'person' })
    expect(v2.content.indicators.at(-1)).toMatchObject({ name: '液冷板重量', basis: '人工填写' })
    const v3 = await (await t.request(`/v1/briefs/${b.id}`, { method: 'PATCH', key: mgr.key, json: { base_version: 2, content: { title: '储能电池包液冷板流道优化揭榜项目' } } })).json()
    expect(v3.version).toBe(3)

    const versions = (await (await t.request(`/v1/briefs/${b.id}/versions`, { key: ent.key })).json()).items
    expect(versions.map((v: { version: number; writer: string; author_role: string | null }) => [v.version, v.writer, v.author_role])).toEqual([
      [1, 'template', null], [2, 'person', 'enterprise'], [3, 'person', 'manager'],
    ])
    const one = await (await t.request(`/v1/briefs/${b.id}/versions/1`, { key: ent.key })).json()
    expect(one.content.budget).toBe(b.content.budget)
    const diff = await (await t.request(`/v1/briefs/${b.id}/diff?from=1&to=3`, { key: ent.key })).json()
    expect(diff.changes.map((c: { field: string }) => c.field)).toEqual(['title', 'indicators', 'budget'])
    expect(diff.changes.find((c: { field: string }) => c.field === 'indicators').items).toEqual([
      expect.objectContaining({ name: '液冷板重量', change: 'added' }),
    ])
    expect(diff.changes[0]).toMatchObject({ label: '榜单名称', before: CLEAR_NEED.title, after: '储能电池包液冷板流道优化揭榜项目' })

    // the enterprise confirms what it read, publishes, and moves the 榜单 forward one stage at a time
    const conf = await (await t.request(`/v1/briefs/${b.id}/confirm`, { method: 'POST', key: ent.key, json: { version: 3 } })).json()
    expect(conf).toMatchObject({ status: 'confirmed', confirmed_version: 3 })
    const pub = await (await t.request(`/v1/briefs/${b.id}/publish`, { method: 'POST', key: ent.key })).json()
    expect(pub).toMatchObject({ status: 'published', stage: 'published', stage_label: '已发布' })
    expect(pub.published_at).toBeTruthy()
    for (const [stage, label] of [['awaiting', '待揭榜'], ['in_progress', '攻关中'], ['acceptance', '验收中'], ['closed', '已结束']]) {
      const r = await t.request(`/v1/briefs/${b.id}/stage`, { method: 'POST', key: stage === 'closed' ? mgr.key : ent.key, json: { stage } })
      expect(r.status, await r.clone().text()).toBe(200)
      expect(await r.json()).toMatchObject({ stage, stage_label: label })
    }

    // every step is in the audit trail
    const audit = (await (await t.request(`/v1/audit?object_kind=brief&object_id=${b.id}&limit=50`, { key: t.adminKey })).json()).items
    expect(audit.map((a: { action: string }) => a.action).reverse()).toEqual([
      'brief.draft', 'brief.write', 'brief.edit', 'brief.edit', 'brief.confirm', 'brief.publish', 'brief.stage', 'brief.stage', 'brief.stage', 'brief.stage',
    ])
    expect(audit.find((a: { action: string }) => a.action === 'brief.confirm')).toMatchObject({ actor_role: 'enterprise', org_id: ent.orgId })
  })

  it('turns a vague need into a brief that says exactly what is missing and asks for it', async () => {
    const needId = await postNeed(t, ent.key, VAGUE_NEED)
    await t.settle()
    const b = await draft(t, mgr.key, needId)
    expect(b.clarity.score).toBe(0)
    expect(b.clarity.missing.map((m: string) => m.split('：')[0])).toEqual(['量化技术指标', '验收方式', '经费预算', '研发周期', '边界条件'])
    expect(b.content.indicators).toEqual([])
    expect(b.content.budget).toBe('待确认')
    expect(b.content.open_questions.length).toBeGreaterThanOrEqual(5)
    expect(b.content.open_questions.join('\n')).toMatch(/关键技术指标/)
  })

  it('cites the need\'s matches by id: a manager\'s draft uses suggested ones, the enterprise\'s only confirmed ones', async () => {
    const ach = await t.request('/v1/achievements', {
      method: 'POST', key: uni.key,
      json: { title: '储能电池液冷板流道拓扑优化设计技术', summary: '面向储能电池包的液冷板流道拓扑优化，电芯温差控制在3℃以内，压降低，适配现有模组。', field: '新能源-储能', maturity: 'pilot' },
    })
    expect(ach.status).toBe(201)
    const achId = (await ach.json()).id
    const needId = await postNeed(t, ent.key, { ...CLEAR_NEED, title: '储能液冷板流道设计', external_id: 'refs' })
    await t.settle()
    const byMgr = await draft(t, mgr.key, needId, { writer: 'template' })
    const ref = byMgr.content.references.find((r: { id: string }) => r.id === achId)
    expect(ref).toMatchObject({ kind: 'achievement', state: 'suggested', title: '储能电池液冷板流道拓扑优化设计技术' })
    const byEnt = await draft(t, ent.key, needId, { writer: 'auto' })
    expect(byEnt.content.references).toEqual([]) // nothing confirmed yet: the enterprise sees no suggestions

    const match = (await (await t.request(`/v1/needs/${needId}/matches?kind=achievement`, { key: mgr.key })).json()).items.find((m: { item_id: string }) => m.item_id === achId)
    await t.request(`/v1/matches/${match.id}/review`, { method: 'POST', key: mgr.key, json: { decision: 'confirmed' } })
    const after = await draft(t, ent.key, needId, { writer: 'template' })
    expect(after.content.references).toEqual([expect.objectContaining({ id: achId, state: 'confirmed' })])
  })

  it('exports Markdown and a printable HTML page', async () => {
    const needId = await postNeed(t, ent.key, { ...CLEAR_NEED, external_id: 'export' })
    await t.settle()
    const b = await draft(t, ent.key, needId, { writer: 'template' })
    const md = await t.request(`/v1/briefs/${b.id}/export?format=md`, { key: ent.key })
    expect(md.headers.get('content-type')).toContain('text/markdown')
    const text = await md.text()
    expect(text).toContain('## 主要技术指标')
    expect(text).toContain('| 电芯最大温差 | ≤3 | ℃ |')
    const html = await t.request(`/v1/briefs/${b.id}/export?format=html`, { key: ent.key })
    expect(html.headers.get('content-type')).toContain('text/html')
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'")
    const page = await html.text()
    expect(page).toContain('<h2>技术难题</h2>')
    expect(page).toContain('@media print')
  })
})
