// Reads an uploaded file into records with their line numbers: CSV (UTF-8 with/without BOM, GB18030/GBK), XLSX, JSON, JSONL.
import { parse as parseCsv } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { BadFileError, DomainError } from '../errors'

export const FORMATS = ['csv', 'xlsx', 'json', 'jsonl'] as const
export type Format = (typeof FORMATS)[number]

export interface SourceRecord {
  /** 1-based line in the file (CSV, JSONL), row in the sheet (XLSX), or position in the array (JSON) */
  line: number
  data: Record<string, unknown>
}

export interface ReadResult {
  format: Format
  encoding: string | null
  headers: string[]
  records: SourceRecord[]
}

const badFile = (msg: string) => new BadFileError(msg)

const isZip = (b: Uint8Array) => b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04

/** UTF-8 (BOM or valid UTF-8) or else GB18030, the superset of GBK/GB2312 that Chinese Excel and patent databases write. */
export function decodeText(buf: Uint8Array): { text: string; encoding: string } {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    return { text: Buffer.from(buf.subarray(3)).toString('utf8'), encoding: 'utf-8-bom' }
  }
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    const le = buf[0] === 0xff
    return { text: iconv.decode(Buffer.from(buf.subarray(2)), le ? 'utf16le' : 'utf16be'), encoding: le ? 'utf-16le' : 'utf-16be' }
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), encoding: 'utf-8' }
  } catch {
    return { text: iconv.decode(Buffer.from(buf), 'gb18030'), encoding: 'gb18030' }
  }
}

/** The format from the file name, checked against the bytes. */
export function detectFormat(filename: string, buf: Uint8Array): Format {
  const ext = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase()
  if (buf.length === 0) throw badFile('The file is empty / 文件为空')
  if (isZip(buf)) {
    if (ext && ext !== 'xlsx') throw badFile(`The file is a ZIP/XLSX archive, not .${ext} / 文件内容与扩展名不符`)
    return 'xlsx'
  }
  if (ext === 'xlsx') throw badFile('The file is not a valid XLSX workbook / 不是有效的 XLSX 文件')
  if (ext === 'xls') throw badFile('Old .xls workbooks are not supported; save as .xlsx or CSV / 不支持 .xls，请另存为 .xlsx 或 CSV')
  // Text formats: NUL bytes mean binary (unless UTF-16, which decodeText handles by BOM).
  const head = buf.subarray(0, 8192)
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)
  if (!utf16 && head.includes(0)) throw badFile('The file is binary, not CSV, XLSX, JSON or JSONL / 文件为二进制格式，无法识别')
  if (ext === 'csv' || ext === 'tsv' || ext === 'txt') return 'csv'
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl'
  if (ext === 'json') return 'json'
  const first = decodeText(head).text.trimStart()[0]
  return first === '[' || first === '{' ? 'json' : 'csv'
}

export const ACCEPTED_ENCODINGS = 'UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK/GB2312'

/**
 * Refuses a file that decodeText could only read as GB18030 but that is not Chinese GB text: a UTF-8 header over rows in
 * another encoding, or bytes that are invalid as GB18030 or fall mostly outside GB2312 (Shift-JIS, Latin-1...).
 * One linear pass over the bytes.
 */
export function assertRecognisedEncoding(buf: Uint8Array): void {
  const nl = buf.indexOf(0x0a)
  const first = buf.subarray(0, nl < 0 ? buf.length : nl)
  const unrecognised = (why: string) =>
    new BadFileError(
      `无法识别文件编码（${why.split(' / ')[0]}）；可接受的编码：UTF-8（可带 BOM）、带 BOM 的 UTF-16、GB18030/GBK/GB2312，请另存为 UTF-8 后重新上传 / ` +
        `The file's encoding could not be recognised (${why.split(' / ')[1]}). Accepted encodings: ${ACCEPTED_ENCODINGS}; save the file as UTF-8 and upload it again.`,
    )
  if (nl >= 0 && first.some((b) => b >= 0x80)) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(first)
      throw unrecognised('表头是 UTF-8，数据行却不是，编码混用 / the header line is UTF-8 but the rows after it are not: mixed encodings')
    } catch (err) {
      if (err instanceof BadFileError) throw err
    }
  }
  let multi = 0
  let common = 0
  let bad = 0
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!
    if (b < 0x80) { i++; continue }
    const b2 = buf[i + 1] ?? 0
    if (b === 0x80 || b === 0xff) { bad++; i++ }
    else if (b2 >= 0x30 && b2 <= 0x39) {
      // four-byte GB18030 form
      const ok = (buf[i + 2] ?? 0) >= 0x81 && (buf[i + 2] ?? 0) <= 0xfe && (buf[i + 3] ?? 0) >= 0x30 && (buf[i + 3] ?? 0) <= 0x39
      if (ok) { multi++; i += 4 } else { bad++; i++ }
    } else if ((b2 >= 0x40 && b2 <= 0x7e) || (b2 >= 0x80 && b2 <= 0xfe)) {
      multi++
      // GB2312: symbols and the 6,763 common hanzi, which real Chinese text is almost all made of
      if (b >= 0xa1 && b <= 0xf7 && b2 >= 0xa1) common++
      i += 2
    } else { bad++; i++ }
  }
  if (bad > 0.02 * (multi + bad) || (multi >= 8 && common < 0.6 * multi)) {
    throw unrecognised('既不是 UTF-8 也不像 GB18030 中文，可能是 Shift-JIS 或 Latin-1 / neither UTF-8 nor Chinese GB18030 text; it may be Shift-JIS or Latin-1')
  }
}

export async function readRecords(filename: string, buf: Uint8Array, opts: { headerOnly?: boolean } = {}): Promise<ReadResult> {
  const format = detectFormat(filename, buf)
  if (format === 'xlsx') return { format, encoding: null, ...(await readXlsx(buf, opts.headerOnly)) }
  const { text, encoding } = decodeText(buf)
  if (encoding === 'gb18030') assertRecognisedEncoding(buf)
  if (!text.trim()) throw badFile('The file has no content / 文件没有内容')
  if (format === 'csv') return { format, encoding, ...readCsv(text, filename, opts.headerOnly) }
  return { encoding, ...readJson(text, format) }
}

function readCsv(text: string, filename: string, headerOnly?: boolean): Omit<ReadResult, 'format' | 'encoding'> {
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0 || text.length)
  const delimiter = filename.toLowerCase().endsWith('.tsv') || (firstLine.split('\t').length > firstLine.split(',').length) ? '\t' : ','
  let rows: { record: string[]; info: { lines: number } }[]
  try {
    rows = parseCsv(headerOnly ? text.split(/\r?\n/, 2)[0]! : text, {
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      bom: true,
    }) as never
  } catch (err) {
    throw badFile(`The CSV cannot be parsed: ${(err as Error).message} / CSV 解析失败`)
  }
  if (!rows.length) throw badFile('The CSV has no header row / CSV 缺少表头')
  const headers = rows[0]!.record.map((h) => h.trim())
  const records = rows.slice(1).map((r) => ({
    line: r.info.lines,
    data: Object.fromEntries(headers.map((h, i) => [h, r.record[i] ?? ''])),
  }))
  return { headers, records }
}

function cellValue(v: ExcelJS.CellValue): unknown {
  if (v == null) return ''
  if (v instanceof Date) return v
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('')
    if ('text' in v) return String(v.text)
    if ('result' in v) return v.result ?? ''
    if ('error' in v) return ''
  }
  return v
}

async function readXlsx(buf: Uint8Array, headerOnly?: boolean): Promise<Omit<ReadResult, 'format' | 'encoding'>> {
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(Buffer.from(buf) as never)
  } catch (err) {
    throw badFile(`The XLSX workbook cannot be read: ${(err as Error).message} / XLSX 读取失败`)
  }
  const ws = wb.worksheets.find((w) => w.actualRowCount > 0)
  if (!ws) throw badFile('The workbook has no rows / 工作簿为空')
  let headerRow = 0
  let headers: string[] = []
  const records: SourceRecord[] = []
  ws.eachRow({ includeEmpty: false }, (row, n) => {
    const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellValue)
    if (!headerRow) {
      headerRow = n
      headers = values.map((v) => String(v ?? '').trim())
      return
    }
    if (headerOnly) return
    if (values.every((v) => v === '' || v == null)) return
    records.push({ line: n, data: Object.fromEntries(headers.map((h, i) => [h, values[i] ?? ''])) })
  })
  return { headers, records }
}

function readJson(text: string, format: 'json' | 'jsonl'): Omit<ReadResult, 'encoding'> {
  if (format === 'json') {
    try {
      const doc = JSON.parse(text)
      const arr = Array.isArray(doc) ? doc : Object.values(doc ?? {}).find(Array.isArray)
      if (!arr) throw badFile('The JSON holds no array of records / JSON 中没有记录数组')
      return fromObjects('json', arr.map((d: unknown, i: number) => ({ line: i + 1, data: d })))
    } catch (err) {
      if (err instanceof DomainError) throw err
      // Many ".json" exports are really one object per line.
      if (text.trimStart().startsWith('{')) return readJson(text, 'jsonl')
      throw badFile(`The JSON cannot be parsed: ${(err as Error).message} / JSON 解析失败`)
    }
  }
  const items: { line: number; data: unknown }[] = []
  text.split(/\r?\n/).forEach((l, i) => {
    if (!l.trim()) return
    try {
      items.push({ line: i + 1, data: JSON.parse(l) })
    } catch {
      items.push({ line: i + 1, data: Symbol.for('unparseable') })
    }
  })
  if (items.length && items.every((x) => typeof x.data === 'symbol')) throw badFile('No line of the file is JSON / 文件不是 JSON Lines')
  return fromObjects('jsonl', items)
}

function fromObjects(format: 'json' | 'jsonl', items: { line: number; data: unknown }[]): Omit<ReadResult, 'encoding'> {
  const headers = new Set<string>()
  const records: SourceRecord[] = items.map(({ line, data }) => {
    if (data && typeof data === 'object' && !Array.isArray(data)) {
      for (const k of Object.keys(data)) headers.add(k)
      return { line, data: data as Record<string, unknown> }
    }
    return { line, data: { __invalid__: typeof data === 'symbol' ? 'line is not valid JSON' : 'record is not an object' } }
  })
  return { format, headers: [...headers], records }
}
