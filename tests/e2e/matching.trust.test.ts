// Issue 11 on the default configuration: the calibrated floor keeps weak suggestions out, archiving an item withdraws
// its unreviewed suggestions, and a patent is not demoted for being older than achievements (recency within a kind).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_CALIBRATION } from '../../src/matching/calibrate'
import { createTestApp, type TestApp } from '../helpers/app'

type M = { id: string; item_id: string; item_kind: string; strength: number; band: string; state: string; components: { features: { recency: number | null } } }

let t: TestApp
let uni: { orgId: string; key: string }
let ent: { orgId: string; key: string }
let mgr: { orgId: string; key: string }
const post = async (path: string, key: string, json: unknown) => {
  const r = await t.request(path, { method: 'POST', key, json })
  expect(r.status).toBe(201)
  return (await r.json()) as { id: string; job_id: string }
}
const list = async (path: string): Promise<M[]> => {
  const r = await t.request(path, { key: mgr.key })
  expect(r.status).toBe(200)
  return (await r.json()).items
}

beforeAll(async () => {
  t = await createTestApp({}, { isolated: true }) // MATCH_STRENGTH_FLOOR unset: the floor fitted with the curve
  uni = await t.tenant('university', 'university')
  ent = await t.tenant('enterprise', 'enterprise')
  mgr = await t.tenant('transfer_center', 'manager')
})
afterAll(() => t.close())

describe('trustworthy suggestions on the default configuration', () => {
  it("an item's re-run of a need is not skipped by a run that started before the item's index write committed", async () => {
    const need = await post('/v1/needs', ent.key, { title: '光伏组件隐裂缺陷检测', description: '需要基于电致发光图像的光伏组件隐裂与断栅缺陷自动检测。' })
    const a = await post('/v1/achievements', uni.key, { title: '光伏组件电致发光缺陷检测系统', summary: '基于深度学习识别光伏组件电致发光图像中的隐裂、断栅和黑片缺陷。', maturity: 'pilot' })
    await t.settle()
    expect((await list(`/v1/needs/${need.id}/matches?limit=50`)).map((m) => m.item_id)).toContain(a.id)
    // the state such a race leaves: the need's last run recorded the version the index write had already moved the
    // sequence to (sequences are not transactional), without seeing the item
    await t.db.query('DELETE FROM matches WHERE need_id = $1 AND item_id = $2', [need.id, a.id])
    await t.db.query('UPDATE need_match_runs SET catalog_version = (SELECT last_value FROM catalog_version) WHERE need_id = $1', [need.id])
    // the item's own re-run (queued after its index write) must still re-run the need
    await t.services.matching.runForItem('achievement', a.id)
    await t.settle()
    expect((await list(`/v1/needs/${need.id}/matches?limit=50`)).map((m) => m.item_id)).toContain(a.id)
  })

  it('suggests nothing below the fitted floor: an unrelated item stays out of the list', async () => {
    expect(DEFAULT_CALIBRATION.floor).toBeGreaterThan(0)
    const good = await post('/v1/achievements', uni.key, { title: '锂离子电池健康状态在线估计方法', summary: '基于电压曲线与增量容量分析，在线估计储能锂离子电池的健康状态。', field: '新能源-储能' })
    const off = await post('/v1/achievements', uni.key, { title: '秸秆还田机械', summary: '一种用于玉米秸秆粉碎还田的农机具。', field: '农业-农机' })
    await t.settle()
    const need = await post('/v1/needs', ent.key, { title: '储能电站锂离子电池健康状态在线估计', description: '需要基于运行数据在线估计储能锂离子电池的健康状态。' })
    await t.job(need.job_id)
    await t.settle()
    const items = await list(`/v1/needs/${need.id}/matches?limit=100`)
    expect(items.map((m) => m.item_id)).toContain(good.id)
    expect(items.map((m) => m.item_id)).not.toContain(off.id)
    expect(items.every((m) => m.strength >= DEFAULT_CALIBRATION.floor)).toBe(true)
    expect(items.every((m) => ['强', '中', '弱'].includes(m.band))).toBe(true)
  })

  it('withdraws the unreviewed suggestions of an item that is archived, from every need and from the queue', async () => {
    const a = await post('/v1/achievements', uni.key, { title: '储能电池热失控多传感器早期预警技术', summary: '融合气体、温度与电压信号，对储能电池热失控进行早期预警。', field: '新能源-储能' })
    await t.settle()
    const need = await post('/v1/needs', ent.key, { title: '储能电站锂电池热失控早期预警', description: '需要对储能舱内锂电池热失控进行早期预警。' })
    await t.job(need.job_id)
    await t.settle()
    expect((await list(`/v1/needs/${need.id}/matches?limit=100`)).map((m) => m.item_id)).toContain(a.id)
    expect((await t.request(`/v1/achievements/${a.id}`, { method: 'PATCH', key: uni.key, json: { status: 'archived' } })).status).toBe(200)
    await t.settle()
    expect((await list(`/v1/needs/${need.id}/matches?limit=100`)).map((m) => m.item_id)).not.toContain(a.id)
    expect(await list(`/v1/achievements/${a.id}/matches`)).toEqual([])
    const queue = await list('/v1/matches?state=suggested&limit=100')
    expect(queue.map((m) => m.item_id)).not.toContain(a.id)
  })

  it('compares recency within a kind: an old granted patent is as recent as the newest achievement when it is the newest patent', async () => {
    const patent = await post('/v1/patents', uni.key, {
      publication_number: 'CN105000001B', title: '一种工业废水反渗透膜反洗装置', abstract: '用于工业废水处理系统的反渗透膜在线反洗装置，降低膜污染。', application_date: '2012-05-01', legal_status: 'valid',
    })
    const older = await post('/v1/patents', uni.key, {
      publication_number: 'CN101000001B', title: '一种废水超滤膜清洗方法', abstract: '工业废水超滤膜的化学清洗方法。', application_date: '2006-05-01', legal_status: 'valid',
    })
    const achievement = await post('/v1/achievements', uni.key, { title: '工业废水反渗透膜污染在线反洗技术', summary: '工业废水处理系统中反渗透膜的在线反洗，降低膜污染。', field: '环保-水处理' })
    await t.settle()
    const need = await post('/v1/needs', ent.key, { title: '工业废水反渗透膜在线反洗', description: '需要一套可实现反渗透膜在线反洗的工业废水处理系统，降低膜污染。' })
    await t.job(need.job_id)
    await t.settle()
    const items = await list(`/v1/needs/${need.id}/matches?limit=100`)
    const of = (id: string) => items.find((m) => m.item_id === id)
    expect(of(patent.id)?.components.features.recency).toBe(1)
    expect(of(achievement.id)?.components.features.recency).toBe(1)
    if (of(older.id)) expect(of(older.id)!.components.features.recency).toBeLessThan(1)
  })
})
