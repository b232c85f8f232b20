// A built report as a self-contained, printable Chinese HTML page (charts as inline SVG) and as Markdown.
// Every piece of text that comes from data (patent titles, applicant names, keywords, model output) is escaped.
import { LEGAL_LABEL, TYPE_LABEL } from './build'
import { applicantChart, clusterMapChart, effectsChart, ipcChart, ipcGrowthChart, kindsChart, legalChart, lifecycleChart, trendChart } from './charts'
import { escapeHtml as h, escapeMarkdown as m } from './escape'
import type { Report, Summary } from './schema'

export interface RenderMeta {
  summary: Summary | null
  summaryState: 'draft' | 'confirmed'
  confirmedAt: string | null
}

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`
const growth = (g: number | null) => (g === null ? '—' : `${g >= 0 ? '+' : ''}${Math.round(g * 100)}%`)
const share = (c: number, n: number) => (n ? pct(c / n) : '—')
const SECTIONS = ['导航目标与检索范围', '专利申请趋势', '技术构成', '创新主体', '法律状态', '技术主题', '技术功效矩阵与生命周期', '技术空白与机会', '重点专利', '结论与建议']
const NUM = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十']

function scopeRows(r: Report): [string, string][] {
  const s = r.scope
  const rows: [string, string][] = []
  if (r.need) rows.push(['企业需求', r.need.title])
  if (s.keywords.length) rows.push(['关键词', s.keywords.join('；')])
  if (s.ipc.length) rows.push(['IPC 分类', s.ipc.join('；')])
  if (s.applicants.length) rows.push(['申请人', s.applicants.join('；')])
  if (s.date_from || s.date_to) rows.push(['申请日', `${s.date_from ?? '不限'} 至 ${s.date_to ?? '不限'}`])
  if (s.patent_types.length) rows.push(['专利类型', s.patent_types.map((t) => TYPE_LABEL[t]).join('、')])
  if (s.legal_status.length) rows.push(['法律状态', s.legal_status.map((t) => LEGAL_LABEL[t]).join('、')])
  return rows
}

function table(head: string[], rows: (string | number)[][], opts: { num?: number[]; nowrap?: number[] } = {}): string {
  if (!rows.length) return '<p class="empty">无</p>'
  const cls = (j: number) => (opts.num?.includes(j) ? ' class="n"' : opts.nowrap?.includes(j) ? ' class="pn"' : '')
  const cell = (v: string | number, j: number) => `<td${cls(j)}>${v}</td>`
  return `<table><thead><tr>${head.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`
}

const chart = (svg: string | null, note?: string) => (svg ? `<figure class="chart">${svg}${note ? `<figcaption>${h(note)}</figcaption>` : ''}</figure>` : '')

const STYLE = `
:root { --ink: #1d2733; --line: #cfd6de; --soft: #f3f6f9; --accent: #2f6db5; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: var(--ink); margin: 0; background: #e9edf1; line-height: 1.7; font-size: 14px; }
main { max-width: 860px; margin: 24px auto; background: #fff; padding: 40px 52px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
header.cover { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 18px; }
header.cover h1 { font-size: 26px; margin: 0 0 6px; }
header.cover .meta { color: #566; font-size: 13px; }
h2 { font-size: 19px; border-left: 5px solid var(--accent); padding-left: 10px; margin: 34px 0 12px; break-after: avoid; }
h3 { font-size: 15px; margin: 20px 0 8px; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 12.5px; break-inside: auto; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; word-break: break-word; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.pn { white-space: nowrap; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
.kv th { width: 8em; }
figure.chart { margin: 10px 0 16px; break-inside: avoid; text-align: center; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: #667; }
pre.query { background: var(--soft); border: 1px solid var(--line); padding: 8px 10px; white-space: pre-wrap; word-break: break-all; font-size: 12.5px; }
.stats { display: flex; gap: 10px; flex-wrap: wrap; margin: 10px 0; }
.stat { flex: 1 1 120px; background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; }
.stat b { display: block; font-size: 20px; color: var(--accent); }
.stat span { font-size: 12px; color: #566; }
.badge { display: inline-block; font-size: 12px; padding: 1px 8px; border-radius: 10px; border: 1px solid; margin-left: 6px; vertical-align: middle; }
.badge.draft { color: #a65e00; border-color: #e0a040; background: #fff7e8; }
.badge.ok { color: #236b3a; border-color: #5aa86e; background: #eef8f0; }
.summary p { margin: 0 0 10px; text-indent: 2em; }
.summary ul { margin: 4px 0 10px; }
.note { color: #667; font-size: 12px; }
.empty { color: #889; font-style: italic; }
nav.toc ol { columns: 2; margin: 6px 0; padding-left: 1.6em; font-size: 13px; }
nav.toc a { color: var(--accent); text-decoration: none; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { background: #fff; font-size: 12px; }
  main { box-shadow: none; margin: 0; padding: 0; max-width: none; }
  nav.toc { display: none; }
  h2 { break-before: auto; }
  a { color: inherit; text-decoration: none; }
}`

export function renderHtml(r: Report, meta: RenderMeta): string {
  const n = r.counts.patents
  const out: string[] = []
  const sec = (i: number) => `<h2 id="s${i + 1}">${NUM[i]}、${SECTIONS[i]}</h2>`
  out.push(`<header class="cover"><h1>${h(r.title)}</h1><div class="meta">专利导航报告 · 检索截止日 ${h(r.cutoff_date)} · 生成于 ${h(r.generated_at.slice(0, 16).replace('T', ' '))} UTC`
    + ` · 结论${meta.summaryState === 'confirmed' ? '<span class="badge ok">已确认</span>' : '<span class="badge draft">草稿，待技术经理人确认</span>'}</div></header>`)
  out.push(`<nav class="toc"><strong>目录</strong><ol>${SECTIONS.map((s, i) => `<li><a href="#s${i + 1}">${s}</a></li>`).join('')}</ol></nav>`)

  // 1
  out.push(sec(0))
  out.push(`<div class="stats"><div class="stat"><b>${n}</b><span>专利（件）</span></div><div class="stat"><b>${r.counts.applicants}</b><span>申请人</span></div>`
    + `<div class="stat"><b>${r.counts.inventors || '—'}</b><span>发明人</span></div><div class="stat"><b>${r.counts.first_year === null ? '—' : `${r.counts.first_year}–${r.counts.last_year}`}</b><span>申请年份</span></div></div>`)
  out.push(`<h3>检索范围</h3>${table(['项目', '条件'], scopeRows(r).map(([k, v]) => [h(k), h(v)]))}`)
  out.push(`<h3>检索式</h3><pre class="query">${h(r.query)}</pre><p class="note">检索截止日：${h(r.cutoff_date)}。数据来源：本平台专利库；一份报告至多分析 20000 件${r.counts.truncated ? '（本次检索结果超过上限，取申请日最近的 20000 件）' : ''}；`
    + `${r.counts.with_date} 件有申请日。发明专利申请自申请日起约 18 个月公开，最近两年的数据不完整。</p>`)
  out.push(`<h3>技术分解表</h3>`)
  const byTopic = r.breakdown.every((b) => b.children.every((c) => !c.count))
  const withTopics = r.breakdown.some((b) => b.topics?.length)
  out.push(table(['一级分支', '专利数', '占比', byTopic ? '二级分支（主题词）' : '二级分支（件）', ...(withTopics ? ['主要技术主题（件）'] : [])], r.breakdown.map((b) => [
    `${h(b.branch)}${b.label !== b.branch ? `<br><span class="note">${h(b.label)}</span>` : ''}`, b.count, share(b.count, n),
    b.children.map((c) => (c.count ? `${h(c.name)}（${c.count}）` : h(c.name))).join('、'),
    ...(withTopics ? [(b.topics ?? []).map((t) => `${h(t.name)}（${t.count}）`).join('<br>')] : []),
  ]), { num: [1, 2] }))

  // 2
  out.push(sec(1))
  if (!r.trend.length) out.push('<p class="empty">检索结果中的专利均无申请日，无法统计申请趋势。</p>')
  else {
    out.push(chart(trendChart(r)))
    out.push(table(['年份', '申请量', '授权量', '申请人数'], r.trend.map((t) => [t.year, t.applications, t.grants, t.applicants]), { num: [0, 1, 2, 3] }))
  }

  // 3
  out.push(sec(2))
  if (!r.ipc.subclasses.length) out.push('<p class="empty">检索结果中的专利均无 IPC 分类号，技术构成见第六节“技术主题”。</p>')
  out.push(chart(ipcChart(r)))
  out.push(chart(ipcGrowthChart(r)))
  const ref = r.ipc.reference_year
  const win = ref === null ? '' : `近${r.ipc.window}年 = ${ref - r.ipc.window + 1}–${ref}，前${r.ipc.window}年 = ${ref - 2 * r.ipc.window + 1}–${ref - r.ipc.window}`
  if (r.ipc.subclasses.length) out.push(`<h3>IPC 小类（主分类）</h3>${table(['小类', '专利数', '占比', '近3年', '前3年', '增长'], r.ipc.subclasses.map((s) => [h(s.code), s.count, share(s.count, n), s.recent, s.previous, growth(s.growth)]), { num: [1, 2, 3, 4, 5] })}`)
  if (r.ipc.groups.length) out.push(`<h3>IPC 大组（主分类）</h3>${table(['大组', '专利数', '占比', '近3年', '前3年', '增长'], r.ipc.groups.map((s) => [h(s.code), s.count, share(s.count, n), s.recent, s.previous, growth(s.growth)]), { num: [1, 2, 3, 4, 5] })}`)
  if (win && r.ipc.subclasses.length) out.push(`<p class="note">增长 = （近3年 − 前3年）÷ 前3年；${h(win)}。</p>`)

  // 4
  out.push(sec(3))
  out.push(chart(kindsChart(r)))
  out.push(table(['主体类型', '第一申请人专利（件）', '占比', '申请人数'], r.applicants.kinds.map((k) => [k.label, k.patents, pct(k.share), k.applicants]), { num: [1, 2, 3] }))
  out.push(`<p class="note">主体类型按名称判断：含“大学/学院”为高校，含“研究院/研究所/科学院”为科研院所，含“公司/集团/厂”为企业，其余为个人。</p>`)
  out.push(chart(applicantChart(r)))
  out.push(`<h3>主要申请人</h3>${table(['申请人', '类型', '专利数', '其中第一申请人'], r.applicants.top.map((a) => [h(a.name), h(a.kind), a.count, a.first]), { num: [2, 3] })}`)
  out.push(`<h3>主要发明人</h3>${table(['发明人', '专利数'], r.applicants.inventors.map((x) => [h(x.name), x.count]), { num: [1] })}`)
  out.push(`<h3>联合申请（申请人对）</h3>${table(['申请人甲', '申请人乙', '联合申请（件）'], r.applicants.pairs.map((p) => [h(p.a), h(p.b), p.count]), { num: [2] })}`)

  // 5
  out.push(sec(4))
  if (r.legal.status.every((x) => x.name === 'unknown') && r.legal.types.every((x) => x.name === 'unknown')) out.push('<p class="empty">检索结果中的专利均无法律状态与专利类型数据。</p>')
  else out.push(chart(legalChart(r)))
  out.push(table(['法律状态', '件数', '占比'], r.legal.status.map((s) => [LEGAL_LABEL[s.name] ?? h(s.name), s.count, share(s.count, n)]), { num: [1, 2] }))
  out.push(table(['专利类型', '件数', '占比'], r.legal.types.map((s) => [TYPE_LABEL[s.name] ?? h(s.name), s.count, share(s.count, n)]), { num: [1, 2] }))

  // 6
  out.push(sec(5))
  if (r.clusters) {
    const dated = r.counts.with_date > 0
    out.push(`<p>方法：${h(r.clusters.method)}；${h(r.clusters.criterion)}。主题名称取该主题中相对最突出的词。</p>`)
    out.push(chart(clusterMapChart(r)))
    out.push(table(['主题', '主题词', '专利数', '近3年', '前3年', '增长', '代表专利'], r.clusters.items.map((c) => [
      `T${c.id + 1}`, h(c.terms.join('、')), c.size, dated ? c.recent : '—', dated ? c.previous : '—', growth(c.growth),
      c.representatives.map((p) => `${h(p.publication_number)} ${h(p.title)}`).join('<br>'),
    ]), { num: [2, 3, 4, 5] }))
  } else out.push('<p class="empty">专利过少，未做主题聚类。</p>')

  // 7
  out.push(sec(6))
  out.push(chart(effectsChart(r)))
  out.push(`<p class="note">功效由摘要中的功效词表识别（如“提高……效率”“降低成本”“延长使用寿命”）；${r.effects.covered} 件专利（${share(r.effects.covered, n)}）识别出至少一种功效。颜色浅、数字小的格子是候选技术空白。</p>`)
  out.push(`<h3>技术生命周期：${h(r.lifecycle.label)}</h3>`)
  out.push(chart(lifecycleChart(r)))
  out.push(`<p>${h(r.lifecycle.reason)}。</p>`)

  // 8
  out.push(sec(7))
  out.push(`<h3>技术空白</h3>${table(['类型', '位置', '依据'], r.opportunities.white_spaces.map((w) => [w.kind === 'cell' ? '功效空白' : '小而快/需求相关主题', h(w.label), h(w.reason)]))}`)
  out.push(`<h3>技术转移机会</h3><p>高校或科研院所持有、无企业共同申请人的有效专利共 <b>${r.opportunities.transfer_total}</b> 件${r.opportunities.transfer_total > r.opportunities.transfers.length ? `，列出前 ${r.opportunities.transfers.length} 件` : ''}：</p>`)
  out.push(table(['公开号', '标题', '权利人', '类型'], r.opportunities.transfers.map((t) => [h(t.publication_number), h(t.title), h(t.holders.join('；')), h(t.kind)]), { nowrap: [0, 3] }))

  const lapsed = r.opportunities.lapsed ?? []
  out.push(`<h3>失效专利（可自由实施的技术）</h3><p>检索结果中已失效的专利共 <b>${r.opportunities.lapsed_total ?? 0}</b> 件，其技术方案任何人均可无偿实施（实施前宜核实法律状态并做侵权风险排查）${lapsed.length < (r.opportunities.lapsed_total ?? 0) ? `，列出${r.need ? '与需求最相关的' : '申请日最近的'} ${lapsed.length} 件` : ''}：</p>`)
  out.push(table(['公开号', '标题', '原权利人', ...(r.need ? ['与需求的相关度'] : [])], lapsed.map((t) => [
    h(t.publication_number), h(t.title), h(t.holders.join('；')), ...(r.need ? [t.relevance === null ? '—' : t.relevance.toFixed(2)] : []),
  ]), { nowrap: [0], num: r.need ? [3] : [] }))

  // 9
  out.push(sec(8))
  out.push(table(['公开号', '标题', '申请人', '法律状态', '入选理由'], r.key_patents.map((k) => [
    h(k.publication_number), h(k.title), h(k.applicants.join('；')), LEGAL_LABEL[k.legal_status ?? 'unknown'] ?? '—', h(k.reasons.join('；')),
  ]), { nowrap: [0, 3] }))

  // 10
  out.push(sec(9))
  out.push(summaryHtml(meta))
  const body = out.join('\n')
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(r.title)} · 专利导航报告</title><style>${STYLE}</style></head>
<body><main>
${body}
<footer class="note" style="margin-top:30px;border-top:1px solid var(--line);padding-top:8px">本报告由系统依据平台数据自动生成，统计口径见各节说明；结论与建议在技术经理人确认前为草稿。</footer>
</main></body></html>`
}

function summaryHtml(meta: RenderMeta): string {
  const s = meta.summary
  if (!s) return '<p class="empty">无</p>'
  const parts = s.text.split(/\n{2,}/)
  const html = parts
    .map((p) => {
      const lines = p.split('\n')
      const items = lines.filter((l) => l.startsWith('- '))
      if (items.length) {
        const head = lines.filter((l) => !l.startsWith('- ')).map((l) => `<p><b>${h(l)}</b></p>`).join('')
        return `${head}<ul>${items.map((l) => `<li>${h(l.slice(2))}</li>`).join('')}</ul>`
      }
      return `<p>${h(p)}</p>`
    })
    .join('')
  const state = meta.summaryState === 'confirmed'
    ? `<span class="badge ok">已确认 ${h((meta.confirmedAt ?? '').slice(0, 10))}</span>`
    : '<span class="badge draft">草稿：机器生成，待技术经理人确认</span>'
  const origin = s.source === 'model' ? `由模型 ${h(s.model)} 按提示词 ${h(s.prompt_version)} 撰写，其中的数字均已与统计结果核对` : '由模板依据以上统计自动生成'
  return `<div class="summary"><div class="note" style="margin-bottom:8px">${state} ${origin}。</div>${html}</div>`
}

export function renderMarkdown(r: Report, meta: RenderMeta): string {
  const n = r.counts.patents
  const L: string[] = []
  const tbl = (head: string[], rows: (string | number)[][]) => {
    if (!rows.length) return L.push('（无数据）', '')
    L.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((x) => `| ${x.join(' | ')} |`), '')
  }
  const sec = (i: number) => L.push(`## ${NUM[i]}、${SECTIONS[i]}`, '')
  L.push(`# ${m(r.title)}`, '', `专利导航报告 · 检索截止日 ${r.cutoff_date} · 结论：${meta.summaryState === 'confirmed' ? '已确认' : '草稿，待技术经理人确认'}`, '')
  sec(0)
  L.push(`专利 ${n} 件，申请人 ${r.counts.applicants} 个，发明人 ${r.counts.inventors} 人，申请年份 ${r.counts.first_year ?? '—'}–${r.counts.last_year ?? '—'}。`, '')
  tbl(['项目', '条件'], scopeRows(r).map(([k, v]) => [k, m(v)]))
  L.push('检索式：', '', '```', r.query.replace(/`/g, 'ˋ'), '```', '')
  tbl(['一级分支', '专利数', '占比', '二级分支（件）', '主要技术主题（件）'], r.breakdown.map((b) => [
    m(b.branch), b.count, share(b.count, n), b.children.map((c) => (c.count ? `${m(c.name)}（${c.count}）` : m(c.name))).join('、'),
    (b.topics ?? []).map((t) => `${m(t.name)}（${t.count}）`).join('；'),
  ]))
  sec(1)
  tbl(['年份', '申请量', '授权量', '申请人数'], r.trend.map((t) => [t.year, t.applications, t.grants, t.applicants]))
  sec(2)
  tbl(['IPC 小类', '专利数', '占比', '近3年', '前3年', '增长'], r.ipc.subclasses.map((s) => [m(s.code), s.count, share(s.count, n), s.recent, s.previous, growth(s.growth)]))
  tbl(['IPC 大组', '专利数', '占比', '近3年', '前3年', '增长'], r.ipc.groups.map((s) => [m(s.code), s.count, share(s.count, n), s.recent, s.previous, growth(s.growth)]))
  sec(3)
  tbl(['主体类型', '第一申请人专利（件）', '占比', '申请人数'], r.applicants.kinds.map((k) => [k.label, k.patents, pct(k.share), k.applicants]))
  tbl(['申请人', '类型', '专利数', '其中第一申请人'], r.applicants.top.map((a) => [m(a.name), m(a.kind), a.count, a.first]))
  tbl(['发明人', '专利数'], r.applicants.inventors.map((x) => [m(x.name), x.count]))
  tbl(['申请人甲', '申请人乙', '联合申请（件）'], r.applicants.pairs.map((p) => [m(p.a), m(p.b), p.count]))
  sec(4)
  tbl(['法律状态', '件数', '占比'], r.legal.status.map((s) => [LEGAL_LABEL[s.name] ?? m(s.name), s.count, share(s.count, n)]))
  tbl(['专利类型', '件数', '占比'], r.legal.types.map((s) => [TYPE_LABEL[s.name] ?? m(s.name), s.count, share(s.count, n)]))
  sec(5)
  if (r.clusters) {
    L.push(`方法：${m(r.clusters.method)}；${m(r.clusters.criterion)}。`, '')
    tbl(['主题', '主题词', '专利数', '增长', '代表专利'], r.clusters.items.map((c) => [`T${c.id + 1}`, m(c.terms.join('、')), c.size, growth(c.growth), c.representatives.map((p) => `${m(p.publication_number)} ${m(p.title)}`).join('；')]))
  } else L.push('专利过少，未做主题聚类。', '')
  sec(6)
  tbl(['技术分支', ...r.effects.effects], r.effects.branches.map((b, i) => [`${m(b.key)} ${m(b.label)}`, ...r.effects.cells[i]!]))
  L.push(`技术生命周期：**${r.lifecycle.label}**。${m(r.lifecycle.reason)}。`, '')
  sec(7)
  tbl(['类型', '位置', '依据'], r.opportunities.white_spaces.map((w) => [w.kind === 'cell' ? '功效空白' : '小而快/需求相关主题', m(w.label), m(w.reason)]))
  L.push(`高校或科研院所持有、无企业共同申请人的有效专利共 ${r.opportunities.transfer_total} 件：`, '')
  tbl(['公开号', '标题', '权利人'], r.opportunities.transfers.map((t) => [m(t.publication_number), m(t.title), m(t.holders.join('；'))]))
  L.push(`已失效、可自由实施的专利共 ${r.opportunities.lapsed_total ?? 0} 件：`, '')
  tbl(['公开号', '标题', '原权利人'], (r.opportunities.lapsed ?? []).map((t) => [m(t.publication_number), m(t.title), m(t.holders.join('；'))]))
  sec(8)
  tbl(['公开号', '标题', '申请人', '入选理由'], r.key_patents.map((k) => [m(k.publication_number), m(k.title), m(k.applicants.join('；')), m(k.reasons.join('；'))]))
  sec(9)
  const s = meta.summary
  if (s) {
    L.push(`*${meta.summaryState === 'confirmed' ? '已确认' : '草稿：机器生成，待技术经理人确认'}；${s.source === 'model' ? `模型 ${m(s.model)}，提示词 ${m(s.prompt_version)}` : '模板生成'}*`, '')
    for (const p of s.text.split(/\n{2,}/)) {
      for (const line of p.split('\n')) L.push(line.startsWith('- ') ? `- ${m(line.slice(2))}` : m(line))
      L.push('')
    }
  }
  return L.join('\n')
}
