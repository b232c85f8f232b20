// Reads an uploaded file into records with their line numbers: CSV (UTF-8 with/without BOM, GB18030/GBK), XLSX, JSON, JSONL.
// The request reads only a bounded head of the file (readHeader); the job reads all of it (readRecords), yielding to the
// event loop between chunks so a big file never stops the process answering, and checking whether it was given up.
import { Readable } from 'node:stream'
import { setImmediate as yieldNow } from 'node:timers/promises'
import { parse as parseCsvStream, type Options as CsvOptions } from 'csv-parse'
import { parse as parseCsv } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { BadFileError, DomainError } from '../errors'
import { checkAborted } from '../jobs/registry'
import { xlsxHeaderRow } from './xlsx-head'

/** Bytes of the file the request path looks at (format, encoding, header row, first records). */
export const SNIFF_BYTES = 1 << 20
/** The longest header line accepted (a header of 500 columns of 100 characters fits). */
export const MAX_HEADER_BYTES = 64 * 1024
/** Text parsed between two yields to the event loop. */
const CHUNK_BYTES = 256 * 1024

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

export interface HeaderResult {
  format: Format
  encoding: string | null
  headers: string[]
}

const headerTooLong = () =>
  badFile(`The header line is longer than ${MAX_HEADER_BYTES} bytes (is this a CSV with one header row?) / 表头行过长（超过 ${MAX_HEADER_BYTES} 字节）`)

/**
 * The request path's check of a file: format, encoding and columns from a bounded head of it (SNIFF_BYTES), never the
 * whole file. CSV: the header line (refused beyond MAX_HEADER_BYTES); JSON Lines: the complete lines of the head; a JSON
 * array: its complete records within the head; XLSX: the first row, read as a stream that stops there.
 */
export async function readHeader(filename: string, buf: Uint8Array): Promise<HeaderResult> {
  const format = detectFormat(filename, buf)
  if (format === 'xlsx') return { format, encoding: null, headers: await xlsxHeader(buf) }
  const whole = buf.length <= SNIFF_BYTES
  // a CSV whose first SNIFF_BYTES hold no line break has no header line a person could mean
  if (format === 'csv' && !whole && !buf.subarray(0, SNIFF_BYTES).includes(0x0a)) throw headerTooLong()
  const head = whole ? buf : headWindow(buf)
  const { text, encoding } = decodeText(head)
  if (!text.trim()) throw badFile('The file has no content / 文件没有内容')
  if (format === 'csv') {
    const nl = text.indexOf('\n')
    if (nl < 0 && !whole) throw headerTooLong()
    const line = nl < 0 ? text : text.slice(0, nl)
    if (Buffer.byteLength(line) > MAX_HEADER_BYTES) throw headerTooLong()
  }
  // After the header check: a head cut inside an over-long line decodes as anything.
  if (encoding === 'gb18030') assertRecognisedEncoding(head)
  if (format === 'csv') {
    const nl = text.indexOf('\n')
    const line = nl < 0 ? text : text.slice(0, nl)
    return { format, encoding, headers: readCsv(line + '\n', filename).headers }
  }
  if (whole) {
    const r = readJson(text, format)
    return { format: r.format, encoding, headers: r.headers }
  }
  const items = format === 'jsonl' || text.trimStart().startsWith('{') ? jsonLines(text, true) : jsonArrayHead(text)
  if (!items.length) throw badFile(`No complete record in the first ${SNIFF_BYTES} bytes of the file / 文件开头没有完整的记录`)
  const r = fromObjects(format === 'json' && !text.trimStart().startsWith('{') ? 'json' : 'jsonl', items)
  return { format: r.format, encoding, headers: r.headers }
}

/** The first SNIFF_BYTES, cut after the last line break in them (no character split; UTF-16 keeps whole units). */
function headWindow(buf: Uint8Array): Uint8Array {
  const w = buf.subarray(0, SNIFF_BYTES)
  const le = w[0] === 0xff && w[1] === 0xfe
  const utf16 = le || (w[0] === 0xfe && w[1] === 0xff)
  const nl = w.lastIndexOf(0x0a)
  let end = nl < 0 ? w.length : nl + 1 + (le ? 1 : 0) // UTF-16LE writes a line break as 0A 00
  // no line break at all: cut before a UTF-8 character the window would split
  if (nl < 0 && !utf16) while (end > 0 && (w[end - 1]! & 0xc0) === 0x80) end--
  if (nl < 0 && !utf16 && end > 0 && w[end - 1]! >= 0xc0) end--
  if (utf16) end &= ~1
  return w.subarray(0, end)
}

/** Complete elements of the first JSON array in `text` (a head of the file), parsed; a linear scan. */
function jsonArrayHead(text: string): { line: number; data: unknown }[] {
  const start = text.indexOf('[')
  if (start < 0) return []
  const out: { line: number; data: unknown }[] = []
  let depth = 0
  let inStr = false
  let esc = false
  let elemStart = -1
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inStr) {
      if (esc) esc = false
      else if (c === 92) esc = true
      else if (c === 34) inStr = false
      continue
    }
    if (c === 34) inStr = true
    else if (c === 123 || c === 91) {
      if (depth === 0) elemStart = i
      depth++
    } else if (c === 125 || c === 93) {
      if (depth === 0) break // the array ended
      depth--
      if (depth === 0 && elemStart >= 0) {
        try {
          out.push({ line: out.length + 1, data: JSON.parse(text.slice(elemStart, i + 1)) })
        } catch {
          throw badFile('The JSON cannot be parsed / JSON 解析失败')
        }
        elemStart = -1
      }
    }
  }
  return out
}

/** The whole file as records with their line numbers (the job). */
export async function readRecords(filename: string, buf: Uint8Array, opts: { signal?: AbortSignal } = {}): Promise<ReadResult> {
  const format = detectFormat(filename, buf)
  if (format === 'xlsx') return { format, encoding: null, ...(await readXlsx(buf, opts.signal)) }
  // the header line's length in bytes, before decoding anything (UTF-16 is checked after decoding)
  const utf16 = (buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)
  if (format === 'csv' && !utf16) {
    const nl = buf.subarray(0, MAX_HEADER_BYTES + 2).indexOf(0x0a)
    if (nl < 0 ? buf.length > MAX_HEADER_BYTES : nl > MAX_HEADER_BYTES + 1) throw headerTooLong()
  }
  const { text, encoding } = decodeText(buf)
  if (encoding === 'gb18030') assertRecognisedEncoding(buf)
  if (!text.trim()) throw badFile('The file has no content / 文件没有内容')
  if (format === 'csv') {
    const nl = text.indexOf('\n')
    if (Buffer.byteLength(nl < 0 ? text : text.slice(0, nl)) > MAX_HEADER_BYTES) throw headerTooLong()
    return { format, encoding, ...(await readCsvYielding(text, filename, opts.signal)) }
  }
  return { encoding, ...readJson(text, format) }
}

function csvOptions(text: string, filename: string): CsvOptions {
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0 || text.length)
  const delimiter = filename.toLowerCase().endsWith('.tsv') || (firstLine.split('\t').length > firstLine.split(',').length) ? '\t' : ','
  return { delimiter, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true }
}

type CsvRow = { record: string[]; info: { lines: number } }

function csvRecords(rows: CsvRow[]): Omit<ReadResult, 'format' | 'encoding'> {
  if (!rows.length) throw badFile('The CSV has no header row / CSV 缺少表头')
  const headers = rows[0]!.record.map((h) => h.trim())
  const records = rows.slice(1).map((r) => ({
    line: r.info.lines,
    data: Object.fromEntries(headers.map((h, i) => [h, r.record[i] ?? ''])),
  }))
  return { headers, records }
}

/** csv-parse fed in chunks, yielding between them (a 200,000-row file never blocks the event loop for long). */
async function readCsvYielding(text: string, filename: string, signal?: AbortSignal): Promise<Omit<ReadResult, 'format' | 'encoding'>> {
  const bytes = Buffer.from(text, 'utf8') // byte chunks: csv-parse joins a character split across two of them
  const parser = parseCsvStream(csvOptions(text, filename))
  const rows: CsvRow[] = []
  let failed: Error | null = null
  parser.on('data', (r: CsvRow) => rows.push(r))
  parser.on('error', (err) => (failed = err))
  const ended = new Promise<void>((resolve) => parser.on('end', resolve).on('error', () => resolve()))
  for (let i = 0; i < bytes.length && !failed; i += CHUNK_BYTES) {
    parser.write(bytes.subarray(i, i + CHUNK_BYTES))
    await yieldNow()
    checkAborted(signal)
  }
  parser.end()
  await ended
  if (failed) throw badFile(`The CSV cannot be parsed: ${(failed as Error).message} / CSV 解析失败`)
  return csvRecords(rows)
}

function readCsv(text: string, filename: string): Omit<ReadResult, 'format' | 'encoding'> {
  let rows: CsvRow[]
  try {
    rows = parseCsv(text, csvOptions(text, filename)) as never
  } catch (err) {
    throw badFile(`The CSV cannot be parsed: ${(err as Error).message} / CSV 解析失败`)
  }
  return csvRecords(rows)
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

/**
 * Rows of the first non-empty worksheet, read as a stream (ExcelJS WorkbookReader): asynchronous, so the event loop
 * keeps answering; `headerOnly` stops at the first row.
 */
async function streamXlsx(buf: Uint8Array, headerOnly: boolean, signal?: AbortSignal): Promise<Omit<ReadResult, 'format' | 'encoding'>> {
  const input = Readable.from([Buffer.from(buf)])
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input as never, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit', entries: 'ignore' })
  let headerRow = 0
  let headers: string[] = []
  const records: SourceRecord[] = []
  try {
    for await (const ws of reader) {
      let n = 0
      for await (const row of ws as unknown as AsyncIterable<ExcelJS.Row>) {
        if (++n % 2000 === 0) checkAborted(signal)
        const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellValue)
        if (values.every((v) => v === '' || v == null)) continue
        if (!headerRow) {
          headerRow = row.number
          headers = values.map((v) => String(v ?? '').trim())
          if (headerOnly) break
          continue
        }
        records.push({ line: row.number, data: Object.fromEntries(headers.map((h, i) => [h, values[i] ?? ''])) })
      }
      if (headerRow) break // the first worksheet with rows
    }
  } catch (err) {
    if (err instanceof DomainError || (err as Error).name === 'JobTimeoutError') throw err
    throw badFile(`The XLSX workbook cannot be read: ${(err as Error).message} / XLSX 读取失败`)
  } finally {
    input.destroy()
  }
  if (!headerRow) throw badFile('The workbook has no rows / 工作簿为空')
  return { headers, records }
}

/** The header row: read from the ZIP directly (bounded), else with the streaming reader. */
async function xlsxHeader(buf: Uint8Array): Promise<string[]> {
  const direct = await xlsxHeaderRow(buf).catch((err) => {
    if (err instanceof BadFileError) throw err
    return null
  })
  return direct?.length ? direct : (await streamXlsx(buf, true)).headers
}
const readXlsx = (buf: Uint8Array, signal?: AbortSignal) => streamXlsx(buf, false, signal)

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
  const items = jsonLines(text, false)
  if (items.length && items.every((x) => typeof x.data === 'symbol')) throw badFile('No line of the file is JSON / 文件不是 JSON Lines')
  return fromObjects('jsonl', items)
}

/** JSON Lines -> parsed items (unparseable lines marked); `completeOnly`: the last line may be cut, skip it. */
function jsonLines(text: string, completeOnly: boolean): { line: number; data: unknown }[] {
  const items: { line: number; data: unknown }[] = []
  const lines = text.split(/\r?\n/)
  if (completeOnly && !text.endsWith('\n')) lines.pop()
  lines.forEach((l, i) => {
    if (!l.trim()) return
    try {
      items.push({ line: i + 1, data: JSON.parse(l) })
    } catch {
      items.push({ line: i + 1, data: Symbol.for('unparseable') })
    }
  })
  return items
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
