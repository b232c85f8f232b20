// Exports of a brief: Markdown and a printable HTML page, and the field-by-field diff of two versions.
// Every user- and model-written string is escaped for the format it lands in.
import { escapeHtml } from '../text/escape'
import {
  BRIEF_LABELS, type BriefContent, type BriefStage, type BriefStatus, type Clarity, INDICATOR_LABELS, SOLVER_LABELS, STAGE_LABELS, STATUS_LABELS,
} from './schema'

/** Markdown: inline text cannot open links, images, HTML, headings or tables. */
export function escapeMarkdown(s: string): string {
  return escapeHtml(s)
    .replace(/([\\`*_{}[\]()#+\-.!|~>])/g, '\\$1')
    .replace(/\r?\n/g, '  \n')
}

export interface RenderMeta {
  id: string
  version: number
  status: BriefStatus
  stage: BriefStage | null
  clarity: Clarity
  model: string | null
  prompt_version: string | null
}

const FIELDS_TEXT = ['background', 'problem', 'cooperation', 'duration', 'budget', 'ip', 'acceptance'] as const

export function briefMarkdown(c: BriefContent, m: RenderMeta): string {
  const e = escapeMarkdown
  const out: string[] = [`# ${e(c.title)}`, '']
  out.push(`> ${BRIEF_LABELS.issuer}：${e(c.issuer)} · 版本 v${m.version} · ${STATUS_LABELS[m.status]}${m.stage ? ` · ${STAGE_LABELS[m.stage]}` : ''} · 清晰度 ${m.clarity.score}/100`, '')
  for (const f of ['background', 'problem'] as const) out.push(`## ${BRIEF_LABELS[f]}`, '', e(c[f]), '')
  out.push(`## ${BRIEF_LABELS.indicators}`, '')
  if (c.indicators.length) {
    out.push(`| ${INDICATOR_LABELS.name} | ${INDICATOR_LABELS.target} | ${INDICATOR_LABELS.unit} | ${INDICATOR_LABELS.method} | ${INDICATOR_LABELS.basis} |`, '|---|---|---|---|---|')
    for (const i of c.indicators) out.push(`| ${e(i.name)} | ${e(i.target)} | ${e(i.unit)} | ${e(i.method)} | ${e(i.basis)} |`)
  } else out.push('（无）')
  out.push('')
  for (const [f, items] of [['constraints', c.constraints], ['deliverables', c.deliverables]] as const) {
    out.push(`## ${BRIEF_LABELS[f]}`, '', ...(items.length ? items.map((x) => `- ${e(x)}`) : ['（无）']), '')
  }
  for (const f of FIELDS_TEXT.slice(2)) out.push(`## ${BRIEF_LABELS[f]}`, '', e(c[f]), '')
  out.push(`## ${BRIEF_LABELS.solver_requirements}`, '', ...(Object.keys(SOLVER_LABELS) as (keyof typeof SOLVER_LABELS)[]).map((k) => `- ${SOLVER_LABELS[k]}：${e(c.solver_requirements[k])}`), '')
  out.push(`## ${BRIEF_LABELS.references}`, '', ...(c.references.length ? c.references.map((r) => `- \\[${e(r.kind)} ${e(r.id)}\\] ${e(r.title)}${r.note ? `：${e(r.note)}` : ''}`) : ['（无）']), '')
  out.push(`## ${BRIEF_LABELS.open_questions}`, '', ...(c.open_questions.length ? c.open_questions.map((q) => `- ${e(q)}`) : ['（无）']), '')
  if (m.clarity.missing.length) out.push('## 清晰度检查：缺少', '', ...m.clarity.missing.map((x) => `- ${e(x)}`), '')
  if (m.model) out.push(`---`, `机器起草：${e(m.model)}，提示词 ${e(m.prompt_version ?? '')}；经人工确认前为草稿。`, '')
  return out.join('\n')
}

export function briefHtml(c: BriefContent, m: RenderMeta): string {
  const e = escapeHtml
  const para = (s: string) => s.split(/\r?\n/).map((l) => `<p>${e(l)}</p>`).join('')
  const list = (xs: string[]) => (xs.length ? `<ul>${xs.map((x) => `<li>${e(x)}</li>`).join('')}</ul>` : '<p>（无）</p>')
  const sec = (label: string, body: string) => `<section><h2>${e(label)}</h2>${body}</section>`
  const rows = c.indicators
    .map((i) => `<tr><td>${e(i.name)}</td><td>${e(i.target)}</td><td>${e(i.unit)}</td><td>${e(i.method)}</td><td>${e(i.basis)}</td></tr>`)
    .join('')
  const body = [
    `<h1>${e(c.title)}</h1>`,
    `<p class="meta">${e(BRIEF_LABELS.issuer)}：${e(c.issuer)} · 版本 v${m.version} · ${e(STATUS_LABELS[m.status])}${m.stage ? ` · ${e(STAGE_LABELS[m.stage])}` : ''} · 清晰度 ${m.clarity.score}/100</p>`,
    sec(BRIEF_LABELS.background, para(c.background)),
    sec(BRIEF_LABELS.problem, para(c.problem)),
    sec(BRIEF_LABELS.indicators, c.indicators.length
      ? `<table><thead><tr>${Object.values(INDICATOR_LABELS).map((l) => `<th>${e(l)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`
      : '<p>（无）</p>'),
    sec(BRIEF_LABELS.constraints, list(c.constraints)),
    sec(BRIEF_LABELS.deliverables, list(c.deliverables)),
    ...FIELDS_TEXT.slice(2).map((f) => sec(BRIEF_LABELS[f], para(c[f]))),
    sec(BRIEF_LABELS.solver_requirements, list((Object.keys(SOLVER_LABELS) as (keyof typeof SOLVER_LABELS)[]).map((k) => `${SOLVER_LABELS[k]}：${c.solver_requirements[k]}`))),
    sec(BRIEF_LABELS.references, list(c.references.map((r) => `[${r.kind} ${r.id}] ${r.title}${r.note ? `：${r.note}` : ''}`))),
    sec(BRIEF_LABELS.open_questions, list(c.open_questions)),
    m.clarity.missing.length ? sec('清晰度检查：缺少', list(m.clarity.missing)) : '',
    m.model ? `<footer>机器起草：${e(m.model)}，提示词 ${e(m.prompt_version ?? '')}；经人工确认前为草稿。</footer>` : '',
  ].join('\n')
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${e(c.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font-family:"Noto Serif CJK SC","Source Han Serif SC","SimSun",serif;max-width:46em;margin:2em auto;line-height:1.7;color:#111}
h1{font-size:1.6em;text-align:center}h2{font-size:1.15em;border-bottom:1px solid #999;margin-top:1.4em}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #666;padding:.3em .5em;vertical-align:top}
.meta{text-align:center;color:#444}footer{margin-top:2em;font-size:.85em;color:#555}
@media print{body{margin:0;max-width:none}section{break-inside:avoid}@page{size:A4;margin:2cm}}
</style></head><body>
${body}
</body></html>
`
}

export interface FieldChange {
  field: string
  label: string
  before: unknown
  after: unknown
  /** for the indicator list: which indicators (by name) were added, removed or changed */
  items?: { name: string; change: 'added' | 'removed' | 'changed'; before?: unknown; after?: unknown }[]
}

/** Field-by-field differences between two versions' contents. */
export function diffContent(a: BriefContent, b: BriefContent): FieldChange[] {
  const out: FieldChange[] = []
  for (const f of Object.keys(BRIEF_LABELS) as (keyof BriefContent)[]) {
    const x = a[f]
    const y = b[f]
    if (JSON.stringify(x) === JSON.stringify(y)) continue
    const change: FieldChange = { field: f, label: BRIEF_LABELS[f], before: x, after: y }
    if (f === 'indicators') {
      const byName = (l: BriefContent['indicators']) => new Map(l.map((i) => [i.name, i]))
      const A = byName(a.indicators)
      const B = byName(b.indicators)
      change.items = [
        ...[...A].filter(([n]) => !B.has(n)).map(([name, i]) => ({ name, change: 'removed' as const, before: i })),
        ...[...B].filter(([n]) => !A.has(n)).map(([name, i]) => ({ name, change: 'added' as const, after: i })),
        ...[...B].filter(([n, i]) => A.has(n) && JSON.stringify(A.get(n)) !== JSON.stringify(i)).map(([name, i]) => ({ name, change: 'changed' as const, before: A.get(name), after: i })),
      ]
    }
    out.push(change)
  }
  return out
}
