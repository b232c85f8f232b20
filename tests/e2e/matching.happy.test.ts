// Matching as a technology manager uses it: ranked, explained suggestions on one scale, imports that reach existing
// needs, a review queue across needs, and a review history that can be read back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MATCH_WEIGHTS } from '../../src/config'
import { finalScore } from '../../src/matching/features'
import { loadDemoData } from '../helpers/demo'
import { createTestApp, type TestApp } from '../helpers/app'
import { inspectionPatents, jsonlImportForm } from '../helpers/imports'

let t: TestApp
let mgr: { orgId: string; key: string }
const id = async (table: string, where: string, params: unknown[]) => (await t.db.query<{ id: string; org_id: string }>(`SELECT id, org_id FROM ${table} WHERE ${where}`, params)).rows[0]!
const get = async (path: string, key = mgr.key) => (await t.request(path, { key })).json()
type M = { id: string; item_id: string; item_title: string; score: number; strength: number; state: string; is_new: boolean; need_id: string }

beforeAll(async () => {
  // no strength floor here: the queue and list mechanics are tested on every suggestion (the floor has its own test)
  t = await createTestApp({ MATCH_STRENGTH_FLOOR: '0' }, { isolated: true })
  await loadDemoData(t.rt)
  await t.settle() // index and matching jobs of the demo needs
  mgr = await t.tenant('transfer_center', 'manager')
})
afterAll(() => t.close())

describe('matching on the demo data', () => {
  it('ranks the genuinely matching achievement and patent first, and explains why', async () => {
    const need = await id('needs', 'title = $1', ['储能电站电池健康状态在线评估'])
    const r = await get(`/v1/needs/${need.id}/matches?limit=5`)
    expect(r.items[0].item_title).toBe('锂离子动力电池健康状态在线估计技术')
    expect(r.items.map((m: M) => m.item_title)).toContain('一种基于增量容量分析的锂离子电池健康状态估计方法')
    const top = r.items[0]
    expect(top).toMatchObject({ state: 'suggested', item_state: 'active', model: null })
    // whole shared words from the two full texts, not the intersection of each side's top keywords
    expect(top.explanation.shared_terms.join('|')).toMatch(/电池健康状态|健康状态/)
    expect(top.explanation.shared_terms).toContain('电池管理系统')
    expect(top.explanation.summary).toMatch(/关键词重合：.*成熟度：中试，满足需求/)
    expect(top.components.sources).toHaveProperty('sparse')
    expect(top.components.features.maturity).toBe(1)
    expect(top.components.ranker).toBe('hand-set/1')
    expect(top.strength).toBeGreaterThan(0)
    expect(top.strength).toBeLessThanOrEqual(1)
    expect(['强', '中', '弱']).toContain(top.band)
    const scores = r.items.map((m: M) => m.score)
    expect([...scores].sort((a, b) => b - a)).toEqual(scores)
  })

  it('keeps at most MATCH_MAX_SUGGESTIONS (30) suggestions per need, and pages with a cursor', async () => {
    const need = await id('needs', 'title = $1', ['储能电站电池健康状态在线评估'])
    const all: M[] = []
    let cursor: string | null = null
    do {
      const r: { items: M[]; next_cursor: string | null } = await get(`/v1/needs/${need.id}/matches?limit=7${cursor ? `&cursor=${cursor}` : ''}`)
      all.push(...r.items)
      cursor = r.next_cursor
    } while (cursor)
    expect(all.length).toBeGreaterThan(7)
    expect(all.length).toBeLessThanOrEqual(30)
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length)
    expect(all.map((m) => m.score)).toEqual([...all.map((m) => m.score)].sort((a, b) => b - a))
  })

  it('checks the need\'s indicators against the numbers in the item\'s text, and shows whole words', async () => {
    const ent = await t.tenant('enterprise', 'enterprise')
    const uni = await t.tenant('university', 'university')
    const need = await (await t.request('/v1/needs', {
      method: 'POST', key: ent.key,
      json: {
        title: '储能电站锂电池热失控早期预警', description: '需要对储能舱内锂电池热失控进行早期预警，给运维人员留出处置时间。',
        indicators: [{ name: '预警提前时间', target: '>= 15', unit: '分钟' }, { name: '误报率', target: '≤ 2', unit: '%' }],
      },
    })).json()
    const a = await (await t.request('/v1/achievements', {
      method: 'POST', key: uni.key,
      json: { title: '储能电池热失控多传感器早期预警技术', summary: '融合气体、温度与电压信号，可在热失控发生前10分钟以上发出预警，误报率低于1%。', field: '新能源-储能' },
    })).json()
    await t.job(a.job_id)
    await t.settle()
    const items = (await get(`/v1/needs/${need.id}/matches?limit=50`)).items
    const m = items.find((x: M) => x.item_id === a.id)
    expect(m).toBeTruthy()
    expect(m.explanation.shared_terms).toContain('热失控')
    expect(m.explanation.shared_terms).not.toContain('失控')
    expect(m.explanation.indicators).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: '预警提前时间', found: '10分钟以上', verdict: '未达到' }),
      expect.objectContaining({ name: '误报率', found: '低于1%', verdict: '达到' }),
    ]))
    expect(m.explanation.summary).toContain('预警提前时间 >= 15 分钟：成果为 10分钟以上，未达到')
  })

  it('puts a new item into a need\'s list on the need\'s own scale: a re-run of the need keeps its score', async () => {
    const uni = await t.tenant('university', 'university')
    const a = await (await t.request('/v1/achievements', {
      method: 'POST', key: uni.key,
      json: { title: '钙钛矿组件湿热老化稳定封装材料', summary: '用于钙钛矿光伏组件的封装阻隔材料，通过湿热1000小时测试，效率保持率92%。', field: '新能源-光伏', maturity: 'pilot', transfer_modes: ['license'] },
    })).json()
    await t.job(a.job_id)
    await t.settle()
    const fromItem = (await get(`/v1/achievements/${a.id}/matches`)).items
    expect(fromItem[0].need_title).toBe('钙钛矿光伏组件湿热稳定性提升')
    const needId = fromItem[0].need_id
    const before = (await get(`/v1/needs/${needId}/matches?limit=100`)).items as M[]
    const run = await (await t.request(`/v1/needs/${needId}/match`, { method: 'POST', key: mgr.key })).json()
    expect((await t.job(run.job_id)).state).toBe('completed')
    const after = (await get(`/v1/needs/${needId}/matches?limit=100`)).items as M[]
    const rank = (list: M[]) => list.findIndex((m) => m.item_id === a.id)
    expect(rank(before)).toBeGreaterThanOrEqual(0)
    expect(rank(after)).toBe(rank(before))
    expect(after[rank(after)]!.score).toBe(before[rank(before)]!.score)
  })

  it('re-matches every open need once after an import, and says how many in the import report', async () => {
    const uni = await t.tenant('university', 'university')
    const open = (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM needs WHERE status = 'open'")).rows[0]!.n
    const form = jsonlImportForm('patent', uni.orgId, inspectionPatents(0))
    const res = await t.request('/v1/imports', { method: 'POST', key: mgr.key, body: form })
    expect(res.status).toBe(202)
    const imp = await res.json()
    await t.job(imp.job_id)
    await t.settle()
    const report = await get(`/v1/imports/${imp.id}`)
    expect(report).toMatchObject({ status: 'completed', rows_inserted: 2, needs_rematched: open })
    const need = await id('needs', 'title = $1', ['汽车零部件表面缺陷自动检测'])
    const patent = await id('patents', 'publication_number = $1', ['CN119000001A'])
    const list = (await get(`/v1/needs/${need.id}/matches?limit=100`)).items as M[]
    expect(list.map((m) => m.item_id)).toContain(patent.id)
  })

  it('offers one review queue across needs, strongest first, with what a manager needs to decide', async () => {
    const first = await get('/v1/matches?state=suggested&new=true&limit=5')
    expect(first.items).toHaveLength(5)
    const m = first.items[0]
    expect(m).toMatchObject({ state: 'suggested', is_new: true, item_state: 'active' })
    expect(typeof m.need_title).toBe('string')
    expect(typeof m.item_title).toBe('string')
    expect(typeof m.item_org_name).toBe('string')
    expect(['active', 'valid', 'pending', null]).toContain(m.item_status)
    expect(typeof m.snippet).toBe('string')
    expect(new Set(first.items.map((x: M) => x.need_id)).size).toBeGreaterThan(1) // across needs
    const second = await get(`/v1/matches?state=suggested&new=true&limit=5&cursor=${first.next_cursor}`)
    const strengths = [...first.items, ...second.items].map((x: M) => x.strength)
    expect([...strengths].sort((a, b) => b - a)).toEqual(strengths)
    expect(second.items.some((x: M) => first.items.some((y: M) => y.id === x.id))).toBe(false)
  })

  it('shows each need\'s count of unreviewed suggestions in the needs list (staff)', async () => {
    const need = await id('needs', 'title = $1', ['储能电站电池健康状态在线评估'])
    const listed = (await get('/v1/needs?limit=100')).items.find((n: { id: string }) => n.id === need.id)
    const suggested = (await get(`/v1/needs/${need.id}/matches?state=suggested&limit=100`)).items.length
    expect(listed.unreviewed_suggestions).toBe(suggested)
    expect(suggested).toBeGreaterThan(0)
  })

  it('keeps every review, readable back on the match, in GET /v1/reviews and in the audit trail', async () => {
    const need = await id('needs', 'title = $1', ['汽车零部件表面缺陷自动检测'])
    const [good, bad] = (await get(`/v1/needs/${need.id}/matches?state=suggested`)).items
    const since = new Date(Date.now() - 60_000).toISOString()
    const ok = await (await t.request(`/v1/matches/${good.id}/review`, { method: 'POST', key: mgr.key, json: { decision: 'confirmed', note: '方向一致' } })).json()
    expect(ok.state).toBe('confirmed')
    expect(ok.reviews).toHaveLength(1)
    expect(ok.reviews[0].explanation.summary).toBe(good.explanation.summary)
    await t.request(`/v1/matches/${bad.id}/review`, { method: 'POST', key: mgr.key, json: { decision: 'rejected', reason_code: '技术方向不符', note: '不相关' } })

    const read = await get(`/v1/matches/${bad.id}`)
    expect(read.reviews).toHaveLength(1)
    expect(read.reviews[0]).toMatchObject({ decision: 'rejected', reason_code: '技术方向不符', note: '不相关', reviewer_org_id: mgr.orgId, reviewer_name: 'test' })
    expect(read.reviews[0].reviewer_key_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(Date.parse(read.reviews[0].created_at)).toBeGreaterThan(Date.parse(since))

    const keyId = read.reviews[0].reviewer_key_id
    const page1 = await get(`/v1/reviews?need_id=${need.id}&reviewer=${keyId}&since=${encodeURIComponent(since)}&limit=1`)
    expect(page1.items).toHaveLength(1)
    expect(page1.items[0]).toMatchObject({ match_id: bad.id, decision: 'rejected' }) // newest first
    const page2 = await get(`/v1/reviews?need_id=${need.id}&reviewer=${keyId}&since=${encodeURIComponent(since)}&limit=1&cursor=${page1.next_cursor}`)
    expect(page2.items.map((r: { match_id: string }) => r.match_id)).toEqual([good.id])
    expect(page2.next_cursor).toBeNull()
    expect((await get(`/v1/reviews?until=${encodeURIComponent(since)}`)).items).toEqual([])

    const audit = await get(`/v1/audit?object_kind=match&object_id=${bad.id}`, t.adminKey)
    expect(audit.items.map((e: { action: string }) => e.action)).toContain('match.review')

    // re-running never changes the reviewed pairs, and marks what is new
    const run = await (await t.request(`/v1/needs/${need.id}/match`, { method: 'POST', key: mgr.key })).json()
    expect((await t.job(run.job_id)).state).toBe('completed')
    const after = (await get(`/v1/needs/${need.id}/matches?limit=100`)).items
    const byId = new Map(after.map((m: M) => [m.id, m]))
    expect(byId.get(good.id)).toMatchObject({ state: 'confirmed', score: good.score })
    expect(byId.get(bad.id)).toMatchObject({ state: 'rejected' })
    expect(after.filter((m: M) => m.state === 'suggested').every((m: M) => m.is_new === false)).toBe(true)
  })

  it('ranks the catalogue for free text, in every mode', async () => {
    for (const mode of ['hybrid', 'lexical', 'dense']) {
      const r = await (await t.request('/v1/search', { method: 'POST', key: mgr.key, json: { query: '植保无人机按处方图变量喷洒农药', mode, limit: 5 } })).json()
      expect(r.items.slice(0, 3).map((x: { title: string }) => x.title).join('|')).toMatch(/变量喷施/)
    }
  })

  it('weighs a listing by its length as a reader meets it: a patent\'s claim does not count (length prior)', async () => {
    const uni = await t.tenant('university', 'university')
    const title = '一种桥梁拉索索力光纤光栅监测装置'
    const abstract = '利用光纤光栅传感器在线监测斜拉桥拉索索力，实现长期健康监测。'
    const claim = '1. 一种桥梁拉索索力光纤光栅监测装置，其特征在于，包括以下部件：'.repeat(40)
    const filler = '本成果来自课题组多年研究，'
    const p = await t.request('/v1/patents', { method: 'POST', key: uni.key, json: { publication_number: 'CN119000123A', title, abstract, first_claim: claim, legal_status: 'valid' } })
    expect(p.status).toBe(201)
    const a = await t.request('/v1/achievements', { method: 'POST', key: uni.key, json: { title: '斜拉桥索力光纤光栅在线监测技术', summary: abstract + filler.repeat(60) } })
    expect(a.status).toBe(201)
    await t.settle()
    const r = await t.request('/v1/search', { method: 'POST', key: mgr.key, json: { query: '桥梁拉索索力光纤光栅监测', limit: 10 } })
    const items = (await r.json()).items as { title: string; score: number; components: { relevance: number; chars: number; features: Record<string, number | null> } }[]
    const patent = items.find((x) => x.title === title)!
    const achievement = items.find((x) => x.title === '斜拉桥索力光纤光栅在线监测技术')!
    expect(patent.components.chars).toBe(title.length + abstract.length)
    expect(achievement.components.chars).toBe('斜拉桥索力光纤光栅在线监测技术'.length + abstract.length + filler.length * 60)
    for (const x of [patent, achievement]) {
      const features = x.components.features as Parameters<typeof finalScore>[1]
      expect(x.score).toBeCloseTo(finalScore(x.components.relevance, features, DEFAULT_MATCH_WEIGHTS) * (1 + x.components.chars / 700) ** -0.2, 3)
    }
    // the long achievement scores below what its relevance and features alone would give
    expect(achievement.score).toBeLessThan(finalScore(achievement.components.relevance, achievement.components.features as Parameters<typeof finalScore>[1], DEFAULT_MATCH_WEIGHTS) * 0.9)
  })

  it('says when a search found nothing strong (calibrated strength, comparable across queries)', async () => {
    const search = async (query: string) => (await t.request('/v1/search', { method: 'POST', key: mgr.key, json: { query, kinds: ['achievement', 'patent'], limit: 5 } })).json()
    const off = await search('污水处理膜材料')
    expect(off.nothing_strong).toBe(true)
    expect(off.note).toMatch(/未找到强匹配/)
    expect(off.items.every((x: { band: string }) => x.band !== '强')).toBe(true)
    const on = await search('锂离子动力电池健康状态在线估计技术：基于电压曲线与增量容量分析估计动力电池健康状态')
    expect(on.items[0].band).toBe('强')
    expect(on.nothing_strong).toBe(false)
    expect(on.note).toBeNull()
    expect(on.items[0].strength).toBeGreaterThan(off.items[0]?.strength ?? 0)
  })
})

describe('per-need limits', () => {
  it('keeps at most MATCH_MAX_SUGGESTIONS suggestions and none below MATCH_STRENGTH_FLOOR', async () => {
    const small = await createTestApp({ MATCH_MAX_SUGGESTIONS: '3', MATCH_STRENGTH_FLOOR: '0.5' }, { isolated: true })
    try {
      const uni = await small.tenant('university', 'university')
      const ent = await small.tenant('enterprise', 'enterprise')
      for (let i = 0; i < 6; i++) {
        await small.request('/v1/achievements', { method: 'POST', key: uni.key, json: { title: `锂电池健康状态估计方法${i}`, summary: `基于电压曲线的锂电池健康状态估计，第${i}种改进。` } })
      }
      await small.request('/v1/achievements', { method: 'POST', key: uni.key, json: { title: '秸秆还田机械', summary: '农机具' } })
      await small.settle()
      const need = await (await small.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '锂电池健康状态在线估计', description: '基于运行数据估计锂电池健康状态。' } })).json()
      await small.job(need.job_id)
      await small.settle()
      const run = await (await small.request(`/v1/needs/${need.id}/match`, { method: 'POST', key: ent.key })).json()
      expect((await small.job(run.job_id)).state).toBe('completed')
      const items = (await (await small.request(`/v1/needs/${need.id}/matches?limit=100`, { key: small.adminKey })).json()).items
      expect(items.length).toBeGreaterThan(0)
      expect(items.length).toBeLessThanOrEqual(3)
      expect(items.every((m: M) => m.strength >= 0.5)).toBe(true)
    } finally {
      await small.close()
    }
  })
})
