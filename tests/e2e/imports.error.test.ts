// Bulk imports under bad input: what the request path refuses (bounded: it never parses the whole file), and rows the
// database could not store, which are rejected one by one while the rest of the file is imported.
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { importFinished, uploadImport } from '../helpers/imports'

let t: TestApp
let uni: { orgId: string; key: string }
let ent: { orgId: string; key: string }
beforeAll(async () => {
  t = await createTestApp()
  uni = await t.tenant('university', 'university')
  ent = await t.tenant('enterprise', 'enterprise')
})
afterAll(() => t.close())

const errorsOf = async (key: string, id: string) =>
  (await (await t.request(`/v1/imports/${id}/errors`, { key })).json()).items as { line: number; field: string; reason: string; raw: Record<string, unknown> }[]

/** An achievements CSV of `n` distinct good rows (line 1 is the header, row i is on line i + 1). */
const achievementRows = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `${tag}-${i},钙钛矿太阳能电池封装工艺第${i}号,一种提高组件湿热稳定性的封装方法，编号${i}。`)

describe('the request path reads a bounded head of the file', () => {
  it('refuses a one-line CSV far longer than a header with bad_file, and another request is answered meanwhile', async () => {
    const line = '标题,'.repeat(2_000_000) // 8 MB, no line break: no header line a person could mean
    const [r, health] = await Promise.all([uploadImport(t, uni.key, 'achievement', 'one-line.csv', line), t.request('/healthz')])
    expect(health.status).toBe(200)
    expect(r.status).toBe(400)
    const body = await r.json()
    expect(body.type).toBe('/problems/bad_file')
    expect(body.detail).toMatch(/header line is longer than/)
  })

  it('accepts a big file after reading its header only: a broken record far down fails the job, not the upload', async () => {
    // over 1 MB of good rows, then a quote that never closes: only the full parse (the job) can see it
    const pad = '说明'.repeat(100)
    const rows = achievementRows(3000, 'big').map((r) => r + pad)
    const csv = '编号,成果名称,成果简介\n' + rows.join('\n') + '\n"never closed,x,y\n'
    expect(csv.length * 2).toBeGreaterThan(1 << 20)
    const r = await uploadImport(t, uni.key, 'achievement', 'big.csv', csv)
    expect(r.status).toBe(202)
    const accepted = await r.json()
    expect(accepted).toMatchObject({ status: 'queued', format: 'csv', encoding: 'utf-8' })
    const done = await importFinished(t, uni.key, accepted.id)
    expect(done.status).toBe('failed')
    expect(done.error).toMatch(/CSV/)
  })

  it('reads the header row of a workbook without loading the whole workbook', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('成果')
    ws.addRow(['编号', '成果名称', '成果简介'])
    for (let i = 0; i < 1200; i++) ws.addRow([`x-${i}`, `秸秆纤维增强复合材料第${i}号`, `一种低成本秸秆纤维复合材料，编号${i}。`])
    const buf = new Uint8Array(await wb.xlsx.writeBuffer())
    const [r, health] = await Promise.all([uploadImport(t, uni.key, 'achievement', 'big.xlsx', buf), t.request('/healthz')])
    expect(health.status).toBe(200)
    expect(r.status).toBe(202)
    const accepted = await r.json()
    expect(accepted.mapping).toMatchObject({ external_id: '编号', title: '成果名称', summary: '成果简介' })
    const done = await importFinished(t, uni.key, accepted.id)
    expect(done).toMatchObject({ status: 'completed', rows_read: 1200, rows_inserted: 1200, rows_rejected: 0 })
  })

  it('refuses a patent export uploaded as achievements, naming the kind it looks like', async () => {
    const csv =
      '公开(公告)号,申请号,申请日,标题,摘要,申请(专利权)人,发明人,IPC主分类号,IPC分类号,当前法律状态\n' +
      'CN114123456A,CN202110000001.X,2021-01-05,一种电池健康状态估计方法,摘要,东南大学,张三,H01M10/42,H01M10/42,有效\n'
    const own = await t.tenant('university', 'university')
    const r = await uploadImport(t, own.key, 'achievement', 'patents.csv', csv)
    expect(r.status).toBe(400)
    const body = await r.json()
    expect(body.type).toBe('/problems/bad_file')
    expect(body.detail).toMatch(/patent/)
    expect(body.detail).toMatch(/kind=patent/)
    const n = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM achievements WHERE org_id = $1', [own.orgId])
    expect(n.rows[0]!.n).toBe(0)
    // the same file as patents is fine
    expect((await uploadImport(t, own.key, 'patent', 'patents.csv', csv)).status).toBe(202)
  })

  it('names the kind a file looks like when the chosen kind lacks its required columns', async () => {
    const r = await uploadImport(t, ent.key, 'need', 'achievements.csv', '成果名称,成果简介,成熟度\n某成果,简介,中试\n')
    expect(r.status).toBe(400)
    const body = await r.json()
    expect(body.type).toBe('/problems/bad_file')
    expect(body.detail).toMatch(/kind=achievement/)
  })
})

describe('one bad row never fails a whole import', () => {
  it('rejects the row with a NUL byte after the first 8 KB of a CSV and imports the other 400', async () => {
    const rows = achievementRows(401, 'nul')
    rows[300] = `nul-300,含空字符的\u0000成果,简介` // line 302, well past 8 KB
    const csv = '编号,成果名称,成果简介\n' + rows.join('\n') + '\n'
    expect(csv.indexOf('\u0000')).toBeGreaterThan(8192)
    const r = await uploadImport(t, uni.key, 'achievement', 'nul.csv', csv)
    expect(r.status).toBe(202)
    const done = await importFinished(t, uni.key, (await r.json()).id)
    expect(done).toMatchObject({ status: 'completed', rows_read: 401, rows_inserted: 400, rows_rejected: 1 })
    const errs = await errorsOf(uni.key, done.id)
    expect(errs).toHaveLength(1)
    expect(errs[0]).toMatchObject({ line: 302, field: 'title' })
    expect(errs[0]!.reason).toMatch(/NUL/)
    expect(errs[0]!.raw['成果名称']).toBe('含空字符的\ufffd成果') // the report itself stores what it can
  })

  it('rejects JSON Lines records with \\u0000 or a lone surrogate, and imports the rest', async () => {
    const lines = [
      JSON.stringify({ id: 'j-1', name: '高效光伏组件清洗机器人', context: '用于光伏电站的自动清洗。' }),
      '{"id":"j-2","name":"含空字符\\u0000的成果","context":"x"}',
      '{"id":"j-3","name":"孤立代理项\\ud800成果","context":"x"}',
      '{"id":"j-4","name":"正常","context":"说明里有孤立代理项\\udfff"}',
      JSON.stringify({ id: 'j-5', name: '工业废水膜处理技术', context: '一种抗污染的复合膜。' }),
    ]
    const r = await uploadImport(t, uni.key, 'achievement', 'records.jsonl', lines.join('\n') + '\n', { map: 'external_id=id,title=name,summary=context' })
    expect(r.status).toBe(202)
    const done = await importFinished(t, uni.key, (await r.json()).id)
    expect(done).toMatchObject({ status: 'completed', rows_read: 5, rows_inserted: 2, rows_rejected: 3 })
    const errs = await errorsOf(uni.key, done.id)
    expect(errs.map((e) => [e.line, e.field])).toEqual([[2, 'title'], [3, 'title'], [4, 'summary']])
    expect(errs[0]!.reason).toMatch(/NUL/)
    expect(errs[1]!.reason).toMatch(/surrogate/)
  })

  it('rejects out-of-range dates row by row', async () => {
    const csv =
      '公开号,标题,申请日\n' +
      'CN100000001A,日期正常的专利,2021-01-05\n' +
      'CN100000002A,年份超出范围的专利,99999-01-01\n' +
      'CN100000003A,零年专利,0000-01-01\n' +
      'CN100000004A,另一件正常的专利,2020-02-29\n'
    const done = await importFinished(t, uni.key, (await (await uploadImport(t, uni.key, 'patent', 'dates.csv', csv)).json()).id)
    expect(done).toMatchObject({ status: 'completed', rows_read: 4, rows_inserted: 2, rows_rejected: 2 })
    expect((await errorsOf(uni.key, done.id)).map((e) => [e.line, e.field])).toEqual([[3, 'application_date'], [4, 'application_date']])
  })
})

describe('bulk import: refused at upload', () => {
  it('rejects a file that is not what it claims with one clear error', async () => {
    const empty = await uploadImport(t, uni.key, 'patent', 'empty.csv', '')
    expect(empty.status).toBe(400)
    expect((await empty.json()).type).toBe('/problems/bad_file')
    const binary = await uploadImport(t, uni.key, 'patent', 'data.csv', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2, 3]))
    expect((await binary.json()).detail).toMatch(/binary/)
    const fakeXlsx = await uploadImport(t, uni.key, 'patent', 'data.xlsx', '标题,摘要\n a,b')
    expect((await fakeXlsx.json()).detail).toMatch(/XLSX/)
    // An achievements sheet uploaded as patents: no publication-number column.
    const wrong = await uploadImport(t, uni.key, 'patent', 'achievements.csv', '成果名称,成果简介\n某成果,简介')
    expect(wrong.status).toBe(400)
    const body = await wrong.json()
    expect(body.type).toBe('/problems/bad_file')
    expect(body.detail).toMatch(/publication_number/)
  })

  it('validates the mapping and the role', async () => {
    const badMap = await uploadImport(t, uni.key, 'achievement', 'a.csv', 'name,context\nx,y', { map: 'title=nope' })
    expect(badMap.status).toBe(400)
    expect((await badMap.json()).errors[0].field).toBe('map')
    const wrongRole = await uploadImport(t, ent.key, 'patent', 'p.csv', '公开号,标题\nCN1A,x')
    expect(wrongRole.status).toBe(403)
    const noFile = await t.request('/v1/imports', { method: 'POST', key: uni.key, body: (() => { const f = new FormData(); f.set('kind', 'patent'); return f })() })
    expect(noFile.status).toBe(400)
  })

  it('refuses a template of an unknown kind with a 400 naming kind, and asks for a key', async () => {
    const bad = await t.request('/v1/imports/template?kind=thesis', { key: uni.key })
    expect(bad.status).toBe(400)
    expect((await bad.json()).errors[0].field).toBe('query.kind')
    expect((await t.request('/v1/imports/template?kind=need')).status).toBe(401)
  })
})
