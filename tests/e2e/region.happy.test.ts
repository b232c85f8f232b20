// Items written without a region are in their organisation's region (create, patch, import), so region features fire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
let uni: { orgId: string; key: string }
let ent: { orgId: string; key: string }
beforeAll(async () => {
  t = await createTestApp()
  uni = await t.tenant('university', 'university') // tenants are in 江苏
  ent = await t.tenant('enterprise', 'enterprise')
})
afterAll(() => t.close())

describe('region inheritance', () => {
  it('an achievement, a patent and a need created without a region take the organisation\'s; an explicit one stays', async () => {
    const a = await (await t.request('/v1/achievements', { method: 'POST', key: uni.key, json: { title: '无地区的成果' } })).json()
    const p = await (await t.request('/v1/patents', { method: 'POST', key: uni.key, json: { publication_number: 'CN118000001A', title: '无地区的专利' } })).json()
    const n = await (await t.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '无地区的需求' } })).json()
    expect([a.region, p.region, n.region]).toEqual(['江苏', '江苏', '江苏'])
    const own = await (await t.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '有地区的需求', region: '浙江' } })).json()
    expect(own.region).toBe('浙江')
  })

  it('a patch that clears the region falls back to the organisation\'s', async () => {
    const n = await (await t.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '将清空地区的需求', region: '广东' } })).json()
    const r = await t.request(`/v1/needs/${n.id}`, { method: 'PATCH', key: ent.key, json: { region: null } })
    expect(r.status).toBe(200)
    expect((await r.json()).region).toBe('江苏')
  })

  it('imported rows without a region take the organisation\'s', async () => {
    const form = new FormData()
    form.set('file', new File(['成果名称,成果简介\n导入的无地区成果,一种电池材料\n'], 'a.csv'))
    form.set('kind', 'achievement')
    const imp = await (await t.request('/v1/imports', { method: 'POST', key: uni.key, body: form })).json()
    await t.job(imp.job_id)
    await t.settle()
    const list = await (await t.request(`/v1/achievements?org_id=${uni.orgId}`, { key: uni.key })).json()
    const row = list.items.find((x: { title: string }) => x.title === '导入的无地区成果')
    expect(row.region).toBe('江苏')
  })
})
