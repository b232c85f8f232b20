import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemoData } from '../helpers/demo'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
let mgr: { orgId: string; key: string }
const id = async (table: string, where: string, params: unknown[]) => (await t.db.query<{ id: string; org_id: string }>(`SELECT id, org_id FROM ${table} WHERE ${where}`, params)).rows[0]!
const keyFor = async (orgId: string, role: 'enterprise' | 'university') => (await t.services.orgs.createKeyAsOperator(orgId, { name: 'test', role })).key

beforeAll(async () => {
  t = await createTestApp({}, { isolated: true })
  await loadDemoData(t.rt)
  await t.settle() // index and matching jobs of the demo needs
  mgr = await t.tenant('transfer_center', 'manager')
})
afterAll(() => t.close())

describe('matching on the demo data', () => {
  it('ranks the genuinely matching achievement and patent first, and explains why', async () => {
    const need = await id('needs', 'title = $1', ['储能电站电池健康状态在线评估'])
    const r = await (await t.request(`/v1/needs/${need.id}/matches?limit=5`, { key: mgr.key })).json()
    expect(r.items[0].item_title).toBe('锂离子动力电池健康状态在线估计技术')
    expect(r.items.map((m: { item_title: string }) => m.item_title)).toContain('一种基于增量容量分析的锂离子电池健康状态估计方法')
    const top = r.items[0]
    expect(top.state).toBe('suggested')
    expect(top.explanation.shared_terms).toEqual(expect.arrayContaining(['电池', '健康']))
    expect(top.explanation.summary).toMatch(/关键词重合：.*成熟度：中试，满足需求/)
    expect(top.components.sources).toHaveProperty('sparse')
    expect(top.components.features.maturity).toBe(1)
    // ties and order are deterministic: scores descending
    const scores = r.items.map((m: { score: number }) => m.score)
    expect([...scores].sort((a, b) => b - a)).toEqual(scores)
  })

  it('never offers a lapsed patent', async () => {
    const n = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM matches m JOIN patents p ON p.id = m.item_id WHERE p.legal_status = 'invalid'`,
    )
    expect(n.rows[0]!.n).toBe(0)
  })

  it('shows an enterprise only confirmed matches of its own needs, and keeps every review', async () => {
    const need = await id('needs', 'title = $1', ['汽车零部件表面缺陷自动检测'])
    const owner = await keyFor(need.org_id, 'enterprise')
    const list = async (key: string) => (await (await t.request(`/v1/needs/${need.id}/matches`, { key })).json()).items
    expect(await list(owner)).toEqual([]) // nothing confirmed yet
    const all = await list(mgr.key)
    expect(all.length).toBeGreaterThan(2)
    const [good, bad] = all

    // Only managers review; a rejection needs a reason.
    expect((await t.request(`/v1/matches/${good.id}/review`, { method: 'POST', key: owner, json: { decision: 'confirmed' } })).status).toBe(404)
    const noReason = await t.request(`/v1/matches/${bad.id}/review`, { method: 'POST', key: mgr.key, json: { decision: 'rejected' } })
    expect(noReason.status).toBe(400)
    const ok = await (await t.request(`/v1/matches/${good.id}/review`, { method: 'POST', key: mgr.key, json: { decision: 'confirmed', note: '方向一致' } })).json()
    expect(ok.state).toBe('confirmed')
    expect(ok.reviews).toHaveLength(1)
    expect(ok.reviews[0]).toMatchObject({ decision: 'confirmed', note: '方向一致', score: good.score })
    expect(ok.reviews[0].explanation.summary).toBe(good.explanation.summary)
    await t.request(`/v1/matches/${bad.id}/review`, { method: 'POST', key: mgr.key, json: { decision: 'rejected', reason_code: '技术方向不符', note: '不相关' } })

    const seen = await list(owner)
    expect(seen.map((m: { id: string }) => m.id)).toEqual([good.id])
    // Another enterprise sees the public need but none of its matches.
    const other = await t.tenant('enterprise', 'enterprise')
    expect(await list(other.key)).toEqual([])
    expect((await t.request(`/v1/matches/${good.id}`, { key: other.key })).status).toBe(404)

    // The university that owns the confirmed item sees it; another university does not.
    const itemOwner = await keyFor(good.item_kind === 'achievement' ? (await id('achievements', 'id = $1', [good.item_id])).org_id : (await id('patents', 'id = $1', [good.item_id])).org_id, 'university')
    const path = `/v1/${good.item_kind === 'achievement' ? 'achievements' : 'patents'}/${good.item_id}/matches`
    expect((await (await t.request(path, { key: itemOwner })).json()).items.map((m: { id: string }) => m.id)).toEqual([good.id])
    const otherUni = await t.tenant('university', 'university')
    expect((await (await t.request(path, { key: otherUni.key })).json()).items).toEqual([])

    // Re-running never resurrects the rejected pair nor changes the confirmed one, and marks what is new.
    const run = await (await t.request(`/v1/needs/${need.id}/match`, { method: 'POST', key: mgr.key })).json()
    expect((await t.job(run.job_id)).state).toBe('completed')
    const after = await list(mgr.key)
    const byId = new Map(after.map((m: { id: string }) => [m.id, m]))
    expect(byId.get(good.id)).toMatchObject({ state: 'confirmed', score: good.score })
    expect(byId.get(bad.id)).toMatchObject({ state: 'rejected' })
    expect(after.filter((m: { state: string; is_new: boolean }) => m.state === 'suggested').every((m: { is_new: boolean }) => m.is_new === false)).toBe(true)
    expect((await list(owner)).map((m: { id: string }) => m.id)).toEqual([good.id])
  })

  it('keeps the matches of a private need from universities, even confirmed ones', async () => {
    const need = await id('needs', 'title = $1', ['肿瘤免疫治疗抗体候选分子引进']) // visibility private
    const all = (await (await t.request(`/v1/needs/${need.id}/matches`, { key: mgr.key })).json()).items
    const m = all[0]
    await t.request(`/v1/matches/${m.id}/review`, { method: 'POST', key: mgr.key, json: { decision: 'confirmed' } })
    const owner = await keyFor(need.org_id, 'enterprise')
    expect((await (await t.request(`/v1/needs/${need.id}/matches`, { key: owner })).json()).items).toHaveLength(1)
    const table = m.item_kind === 'achievement' ? 'achievements' : 'patents'
    const uni = await keyFor((await id(table, 'id = $1', [m.item_id])).org_id, 'university')
    expect((await t.request(`/v1/needs/${need.id}/matches`, { key: uni })).status).toBe(404)
    expect((await (await t.request(`/v1/${table}/${m.item_id}/matches`, { key: uni })).json()).items).toEqual([])
    expect((await t.request(`/v1/matches/${m.id}`, { key: uni })).status).toBe(404)
  })

  it('matches a new achievement against open needs', async () => {
    const uni = await t.tenant('university', 'university')
    const a = await (await t.request('/v1/achievements', {
      method: 'POST', key: uni.key,
      json: { title: '钙钛矿组件湿热老化稳定封装材料', summary: '用于钙钛矿光伏组件的封装阻隔材料，通过湿热1000小时测试，效率保持率92%。', field: '新能源-光伏', maturity: 'pilot', transfer_modes: ['license'] },
    })).json()
    await t.job(a.job_id)
    await t.settle()
    const m = (await (await t.request(`/v1/achievements/${a.id}/matches`, { key: mgr.key })).json()).items
    expect(m[0].need_title).toBe('钙钛矿光伏组件湿热稳定性提升')
  })

  it('ranks the catalogue for free text, in every mode', async () => {
    for (const mode of ['hybrid', 'lexical', 'dense']) {
      const r = await (await t.request('/v1/search', { method: 'POST', key: mgr.key, json: { query: '植保无人机按处方图变量喷洒农药', mode, limit: 5 } })).json()
      expect(r.items.slice(0, 3).map((x: { title: string }) => x.title).join('|')).toMatch(/变量喷施/)
    }
    const bad = await t.request('/v1/search', { method: 'POST', key: mgr.key, json: { query: '', mode: 'fast' } })
    expect(bad.status).toBe(400)
  })
})
