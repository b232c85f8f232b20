// Catalogues over HTTP: who may write what, who sees what (other organisation, other role, visibility).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

type Tenant = { orgId: string; key: string }
let t: TestApp
let uniA: Tenant, uniB: Tenant, entA: Tenant, entB: Tenant, mgr: Tenant, org: Tenant

beforeAll(async () => {
  t = await createTestApp()
  ;[uniA, uniB, entA, entB, mgr, org] = await Promise.all([
    t.tenant('university', 'university'),
    t.tenant('university', 'university'),
    t.tenant('enterprise', 'enterprise'),
    t.tenant('enterprise', 'enterprise'),
    t.tenant('transfer_center', 'manager'),
    t.tenant('organizer', 'organizer'),
  ])
})
afterAll(() => t.close())

const achievement = {
  title: '基于深度学习的锂电池健康状态估计技术',
  summary: '融合增量容量分析与长短期记忆网络，在线估计动力电池健康状态，误差小于2%，已在储能电站中试验证。',
  field: '新能源-储能',
  keywords: ['锂电池', '健康状态', 'SOH'],
  maturity: 'pilot',
  transfer_modes: ['license', 'co_development'],
  price_min: 500000,
  price_max: 1000000,
  region: '江苏',
}

describe('catalogue access rules', () => {
  it('enforces who may write what', async () => {
    expect((await t.request('/v1/achievements', { method: 'POST', key: entA.key, json: achievement })).status).toBe(403)
    expect((await t.request('/v1/needs', { method: 'POST', key: uniA.key, json: { title: '需求' } })).status).toBe(403)
    // Staff must name the owner, and the owner must be of the right kind.
    const noOrg = await t.request('/v1/needs', { method: 'POST', key: mgr.key, json: { title: '代录需求' } })
    expect((await noOrg.json()).errors[0].field).toBe('body.org_id')
    const wrongKind = await t.request('/v1/needs', { method: 'POST', key: mgr.key, json: { title: '代录需求', org_id: uniA.orgId } })
    expect(wrongKind.status).toBe(400)
    const onBehalf = await t.request('/v1/needs', { method: 'POST', key: mgr.key, json: { title: '代录需求', org_id: entA.orgId } })
    expect(onBehalf.status).toBe(201)

    const a = await (await t.request('/v1/achievements', { method: 'POST', key: uniA.key, json: { ...achievement, title: '另一项成果' } })).json()
    expect((await t.request(`/v1/achievements/${a.id}`, { method: 'PATCH', key: uniB.key, json: { price_max: 1 } })).status).toBe(403)
    expect((await t.request(`/v1/achievements/${a.id}`, { method: 'DELETE', key: uniB.key })).status).toBe(403)
    expect((await t.request(`/v1/achievements/${a.id}`, { method: 'PATCH', key: mgr.key, json: { team: '电池团队' } })).status).toBe(200)

    const draft = await (await t.request('/v1/achievements', { method: 'POST', key: uniA.key, json: { title: '草稿成果', status: 'draft' } })).json()
    expect((await t.request(`/v1/achievements/${draft.id}`, { key: uniB.key })).status).toBe(404)
    expect((await t.request(`/v1/achievements/${draft.id}`, { method: 'DELETE', key: uniB.key })).status).toBe(404)
    expect((await t.request(`/v1/achievements/${draft.id}`, { method: 'DELETE', key: uniA.key })).status).toBe(204)
    expect((await t.request(`/v1/achievements/${draft.id}`, { key: uniA.key })).status).toBe(404)
  })

  it('applies need visibility to reads and lists', async () => {
    const mk = async (title: string, visibility: string) =>
      (await (await t.request('/v1/needs', { method: 'POST', key: entA.key, json: { title, visibility, industry: `vis-${t.rt.queue.runner}` } })).json()).id as string
    const pub = await mk('公开需求', 'public')
    const plat = await mk('平台需求', 'platform')
    const priv = await mk('私有需求', 'private')
    const sees = async (who: Tenant) => {
      const out: string[] = []
      for (const [name, id] of [['public', pub], ['platform', plat], ['private', priv]] as const) {
        if ((await t.request(`/v1/needs/${id}`, { key: who.key })).status === 200) out.push(name)
      }
      const list = await (await t.request(`/v1/needs?industry=vis-${t.rt.queue.runner}&org_id=${entA.orgId}`, { key: who.key })).json()
      expect(list.items.length).toBe(out.length) // the list applies the same rule as the single read
      return out
    }
    expect(await sees(entA)).toEqual(['public', 'platform', 'private'])
    expect(await sees(mgr)).toEqual(['public', 'platform', 'private'])
    expect(await sees(uniA)).toEqual(['public', 'platform'])
    expect(await sees(org)).toEqual(['public', 'platform'])
    expect(await sees(entB)).toEqual(['public'])
  })

  it("hides another organisation's job (404)", async () => {
    const r = await (await t.request('/v1/needs', { method: 'POST', key: entA.key, json: { title: '带任务的需求', visibility: 'private' } })).json()
    expect((await t.request(`/v1/jobs/${r.job_id}`, { key: entA.key })).status).toBe(200)
    expect((await t.request(`/v1/jobs/${r.job_id}`, { key: entB.key })).status).toBe(404)
    expect((await t.request(`/v1/jobs/${r.job_id}`, { key: mgr.key })).status).toBe(200)
    await t.settle()
  })
})
