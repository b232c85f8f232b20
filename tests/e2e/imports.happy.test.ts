import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { importFinished, uploadImport } from '../helpers/imports'

const FIXTURES = path.resolve(__dirname, '../fixtures')
const EVAL = path.resolve(__dirname, '../../../shared/eval-data')

let t: TestApp
let uni: { orgId: string; key: string }
let ent: { orgId: string; key: string }
beforeAll(async () => {
  t = await createTestApp()
  uni = await t.tenant('university', 'university')
  ent = await t.tenant('enterprise', 'enterprise')
})
afterAll(() => t.close())

describe('bulk import', () => {
  it('imports a GB18030 patent export with Chinese headers, reports bad rows, and is idempotent', async () => {
    const file = readFileSync(path.join(FIXTURES, 'patents-gb18030.csv'))
    const r = await uploadImport(t, uni.key, 'patent', 'patents-gb18030.csv', file)
    expect(r.status).toBe(202)
    const accepted = await r.json()
    expect(accepted).toMatchObject({ kind: 'patent', format: 'csv', encoding: 'gb18030', status: 'queued' })
    expect(accepted.mapping).toMatchObject({ publication_number: '公开（公告）号', title: '标题', ipc_codes: 'IPC分类号', legal_status: '当前法律状态' })

    const done = await importFinished(t, uni.key, accepted.id)
    expect(done).toMatchObject({ status: 'completed', rows_read: 5, rows_inserted: 2, rows_rejected: 3 })

    const errs = (await (await t.request(`/v1/imports/${accepted.id}/errors`, { key: uni.key })).json()).items
    const byLine = Object.fromEntries(errs.map((e: { line: number; field: string }) => [e.line, e.field]))
    expect(byLine).toEqual({ 4: 'application_date', 5: 'ipc_main', 6: 'title' })
    expect(errs.find((e: { line: number }) => e.line === 4).reason).toMatch(/2022-13-40/)

    const csv = await t.request(`/v1/imports/${accepted.id}/errors?format=csv`, { key: uni.key })
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const bytes = new Uint8Array(await csv.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]) // BOM: Excel opens it as UTF-8
    const text = new TextDecoder().decode(bytes)
    expect(text.split('\r\n')[0]).toBe('line,field,reason,raw')
    expect(text).toContain('没有标题的一行')

    // Normalised, analysed, embedded and searchable.
    const list = await (await t.request(`/v1/patents?org_id=${uni.orgId}&q=锂电池健康状态`, { key: uni.key })).json()
    // Ranked by keyword match: the battery-health patent first, the solar cell (shares only 电池) after it.
    expect(list.items.map((p: { publication_number: string }) => p.publication_number)).toEqual(['CN114123456A', 'CN115000001A'])
    const p = list.items[0]
    expect(p).toMatchObject({
      ipc_main: 'H01M10/42', ipc_codes: ['H01M10/42', 'G01R31/367'], legal_status: 'valid', patent_type: 'invention',
      applicants: ['东南大学'], inventors: ['张三', '李四'], application_date: '2021-01-05', publication_date: '2021-06-08', indexed: true,
    })
    expect(p.terms.map((x: { term: string }) => x.term)).toContain('锂离子')

    // The same file again changes nothing.
    const again = await importFinished(t, uni.key, (await (await uploadImport(t, uni.key, 'patent', 'patents-gb18030.csv', file)).json()).id)
    expect(again).toMatchObject({ status: 'completed', rows_read: 5, rows_inserted: 0, rows_updated: 0, rows_unchanged: 2, rows_rejected: 3 })
    const count = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM patents WHERE org_id = $1', [uni.orgId])
    expect(count.rows[0]!.n).toBe(2)
  })

  it('imports a needs spreadsheet (XLSX) with Chinese headers', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('需求')
    ws.addRow(['需求名称', '需求描述', '所属行业', '预算', '截止日期', '合作方式', '技术指标', '公开范围'])
    ws.addRow(['动力电池健康状态在线估计', '需要在电池管理系统中在线估计电芯健康状态，误差小于3%。', '新能源', '50-80万元', new Date(Date.UTC(2027, 5, 30)), '合作开发', '估计误差≤3%；响应时间<1s', '平台'])
    ws.addRow(['', '缺少名称', '新能源', '面议', '2027-01-01', '委托开发', '', '公开'])
    ws.addRow(['低成本钙钛矿组件封装', '寻求钙钛矿光伏组件封装技术，提高湿热稳定性。', '新能源', '一百万', '2027-03-01', '技术转让', '', '公开'])
    const buf = new Uint8Array(await wb.xlsx.writeBuffer())
    const r = await uploadImport(t, ent.key, 'need', 'needs.xlsx', buf)
    expect(r.status).toBe(202)
    const done = await importFinished(t, ent.key, (await r.json()).id)
    expect(done).toMatchObject({ status: 'completed', format: 'xlsx', rows_read: 3, rows_inserted: 1, rows_rejected: 2 })
    const errs = (await (await t.request(`/v1/imports/${done.id}/errors`, { key: ent.key })).json()).items
    expect(errs.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([[3, 'title'], [4, 'budget']])
    const needs = await (await t.request(`/v1/needs?org_id=${ent.orgId}`, { key: ent.key })).json()
    expect(needs.items[0]).toMatchObject({
      title: '动力电池健康状态在线估计', budget_min: 500000, budget_max: 800000, deadline: '2027-06-30',
      cooperation_modes: ['co_development'], visibility: 'platform', indicators: [{ name: '估计误差≤3%' }, { name: '响应时间<1s' }],
    })
  })
})

describe.runIf(existsSync(EVAL))('bulk import of the real data in ../shared/eval-data', () => {
  it('imports the 51jishu achievements (JSON) with a mapping', async () => {
    const file = readFileSync(path.join(EVAL, 'zhibei-51jishu/technical_achievements_data_source_part_1.json'))
    const r = await uploadImport(t, uni.key, 'achievement', 'part_1.json', file, { map: 'title=name,summary=context,field=industry,industry=classification' })
    expect(r.status).toBe(202)
    const done = await importFinished(t, uni.key, (await r.json()).id)
    expect(done.status).toBe('completed')
    expect(done.rows_read).toBe(1000)
    expect(done.rows_inserted + done.rows_updated + done.rows_unchanged + done.rows_rejected).toBe(1000)
    expect(done.rows_inserted).toBeGreaterThan(900)
    const sample = await t.db.query<{ maturity: string; transfer_modes: string[]; indexed: boolean }>(
      `SELECT maturity, transfer_modes, embedding IS NOT NULL AS indexed FROM achievements WHERE org_id = $1 AND title = '久坐卫士'`,
      [uni.orgId],
    )
    expect(sample.rows[0]).toEqual({ maturity: 'small_pilot', transfer_modes: ['other'], indexed: true })
  })

  it('imports the CCF 2022 patents (JSON Lines) with a mapping', async () => {
    const file = readFileSync(path.join(EVAL, 'ccf2022-patent-fewshot/train.json'))
    const r = await uploadImport(t, uni.key, 'patent', 'train.json', file, { map: 'publication_number=id,applicants=assignee' })
    expect(r.status).toBe(202)
    const done = await importFinished(t, uni.key, (await r.json()).id)
    expect(done).toMatchObject({ status: 'completed', format: 'jsonl', rows_read: 958, rows_rejected: 0, rows_inserted: 958 })
    const n = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM patents WHERE org_id = $1 AND embedding IS NOT NULL AND tokens IS NOT NULL', [uni.orgId])
    expect(n.rows[0]!.n).toBeGreaterThanOrEqual(958)
  })
})

describe('import templates', () => {
  it('gives a blank CSV per kind whose Chinese headers map back field by field, and a filled one imports', async () => {
    const res = await t.request('/v1/imports/template?kind=achievement', { key: uni.key })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/csv')
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''")
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const header = new TextDecoder().decode(bytes).replace(/^\ufeff/, '').split('\r\n')[0]!
    expect(header.split(',').slice(0, 4)).toEqual(['编号', '成果名称', '成果简介', '技术领域'])
    const filled = `${header}\r\n${header.split(',').map((col) => ({ 编号: 'TPL-1', 成果名称: '模板导入的一项成果：高温合金叶片修复', 成果简介: '激光熔覆修复航空发动机叶片。', 成熟度: '中试', 合作方式: '技术转让', 价格: '50-80万元', 状态: '已发布' } as Record<string, string>)[col] ?? '').join(',')}\r\n`
    const up = await uploadImport(t, uni.key, 'achievement', 'filled.csv', filled)
    expect(up.status).toBe(202)
    const accepted = await up.json()
    // every column of the template is recognised without a mapping
    expect(Object.values(accepted.mapping).sort()).toEqual(header.split(',').sort())
    const done = await importFinished(t, uni.key, accepted.id)
    expect(done).toMatchObject({ status: 'completed', rows_inserted: 1, rows_rejected: 0 })
    const list = await (await t.request(`/v1/achievements?org_id=${uni.orgId}&q=高温合金叶片修复&limit=100`, { key: uni.key })).json()
    expect(list.items.find((a: { external_id: string }) => a.external_id === 'TPL-1')).toMatchObject({ title: '模板导入的一项成果：高温合金叶片修复', maturity: 'pilot', status: 'active', price_min: 500000, price_max: 800000 })

    // a mapping typed with full-width commas, as Chinese keyboards give
    const mapped = await uploadImport(t, uni.key, 'achievement', 'own.csv', '项目甲,介绍乙\r\n自定义表头的成果,用自定义表头登记\r\n', { map: 'title=项目甲，summary=介绍乙' })
    expect(mapped.status).toBe(202)
    expect((await mapped.json()).mapping).toEqual({ title: '项目甲', summary: '介绍乙' })

    for (const kind of ['patent', 'need'] as const) {
      const text = await (await t.request(`/v1/imports/template?kind=${kind}`, { key: ent.key })).text()
      expect(text.split('\r\n')[0]).toContain(kind === 'patent' ? '公开(公告)号' : '需求名称')
    }
  })
})
