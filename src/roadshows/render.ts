// The programme (路演节目单) as Markdown, a printable HTML page or CSV for a spreadsheet. Every title, name and reason is
// user-written and escaped for the format it lands in (CSV cells are also kept from being read as formulas).
import { escapeMarkdown } from '../navigation/escape'
import { csvDocument, escapeHtml } from '../text/escape'
import type { RoadshowView } from './service'

export const PROGRAMME_FORMATS = ['md', 'html', 'csv'] as const
export type ProgrammeFormat = (typeof PROGRAMME_FORMATS)[number]

const HEADER = ['序号 No.', '时间 Time', '名称 Title', '单位 Organisation', '领域 Field', '成熟度 Maturity', '地区 Region', '推荐理由 Why'] as const

// times in China Standard Time: the programme is read by people in the room
const hm = (s: string | null) => (s ? new Date(Date.parse(s) + 8 * 3600_000).toISOString().slice(11, 16) : '')
const day = (s: string | null) => (s ? new Date(Date.parse(s) + 8 * 3600_000).toISOString().slice(0, 10) : '')

// the programme has columns for these: its 推荐理由 keeps what they do not say (shared keywords, who added it)
const SHOWN = /^(技术领域|行业|成熟度|地区)：/

/** The programme's rows in order: entries, and each break after the entry it follows (a row without a number). */
function rowsOf(v: RoadshowView): { cells: string[]; pause: boolean }[] {
  const after = new Map(v.breaks.filter((b) => b.shown).map((b) => [b.after, b]))
  return v.entries.flatMap((e) => {
    const row = { pause: false, cells: [
      String(e.position), e.starts_at ? `${hm(e.starts_at)}-${hm(e.ends_at)}` : '', e.title, e.org_name, e.field ?? '', e.maturity_label ?? '', e.region ?? '', e.reasons.filter((r) => !SHOWN.test(r)).join('；'),
    ] }
    const b = e.position === null ? undefined : after.get(e.position)
    return b ? [row, { pause: true, cells: ['', b.starts_at ? `${hm(b.starts_at)}-${hm(b.ends_at)}` : '', `${b.label}（${b.minutes} 分钟）`, '', '', '', '', ''] }] : [row]
  })
}

function meta(v: RoadshowView): string[] {
  const t = v.theme
  return [
    `${v.kind_label} · ${v.status === 'confirmed' ? `已确认 v${v.version}` : `草稿 v${v.version}（未经组织者确认）`}`,
    `主题：${[t.industry, ...(t.keywords ?? []), t.region].filter(Boolean).join('、') || '（无）'}`,
    `每场：路演 ${v.slot.pitch} 分钟 + 问答 ${v.slot.qa} 分钟${v.starts_at ? ` · ${day(v.starts_at)} ${hm(v.starts_at)} 开始（北京时间）` : ''}`,
  ]
}

export function renderProgramme(v: RoadshowView, format: ProgrammeFormat): string {
  const all = rowsOf(v)
  const rows = all.map((r) => r.cells)
  if (format === 'csv') return csvDocument(HEADER, rows)
  if (format === 'md') {
    const e = escapeMarkdown
    return [
      `# ${e(v.title)}`, '', ...meta(v).map((m) => `> ${e(m)}  `), '',
      `| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${r.map(e).join(' | ')} |`), '',
    ].join('\n')
  }
  const e = escapeHtml
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${e(v.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:64rem;color:#222}
h1{font-size:1.6rem;margin-bottom:.3rem}.meta{color:#555;margin:.1rem 0}
table{border-collapse:collapse;width:100%;margin-top:1rem;font-size:.92rem}th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f4f7}td.n{text-align:right;white-space:nowrap}td.t{white-space:nowrap}
.draft{color:#a15c00;font-weight:bold}tr.pause td{background:#f6f7f9;color:#555}@media print{body{margin:0}}
</style></head><body>
<h1>${e(v.title)}</h1>
${meta(v).map((m, i) => `<p class="meta${i === 0 && v.status !== 'confirmed' ? ' draft' : ''}">${e(m)}</p>`).join('\n')}
<table><thead><tr>${HEADER.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>
<tbody>${all.map((r) => `<tr${r.pause ? ' class="pause"' : ''}>${r.cells.map((c, i) => `<td${i === 0 ? ' class="n"' : i === 1 ? ' class="t"' : ''}>${e(c)}</td>`).join('')}</tr>`).join('\n')}</tbody></table>
${rows.length ? '' : '<p>（节目单为空）</p>'}
</body></html>
`
}
