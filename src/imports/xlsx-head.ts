// The header row of an XLSX workbook without reading the workbook: the ZIP's central directory locates the first
// worksheet and the shared strings, and each is inflated as a stream only until what the header needs has been seen
// (the first row; the shared strings up to the highest index it uses). Bounded by HEAD_XML_BYTES of XML per part.
import { createInflateRaw } from 'node:zlib'
import { BadFileError } from '../errors'

const HEAD_XML_BYTES = 4 << 20
const badFile = (msg: string) => new BadFileError(msg)

interface Entry {
  name: string
  method: number
  offset: number
  size: number
}

function entries(buf: Uint8Array): Map<string, Entry> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  let eocd = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw badFile('The XLSX workbook cannot be read: no ZIP directory / XLSX 读取失败')
  const count = dv.getUint16(eocd + 10, true)
  let p = dv.getUint32(eocd + 16, true)
  const out = new Map<string, Entry>()
  for (let n = 0; n < count && p + 46 <= buf.length; n++) {
    if (dv.getUint32(p, true) !== 0x02014b50) break
    const method = dv.getUint16(p + 10, true)
    const size = dv.getUint32(p + 20, true)
    const nameLen = dv.getUint16(p + 28, true)
    const extraLen = dv.getUint16(p + 30, true)
    const commentLen = dv.getUint16(p + 32, true)
    const local = dv.getUint32(p + 42, true)
    const name = Buffer.from(buf.subarray(p + 46, p + 46 + nameLen)).toString('utf8')
    if (local + 30 <= buf.length && dv.getUint32(local, true) === 0x04034b50) {
      const offset = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true)
      out.set(name, { name, method, offset, size })
    }
    p += 46 + nameLen + extraLen + commentLen
  }
  return out
}

/**
 * Inflates an entry as a stream, handing the text so far to `enough` after each chunk; stops as soon as it says so,
 * or at HEAD_XML_BYTES. Returns the text read.
 */
async function readUntil(buf: Uint8Array, e: Entry, enough: (text: string) => boolean): Promise<string> {
  const data = buf.subarray(e.offset, e.offset + e.size)
  if (e.method === 0) return Buffer.from(data.subarray(0, HEAD_XML_BYTES)).toString('utf8')
  if (e.method !== 8) throw badFile(`The XLSX workbook uses an unsupported compression (${e.method}) / XLSX 压缩格式不受支持`)
  const inflate = createInflateRaw()
  const decoder = new TextDecoder('utf-8')
  let text = ''
  return new Promise<string>((resolve, reject) => {
    let done = false
    const finish = () => {
      if (done) return
      done = true
      inflate.destroy()
      resolve(text)
    }
    inflate.on('data', (chunk: Buffer) => {
      if (done) return
      text += decoder.decode(chunk, { stream: true })
      if (enough(text) || text.length >= HEAD_XML_BYTES) finish()
    })
    inflate.on('end', finish)
    inflate.on('error', (err) => (done ? undefined : reject(badFile(`The XLSX workbook cannot be read: ${err.message} / XLSX 读取失败`))))
    // feed in slices, so a stop is noticed before the whole part is inflated
    let i = 0
    const feed = () => {
      if (done) return
      if (i >= data.length) return void inflate.end()
      const slice = data.subarray(i, i + 16384)
      i += slice.length
      if (inflate.write(slice)) setImmediate(feed)
      else inflate.once('drain', feed)
    }
    feed()
  })
}

const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }
    if (named[e.toLowerCase()]) return named[e.toLowerCase()]!
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : ''
  })

/** Text of the <t> elements inside an XML fragment (a shared string or an inline string), phonetic runs left out. */
const textOf = (xml: string) =>
  [...xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '').matchAll(/<t\b[^>]*>([^<]*)<\/t>/g)].map((m) => unescapeXml(m[1]!)).join('')

const colIndex = (ref: string) => {
  let n = 0
  for (const ch of ref.replace(/\d+$/, '').toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64)
  return n - 1
}

/** The first worksheet's part name, from the workbook and its relationships (small parts). */
async function firstSheet(buf: Uint8Array, all: Map<string, Entry>): Promise<Entry | undefined> {
  const wb = all.get('xl/workbook.xml')
  const rels = all.get('xl/_rels/workbook.xml.rels')
  if (wb && rels) {
    const wbXml = await readUntil(buf, wb, (t) => t.includes('</sheets>'))
    const rid = /<sheet\b[^>]*\br:id="([^"]+)"/.exec(wbXml)?.[1] ?? /<sheet\b[^>]*\bid="([^"]+)"/.exec(wbXml)?.[1]
    const relsXml = await readUntil(buf, rels, () => false)
    const target = rid && [...relsXml.matchAll(/<Relationship\b[^>]*>/g)].map((m) => m[0]).find((r) => r.includes(`Id="${rid}"`))
    const path = target && /Target="([^"]+)"/.exec(target)?.[1]
    if (path) {
      const name = path.startsWith('/') ? path.slice(1) : `xl/${path}`
      if (all.get(name)) return all.get(name)
    }
  }
  return [...all.values()].filter((e) => /^xl\/worksheets\/sheet\d+\.xml$/.test(e.name)).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))[0]
}

/** The header row's cell texts, or null when the file is not a workbook this reader understands (the caller falls back). */
export async function xlsxHeaderRow(buf: Uint8Array): Promise<string[] | null> {
  const all = entries(buf)
  const sheet = await firstSheet(buf, all)
  if (!sheet) return null
  // the first row with a value (<row ...>...<v>..</v>...</row>), searched incrementally as the XML arrives
  let pos = 0
  let row: string | null = null
  const findRow = (xml: string): boolean => {
    for (;;) {
      const start = xml.indexOf('<row', pos)
      if (start < 0) {
        pos = Math.max(pos, xml.length - 4)
        return false
      }
      const gt = xml.indexOf('>', start)
      if (gt < 0) return (pos = start), false
      if (xml[gt - 1] === '/') {
        pos = gt + 1 // an empty row
        continue
      }
      const end = xml.indexOf('</row>', gt)
      if (end < 0) return (pos = start), false
      const r = xml.slice(gt + 1, end)
      pos = end + 6
      if (r.includes('<v>') || r.includes('<is>')) {
        row = r
        return true
      }
    }
  }
  await readUntil(buf, sheet, findRow)
  if (row == null) return null // an empty first sheet, or no row in the first part read: the caller's reader decides
  const cells: { col: number; type: string; value: string }[] = []
  for (const m of (row as string).matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const attrs = m[1] ?? ''
    const inner = m[2] ?? ''
    const col = colIndex(/\br="([A-Z]+\d*)"/i.exec(attrs)?.[1] ?? '') ?? cells.length
    const type = /\bt="([^"]+)"/.exec(attrs)?.[1] ?? 'n'
    const value = type === 'inlineStr' ? textOf(inner) : unescapeXml(/<v>([^<]*)<\/v>/.exec(inner)?.[1] ?? '')
    cells.push({ col: col >= 0 ? col : cells.length, type, value })
  }
  const shared = cells.filter((c) => c.type === 's').map((c) => Number(c.value))
  let strings: string[] = []
  if (shared.length) {
    const sst = all.get('xl/sharedStrings.xml')
    if (!sst) return null
    const need = Math.max(...shared) + 1
    let si = 0
    let siPos = 0
    const xml = await readUntil(buf, sst, (t) => {
      for (let k = t.indexOf('</si>', siPos); k >= 0; k = t.indexOf('</si>', siPos)) {
        si++
        siPos = k + 5
      }
      return si >= need
    })
    strings = [...xml.matchAll(/<si\b[^>]*>([\s\S]*?)<\/si>|<si\s*\/>/g)].map((m) => textOf(m[1] ?? ''))
    if (strings.length < need) return null
  }
  const out: string[] = []
  for (const c of cells) out[c.col] = (c.type === 's' ? strings[Number(c.value)] ?? '' : c.value).trim()
  return Array.from(out, (v) => v ?? '')
}
