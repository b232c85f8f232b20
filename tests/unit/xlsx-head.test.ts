// The bounded XLSX header reader against workbooks written by ExcelJS (shared strings, inline strings, gaps, numbers).
import { PassThrough } from 'node:stream'
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { readHeader } from '../../src/imports/read'
import { xlsxHeaderRow } from '../../src/imports/xlsx-head'

async function streamed(rows: unknown[][], useSharedStrings: boolean): Promise<Uint8Array> {
  const out = new PassThrough()
  const chunks: Buffer[] = []
  out.on('data', (c: Buffer) => chunks.push(c))
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings })
  const ws = wb.addWorksheet('s')
  for (const r of rows) ws.addRow(r).commit()
  ws.commit()
  await wb.commit()
  return new Uint8Array(Buffer.concat(chunks))
}

describe('xlsxHeaderRow', () => {
  it('reads the first row with shared strings, escapes and a gap', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('成果')
    ws.addRow([])
    ws.getCell('A2').value = '成果名称'
    ws.getCell('B2').value = 'R&D <简介>'
    ws.getCell('D2').value = 2024
    ws.addRow(['某成果', '简介', '', 1])
    const buf = new Uint8Array(await wb.xlsx.writeBuffer())
    expect(await xlsxHeaderRow(buf)).toEqual(['成果名称', 'R&D <简介>', '', '2024'])
  })

  it('reads inline strings and shared strings written after the sheet, stopping early in a big workbook', async () => {
    const rows: unknown[][] = [['编号', '成果名称', '成果简介']]
    for (let i = 0; i < 20_000; i++) rows.push([`x-${i}`, `成果${i}`, `简介${i}`])
    expect(await xlsxHeaderRow(await streamed(rows, true))).toEqual(['编号', '成果名称', '成果简介'])
    expect(await xlsxHeaderRow(await streamed(rows.slice(0, 50), false))).toEqual(['编号', '成果名称', '成果简介'])
    const h = await readHeader('big.xlsx', await streamed(rows, true))
    expect(h).toMatchObject({ format: 'xlsx', headers: ['编号', '成果名称', '成果简介'] })
  })
})
