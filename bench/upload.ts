// `npm run bench -- upload [--csv-mb 45] [--xlsx-rows 300000] [--json]`
// What an upload costs the request path: the check it does before answering (readHeader: format, encoding, header row)
// against a full read of the same file (what the job does), each with the longest stall of the event loop meanwhile
// (the longest gap between ticks of a 5 ms timer). Files: one 45 MB CSV line, and a 300,000-row XLSX.
import { PassThrough } from 'node:stream'
import { parseArgs } from 'node:util'
import ExcelJS from 'exceljs'
import { readHeader, readRecords } from '../src/imports/read'

async function measure(fn: () => Promise<unknown>): Promise<{ ms: number; stall_ms: number; outcome: string }> {
  let last = performance.now()
  let stall = 0
  const t = setInterval(() => {
    const now = performance.now()
    stall = Math.max(stall, now - last)
    last = now
  }, 5)
  const t0 = performance.now()
  let outcome = 'ok'
  try {
    await fn()
  } catch (err) {
    outcome = `refused: ${(err as Error).message.slice(0, 60)}`
  }
  const ms = performance.now() - t0
  stall = Math.max(stall, performance.now() - last)
  clearInterval(t)
  return { ms: Math.round(ms), stall_ms: Math.round(stall), outcome }
}

async function xlsxOf(rows: number): Promise<Uint8Array> {
  const out = new PassThrough()
  const chunks: Buffer[] = []
  out.on('data', (c: Buffer) => chunks.push(c))
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true })
  const ws = wb.addWorksheet('成果')
  ws.addRow(['编号', '成果名称', '成果简介']).commit()
  for (let i = 0; i < rows; i++) ws.addRow([`x-${i}`, `秸秆纤维增强复合材料第${i}号`, `一种低成本秸秆纤维复合材料，编号${i}。`]).commit()
  ws.commit()
  await wb.commit()
  return new Uint8Array(Buffer.concat(chunks))
}

export async function benchUpload(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: { 'csv-mb': { type: 'string', default: '45' }, 'xlsx-rows': { type: 'string', default: '300000' }, json: { type: 'boolean', default: false } },
  })
  const log = (s: string) => !values.json && console.log(s)
  const csv = new TextEncoder().encode('标题,'.repeat(Math.round((Number(values['csv-mb']) * 1e6) / 7)))
  log(`upload benchmark: the request path's check vs a full read; event-loop stall = longest gap of a 5 ms timer`)
  const results = [
    { file: `csv one line ${(csv.length / 1e6).toFixed(0)} MB`, step: 'request check (readHeader)', ...(await measure(() => readHeader('line.csv', csv))) },
    { file: `csv one line ${(csv.length / 1e6).toFixed(0)} MB`, step: 'full read (readRecords)', ...(await measure(() => readRecords('line.csv', csv))) },
  ]
  const xlsx = await xlsxOf(Number(values['xlsx-rows']))
  const name = `xlsx ${values['xlsx-rows']} rows (${(xlsx.length / 1e6).toFixed(1)} MB)`
  results.push({ file: name, step: 'request check (readHeader)', ...(await measure(() => readHeader('big.xlsx', xlsx))) })
  results.push({ file: name, step: 'full read (readRecords)', ...(await measure(() => readRecords('big.xlsx', xlsx))) })
  if (values.json) console.log(JSON.stringify(results))
  else for (const r of results) log(`  ${r.file.padEnd(32)} ${r.step.padEnd(28)} ${String(r.ms).padStart(7)} ms, stall ${String(r.stall_ms).padStart(6)} ms  ${r.outcome}`)
}
