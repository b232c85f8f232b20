// A brief drawing on a patent-navigation report of its need: main routes and white spaces in 技术难题, key patents and
// applicants in 参考方向, each cited by the report's section; and a brief that asks for the report to be built first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { CLEAR_NEED, draft, postNeed } from '../helpers/briefs'

let t: TestApp
let ent: { orgId: string; key: string }
let mgr: { orgId: string; key: string }
let needId: string

beforeAll(async () => {
  t = await createTestApp()
  ent = await t.tenant('enterprise', 'enterprise')
  mgr = await t.tenant('transfer_center', 'manager')
  const uni = await t.tenant('university', 'university', '某理工大学')
  const topics = ['液冷板流道拓扑优化', '电池包液冷均温结构', '储能电池热管理液冷系统', '蛇形流道液冷板', '微通道液冷散热板', '电芯温差控制方法']
  for (const [i, title] of topics.entries()) {
    const r = await t.request('/v1/patents', {
      method: 'POST', key: uni.key,
      json: {
        publication_number: `CN11${4000000 + i}A`, title: `一种${title}`, abstract: `本发明公开了一种储能电池包${title}，降低电芯温差和液冷板压降，提高循环寿命。`,
        applicants: [i % 2 ? '某理工大学' : '某储能科技有限公司'], ipc_codes: ['H01M10/613'], application_date: `202${i % 4}-03-0${i + 1}`, patent_type: 'invention', legal_status: 'valid',
      },
    })
    expect(r.status, await r.clone().text()).toBe(201)
  }
  needId = await postNeed(t, ent.key, CLEAR_NEED)
  await t.settle()
})
afterAll(() => t.close())

describe('briefs: navigation reports', () => {
  it('asks for a report to be built first, then cites it by section', async () => {
    const b = await draft(t, ent.key, needId, { writer: 'template', navigation: 'build' })
    expect(b.notes.navigation_report).toMatch(/^[0-9a-f-]{36}$/)
    const report = await (await t.request(`/v1/navigation-reports/${b.notes.navigation_report}`, { key: ent.key })).json()
    expect(report.status).toBe('completed')
    expect(b.content.problem).toMatch(/专利导航所示主要技术路线：.*（导航报告 (六、技术主题|三、技术构成)）/)
    const cited = b.content.references.filter((r: { state: string }) => r.state === 'report')
    expect(cited.some((r: { kind: string; note: string }) => r.kind === 'patent' && r.note.includes('九、重点专利'))).toBe(true)
    expect(cited.some((r: { kind: string; id: string; note: string }) => r.kind === 'navigation' && r.id === b.notes.navigation_report && r.note.includes('四、创新主体'))).toBe(true)
  })

  it('draws on the newest report the drafter may read, and not on another organisation\'s', async () => {
    const b = await draft(t, mgr.key, needId, { writer: 'template' }) // staff read every report
    expect(b.notes.navigation_report).toBeTruthy()
    const none = await draft(t, mgr.key, needId, { writer: 'template', navigation: 'none' })
    expect(none.notes.navigation_report).toBeUndefined()
    expect(none.content.problem).not.toContain('导航报告')
    // a report the manager's centre ordered is not the enterprise's to read: a second enterprise need sees only its own
    const other = await postNeed(t, ent.key, { ...CLEAR_NEED, external_id: 'nav-2' })
    await t.settle()
    const rep = await t.request('/v1/navigation-reports', { method: 'POST', key: mgr.key, json: { scope: { need_id: other } } })
    expect(rep.status, await rep.clone().text()).toBe(202)
    await t.settle()
    const byEnt = await draft(t, ent.key, other, { writer: 'template' })
    expect(byEnt.notes.navigation_report).toBeUndefined()
    const byMgr = await draft(t, mgr.key, other, { writer: 'template' })
    expect(byMgr.notes.navigation_report).toBe((await rep.json()).id)
  })
})
