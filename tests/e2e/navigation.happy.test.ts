// Patent-navigation reports, the happy path: order, watch it build, read its statistics (checked against values worked
// out by hand on tests/fixtures/navigation.ts), render it, rebuild it, confirm its summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { EVIL, loadNavFixture } from '../fixtures/navigation'

let t: TestApp
let mgr: { orgId: string; key: string }
let report: { id: string; job_id: string; status: string }

beforeAll(async () => {
  t = await createTestApp({}, { isolated: true })
  await loadNavFixture(t)
  mgr = await t.tenant('transfer_center', 'manager')
  const r = await t.request('/v1/navigation-reports', { key: mgr.key, method: 'POST', json: { title: '固态电解质专利导航', scope: { keywords: ['固态电解质'], ipc: ['h01m'] } } })
  expect(r.status).toBe(202)
  report = await r.json()
  await t.job(report.job_id)
})
afterAll(async () => {
  await t?.close()
})

const get = async (q = '') => t.request(`/v1/navigation-reports/${report.id}${q}`, { key: mgr.key })

describe('navigation report statistics', () => {
  it('is built by a job that reports progress, and stored as completed', async () => {
    expect(report.status).toBe('queued')
    const job = await t.rt.queue.get(report.job_id)
    expect(job?.failed_reason ?? null).toBeNull()
    expect(job).toMatchObject({ state: 'completed', progress: { step: 'done', percent: 100 } })
    const r = await (await get()).json()
    expect(r).toMatchObject({ status: 'completed', progress: { percent: 100 }, build: 1, summary_state: 'draft', error: null })
    expect(r.caller).toBeUndefined()
  })

  it('states the scope, the retrieval statement and the cut-off date', async () => {
    const { report: r } = await (await get()).json()
    expect(r.query).toBe('TI/AB/CL=("固态电解质") AND IPC=(H01M*)')
    expect(r.cutoff_date).toBe(new Date().toISOString().slice(0, 10))
    expect(r.counts).toEqual({ patents: 10, truncated: false, applicants: 6, inventors: 7, with_date: 10, first_year: 2018, last_year: 2023 })
    expect(r.breakdown[0]).toMatchObject({ branch: 'H01M', count: 10, children: [{ name: 'H01M10/00', count: 7 }, { name: 'H01M4/00', count: 3 }] })
    // beside the IPC groups, the topics the subclass's patents fall in (by content), largest first
    const topics = r.breakdown[0].topics as { name: string; count: number }[]
    expect(topics.length).toBeGreaterThan(0)
    for (const t of topics) expect(t.name).toMatch(/^T\d+ \S/)
    expect(topics.map((t) => t.count)).toEqual([...topics.map((t) => t.count)].sort((a, b) => b - a))
    const sizes = new Map(r.clusters.items.map((c: { id: number; size: number }) => [`T${c.id + 1}`, c.size]))
    for (const t of topics) expect(t.count).toBe(sizes.get(t.name.split(' ')[0])) // every patent of the scope is in H01M
  })

  it('counts applications, grants and applicants by year', async () => {
    const { report: r } = await (await get()).json()
    expect(r.trend).toEqual([
      { year: 2018, applications: 1, grants: 0, applicants: 1 },
      { year: 2019, applications: 1, grants: 0, applicants: 2 },
      { year: 2020, applications: 1, grants: 1, applicants: 1 },
      { year: 2021, applications: 2, grants: 1, applicants: 2 },
      { year: 2022, applications: 2, grants: 1, applicants: 3 },
      { year: 2023, applications: 3, grants: 1, applicants: 3 },
    ])
  })

  it('breaks the area down by IPC with growth over the last 3 years against the 3 before', async () => {
    const { report: r } = await (await get()).json()
    expect(r.ipc.reference_year).toBe(2023)
    expect(r.ipc.subclasses).toEqual([{ code: 'H01M', count: 10, recent: 7, previous: 3, growth: 1.3333 }])
    expect(r.ipc.groups).toEqual([
      { code: 'H01M10/00', count: 7, recent: 5, previous: 2, growth: 1.5 },
      { code: 'H01M4/00', count: 3, recent: 2, previous: 1, growth: 1 },
    ])
  })

  it('ranks applicants and inventors, shares by kind of first applicant, co-applicant pairs', async () => {
    const { report: r } = await (await get()).json()
    const top = r.applicants.top
    expect(top.slice(0, 2)).toEqual(expect.arrayContaining([
      { name: '清华大学', count: 4, first: 4, kind: '高校' },
      { name: '宁德时代新能源科技股份有限公司', count: 4, first: 2, kind: '企业' },
    ]))
    expect(top).toContainEqual({ name: '中国科学院物理研究所', count: 2, first: 1, kind: '科研院所' })
    expect(top).toContainEqual({ name: '张某某<b>', count: 1, first: 1, kind: '个人' })
    expect(r.applicants.kinds).toEqual([
      { kind: 'university', label: '高校', patents: 5, applicants: 2, share: 0.5 },
      { kind: 'institute', label: '科研院所', patents: 1, applicants: 1, share: 0.1 },
      { kind: 'enterprise', label: '企业', patents: 3, applicants: 2, share: 0.3 },
      { kind: 'individual', label: '个人', patents: 1, applicants: 1, share: 0.1 },
    ])
    expect(r.applicants.inventors[0]).toEqual({ name: '张三', count: 4 })
    expect(r.applicants.inventors.slice(1, 3)).toEqual(expect.arrayContaining([{ name: '李四', count: 2 }, { name: '王五', count: 2 }]))
    expect(r.applicants.pairs).toEqual(expect.arrayContaining([
      { a: expect.any(String), b: expect.any(String), count: 2 },
      { a: expect.any(String), b: expect.any(String), count: 1 },
    ]))
    expect(r.applicants.pairs).toHaveLength(2)
    expect([r.applicants.pairs[0].a, r.applicants.pairs[0].b].sort()).toEqual(['宁德时代新能源科技股份有限公司', '清华大学'].sort())
  })

  it('counts legal status and patent types', async () => {
    const { report: r } = await (await get()).json()
    expect(r.legal.status).toEqual([{ name: 'pending', count: 5 }, { name: 'valid', count: 4 }, { name: 'invalid', count: 1 }])
    expect(r.legal.types).toEqual([{ name: 'invention', count: 8 }, { name: 'utility_model', count: 2 }])
  })

  it('finds effects, the life-cycle stage, transfer opportunities and key patents', async () => {
    const { report: r } = await (await get()).json()
    const col = (name: string) => r.effects.effects.indexOf(name)
    const total = (name: string) => r.effects.cells.reduce((s: number, row: number[]) => s + row[col(name)]!, 0)
    expect(total('降低成本')).toBe(3) // P1, P6, P8
    expect(total('延长寿命')).toBe(2) // P1, P7
    expect(total('提高安全性')).toBe(3) // P2, P5, P9
    expect(r.lifecycle).toMatchObject({ stage: 'growing', label: '成长期' })
    expect(r.opportunities.transfer_total).toBe(3) // P1, P4, P7: valid, university/institute, no enterprise
    expect(r.opportunities.transfers.map((x: { publication_number: string }) => x.publication_number).sort()).toEqual(['CN100000001A', 'CN100000004A', 'CN100000007A'])
    expect(r.opportunities.lapsed_total).toBe(1) // P5
    expect(r.opportunities.lapsed).toEqual([expect.objectContaining({ publication_number: 'CN100000005A', relevance: null })])
    expect(r.key_patents.length).toBeGreaterThan(0)
    for (const k of r.key_patents) expect(k.reasons.length).toBeGreaterThan(0)
    expect(r.clusters.items.reduce((s: number, c: { size: number }) => s + c.size, 0)).toBe(10)
  })

  it('writes a template summary with the numbers, a draft until confirmed', async () => {
    const r = await (await get()).json()
    expect(r.summary).toMatchObject({ source: 'template', model: null })
    expect(r.summary.text).toContain('共检得专利 10 件')
    expect(r.summary.text).toContain('高校 50%')
  })
})

describe('a need-scoped report', () => {
  it('takes the need\'s relevant patents lapsed ones included, so the legal-status section counts them', async () => {
    const ent = await t.tenant('enterprise', 'enterprise')
    const n = await t.request('/v1/needs', {
      key: ent.key, method: 'POST',
      json: { title: '固态电解质电池安全性改进', description: '寻求抑制锂枝晶、提高固态电解质电池安全性的技术，负极界面缓冲层等方案。', visibility: 'public' },
    })
    expect(n.status).toBe(201)
    const needId = (await n.json()).id
    await t.settle()
    const r = await t.request('/v1/navigation-reports', { key: mgr.key, method: 'POST', json: { scope: { need_id: needId, need_min_relevance: 0, need_limit: 50 } } })
    expect(r.status).toBe(202)
    const created = await r.json()
    await t.job(created.job_id)
    const { report: rep } = await (await t.request(`/v1/navigation-reports/${created.id}`, { key: mgr.key })).json()
    expect(rep.query).toContain('含失效专利')
    // P5 (lapsed: 负极与固态电解质之间引入缓冲层，抑制锂枝晶，提高安全性) is the need's landscape too
    expect(rep.legal.status).toContainEqual({ name: 'invalid', count: 1 })
    const statuses = rep.legal.status.reduce((s: number, x: { count: number }) => s + x.count, 0)
    expect(statuses).toBe(rep.counts.patents)
    expect(rep.counts.patents).toBeGreaterThanOrEqual(10)
    // a lapsed patent is no transfer opportunity of a valid right
    expect(rep.opportunities.transfers.map((x: { publication_number: string }) => x.publication_number)).not.toContain('CN100000005A')
    // it is listed as technology free to practise, with its relevance to the need
    expect(rep.opportunities.lapsed_total).toBe(1)
    expect(rep.opportunities.lapsed).toEqual([expect.objectContaining({ publication_number: 'CN100000005A', relevance: expect.any(Number) })])
  })
})

describe('navigation report renderings', () => {
  it('renders self-contained Chinese HTML with inline SVG charts, escaping patent text', async () => {
    const r = await get('?format=html')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toContain('text/html')
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await r.text()
    expect(html).toContain('<html lang="zh-CN">')
    expect(html).toContain('专利申请趋势')
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(6)
    expect(html).not.toContain("<script>alert('x')</script>")
    expect(html).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;')
    expect(html).not.toContain('张某某<b>')
    expect(html).not.toMatch(/<script|src="http|href="http/)
  })

  it('renders Markdown with the same sections, patent text escaped', async () => {
    const r = await get('?format=md')
    expect(r.status).toBe(200)
    const md = await r.text()
    expect(md).toContain('# 固态电解质专利导航')
    expect(md).toContain('## 十、结论与建议')
    expect(md).toContain('| 2023 | 3 | 1 | 3 |')
    expect(md).not.toContain(EVIL)
    expect(md).not.toContain('<script>')
  })
})

describe('navigation report lifecycle', () => {
  it('lists the report, confirms the summary (audited) and rebuilds it as a new draft', async () => {
    const list = await (await t.request('/v1/navigation-reports', { key: mgr.key })).json()
    expect(list.items.map((x: { id: string }) => x.id)).toContain(report.id)
    expect(list.items[0].report).toBeUndefined()

    const c = await t.request(`/v1/navigation-reports/${report.id}/confirm`, { key: mgr.key, method: 'POST', json: { summary: '经审核的结论。' } })
    expect(c.status).toBe(200)
    const confirmed = await c.json()
    expect(confirmed).toMatchObject({ summary_state: 'confirmed', summary: { text: '经审核的结论。', edited: true } })
    expect(await (await get('?format=html')).text()).toContain('已确认')

    const rb = await t.request(`/v1/navigation-reports/${report.id}/rebuild`, { key: mgr.key, method: 'POST' })
    expect(rb.status).toBe(202)
    const rebuilt = await rb.json()
    expect(rebuilt).toMatchObject({ build: 2, status: 'queued', summary_state: 'draft' })
    await t.job(rebuilt.job_id)
    expect(await (await get()).json()).toMatchObject({ status: 'completed', build: 2, summary_state: 'draft' })

    const audit = await (await t.request(`/v1/audit?object_kind=navigation_report&object_id=${report.id}`, { key: t.adminKey })).json()
    expect(audit.items.map((e: { action: string }) => e.action).sort()).toEqual([
      'navigation_report.build', 'navigation_report.build', 'navigation_report.confirm', 'navigation_report.create', 'navigation_report.rebuild',
    ])
  })

  it('is described in the OpenAPI document', async () => {
    const doc = await (await t.request('/openapi.json')).json()
    for (const p of ['/v1/navigation-reports', '/v1/navigation-reports/{id}', '/v1/navigation-reports/{id}/rebuild', '/v1/navigation-reports/{id}/confirm']) {
      expect(doc.paths[p]).toBeDefined()
    }
  })
})
