// The inverted index of the sparse stage follows its rows: written with them (single writes and bulk imports),
// replaced when the text changes, removed with the row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { wordIndex } from '../../src/models/sparse'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
let uni: { orgId: string; key: string }
beforeAll(async () => {
  t = await createTestApp()
  uni = await t.tenant('university', 'university')
})
afterAll(() => t.close())

const postings = async (id: string) =>
  (await t.db.query<{ term: number; w: number }>('SELECT term, w FROM achievements_postings WHERE id = $1 ORDER BY w DESC', [id])).rows

describe('inverted index postings', () => {
  it('are written with the row, replaced when its text changes and removed with it', async () => {
    const r = await t.request('/v1/achievements', {
      method: 'POST', key: uni.key,
      json: { title: '蓝藻水华遥感预警模型', summary: '利用卫星遥感反演叶绿素浓度，结合气象数据预测湖泊蓝藻水华暴发，提前三天预警。', maturity: 'pilot' },
    })
    const a = await r.json()
    expect(r.status).toBe(201)
    await t.job(a.job_id)
    const first = await postings(a.id)
    expect(first.length).toBeGreaterThan(5)
    expect(first.map((p) => p.term)).toContain(wordIndex('蓝藻'))

    const patched = await (await t.request(`/v1/achievements/${a.id}`, { method: 'PATCH', key: uni.key, json: { title: '盐碱地改良微生物菌剂', summary: '耐盐微生物菌剂改良盐碱地土壤结构，提高作物出苗率。' } })).json()
    await t.job(patched.job_id)
    const second = (await postings(a.id)).map((p) => p.term)
    expect(second).toContain(wordIndex('盐碱地'))
    expect(second).not.toContain(wordIndex('蓝藻'))

    // the sparse stage finds it through the index
    const s = await (await t.request('/v1/search', { method: 'POST', key: uni.key, json: { query: '盐碱地土壤改良菌剂', kinds: ['achievement'], mode: 'lexical' } })).json()
    expect(s.items[0].id).toBe(a.id)
    expect(s.items[0].components.sources).toHaveProperty('sparse')

    expect((await t.request(`/v1/achievements/${a.id}`, { method: 'DELETE', key: uni.key })).status).toBe(204)
    expect(await postings(a.id)).toEqual([])
  })
})
