// Catalogues over HTTP: the paths a well-behaved caller takes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

type Tenant = { orgId: string; key: string }
let t: TestApp
let uniA: Tenant, entA: Tenant

beforeAll(async () => {
  t = await createTestApp()
  ;[uniA, entA] = await Promise.all([t.tenant('university', 'university'), t.tenant('enterprise', 'enterprise')])
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

describe('catalogues over HTTP', () => {
  it('creates, indexes through a job, reads, and re-indexes only on text change', async () => {
    const r = await t.request('/v1/achievements', { method: 'POST', key: uniA.key, json: achievement })
    expect(r.status).toBe(201)
    const created = await r.json()
    expect(created).toMatchObject({ org_id: uniA.orgId, maturity: 'pilot', status: 'active', indexed: false })
    const job = await t.job(created.job_id)
    expect(job).toMatchObject({ state: 'completed', name: 'catalog.index' })
    const got = await (await t.request(`/v1/achievements/${created.id}`, { key: uniA.key })).json()
    expect(got.indexed).toBe(true)
    expect(got.embedding_model).toBe('hash-v1-256')
    expect(got.terms.length).toBeGreaterThan(3)

    const price = await (await t.request(`/v1/achievements/${created.id}`, { method: 'PATCH', key: uniA.key, json: { price_max: 2000000 } })).json()
    expect(price).toMatchObject({ price_max: 2000000, job_id: null, indexed: true })

    const text = await (await t.request(`/v1/achievements/${created.id}`, { method: 'PATCH', key: uniA.key, json: { summary: '改写后的简介：电池健康状态估计。' } })).json()
    expect(text.job_id).toMatch(/^index-achievement-/)
    expect(text.job_id).not.toBe(created.job_id)
    expect(text.indexed).toBe(false)
    await t.job(text.job_id)
    expect((await (await t.request(`/v1/achievements/${created.id}`, { key: uniA.key })).json()).indexed).toBe(true)

    // Same natural key (no external id: the text it was created with) -> conflict, with the existing id.
    const dup = await t.request('/v1/achievements', { method: 'POST', key: uniA.key, json: achievement })
    expect(dup.status).toBe(409)
    expect((await dup.json()).existing_id).toBe(created.id)
  })

  it('validates and normalises fields', async () => {
    const bad = await t.request('/v1/patents', {
      method: 'POST', key: uniA.key,
      json: { publication_number: '??', title: 'x'.repeat(201), ipc_codes: ['not-ipc'], application_date: '2021-02-30', legal_status: 'alive' },
    })
    expect(bad.status).toBe(400)
    const fields = (await bad.json()).errors.map((e: { field: string }) => e.field).sort()
    expect(fields).toEqual(['body.application_date', 'body.ipc_codes.0', 'body.legal_status', 'body.publication_number', 'body.title'])

    const ok = await t.request('/v1/patents', {
      method: 'POST', key: uniA.key,
      json: { publication_number: 'cn 114 123 456 a', title: '一种电池管理方法', ipc_codes: ['H01M 10/42', 'g01r 31/36'], legal_status: 'valid' },
    })
    expect(ok.status).toBe(201)
    expect(await ok.json()).toMatchObject({ publication_number: 'CN114123456A', ipc_codes: ['H01M10/42', 'G01R31/36'], ipc_main: 'H01M10/42' })

    const range = await t.request('/v1/needs', { method: 'POST', key: entA.key, json: { title: '需求', budget_min: 10, budget_max: 5 } })
    expect((await range.json()).errors[0].field).toBe('body.budget_max')
  })

  it('lists with filters and cursor pagination', async () => {
    const mine = await t.tenant('university', 'university')
    for (let i = 0; i < 5; i++) {
      const r = await t.request('/v1/patents', {
        method: 'POST', key: mine.key,
        json: { publication_number: `CN20000000${i}A`, title: `专利${i}`, ipc_codes: [i < 3 ? 'H01M10/42' : 'A01B1/00'], legal_status: i % 2 ? 'valid' : 'pending', applicants: ['某某大学'] },
      })
      expect(r.status).toBe(201)
    }
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: { items: { publication_number: string }[]; next_cursor: string | null } = await (
        await t.request(`/v1/patents?org_id=${mine.orgId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: mine.key })
      ).json()
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.items.map((p) => p.publication_number))
      cursor = page.next_cursor
    } while (cursor)
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `CN20000000${i}A`))
    const ipc = await (await t.request(`/v1/patents?org_id=${mine.orgId}&ipc=H01M`, { key: mine.key })).json()
    expect(ipc.items).toHaveLength(3)
    const valid = await (await t.request(`/v1/patents?org_id=${mine.orgId}&ipc=H01M&legal_status=valid`, { key: mine.key })).json()
    expect(valid.items).toHaveLength(1)
    const app = await (await t.request(`/v1/patents?org_id=${mine.orgId}&applicant=某某`, { key: mine.key })).json()
    expect(app.items).toHaveLength(5)
    expect((await t.request('/v1/patents?limit=1000', { key: mine.key })).status).toBe(400)
    expect((await t.request('/v1/patents?cursor=garbage', { key: mine.key })).status).toBe(400)
  })
})

describe('paging', () => {
  it('pages through rows written in one transaction (one import batch, one now()) without skipping any', async () => {
    const ent = await t.tenant('enterprise', 'enterprise')
    const rows = Array.from({ length: 23 }, (_, i) => JSON.stringify({ external_id: `page-${i}`, title: `同批导入的需求 ${i}`, status: 'draft' }))
    const form = new FormData()
    form.set('file', new File([rows.join('\n')], 'needs.jsonl'))
    form.set('kind', 'need')
    const up = await (await t.request('/v1/imports', { method: 'POST', key: ent.key, body: form })).json()
    await t.job(up.job_id)
    // all 23 share one created_at, to the microsecond on PostgreSQL
    const ids: string[] = []
    let cursor = ''
    for (let i = 0; i < 10; i++) {
      const r = await (await t.request(`/v1/needs?org_id=${ent.orgId}&limit=5${cursor ? `&cursor=${cursor}` : ''}`, { key: ent.key })).json()
      ids.push(...r.items.map((n: { id: string }) => n.id))
      expect(r.items.every((n: Record<string, unknown>) => !('at_key' in n))).toBe(true)
      if (!r.next_cursor) break
      cursor = r.next_cursor
    }
    expect(ids).toHaveLength(23)
    expect(new Set(ids).size).toBe(23)
  })
})
