// 结论与建议: a written summary of a built report. Without a chat model: a template that states the findings from the
// numbers. With one (CHAT_MODEL): a narrative from prompts/navigation-summary/v1.md, accepted only when every number
// it states appears in the statistics it was given (else the template stands, and the reason is kept). Either way
// the summary is recorded with model, prompt version and input hash and stays a draft until a manager confirms it.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { modelOutputStore } from '../models/outputs-store'
import { inertText, unfence } from '../text/untrusted'
import type { Db } from '../db'
import type { ChatModel } from '../models/chat'
import { LEGAL_LABEL, TYPE_LABEL, WINDOW } from './build'
import { loadPrompt } from '../prompts/registry'
import type { Report, Summary } from './schema'

export const SUMMARY_PROMPT = { name: 'navigation-summary', version: 1 } as const
const MAX_TEXT = 6000

const pct = (x: number) => Math.round(x * 1000) / 10
const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) + '…' : s)

/** The statistics a summary may state: compact, with percentages precomputed (`*_pct`), so nothing needs computing. */
export function summaryFacts(r: Report) {
  const n = r.counts.patents
  const share = (c: number) => (n ? pct(c / n) : 0)
  const peak = [...r.trend].sort((a, b) => b.applications - a.applications || a.year - b.year)[0]
  const ref = r.ipc.reference_year
  const recent = ref === null ? 0 : r.trend.filter((t) => t.year > ref - WINDOW && t.year <= ref).reduce((s, t) => s + t.applications, 0)
  const previous = ref === null ? 0 : r.trend.filter((t) => t.year > ref - 2 * WINDOW && t.year <= ref - WINDOW).reduce((s, t) => s + t.applications, 0)
  const fastest = [...r.ipc.subclasses].filter((s) => s.growth !== null && s.recent >= 3).sort((a, b) => b.growth! - a.growth!)[0]
  return {
    title: r.title,
    query: r.query,
    cutoff_date: r.cutoff_date,
    window_years: WINDOW,
    patents: n,
    applicants: r.counts.applicants,
    inventors: r.counts.inventors,
    first_year: r.counts.first_year,
    last_year: r.counts.last_year,
    peak: peak && peak.applications ? { year: peak.year, applications: peak.applications } : null,
    recent: ref === null ? null : { from: ref - WINDOW + 1, to: ref, applications: recent, previous_applications: previous, growth_pct: previous ? pct((recent - previous) / previous) : null },
    ipc_top: r.ipc.subclasses.slice(0, 5).map((s) => ({ code: s.code, count: s.count, share_pct: share(s.count), growth_pct: s.growth === null ? null : pct(s.growth) })),
    ipc_fastest: fastest ? { code: fastest.code, growth_pct: pct(fastest.growth!), recent: fastest.recent, previous: fastest.previous } : null,
    applicant_kinds: r.applicants.kinds.map((k) => ({ kind: k.label, patents: k.patents, share_pct: pct(k.share), applicants: k.applicants })),
    applicants_top: r.applicants.top.slice(0, 5).map((a) => ({ name: clip(a.name, 60), kind: a.kind, count: a.count })),
    co_applicant_pairs: r.applicants.pairs.slice(0, 3).map((p) => ({ a: clip(p.a, 60), b: clip(p.b, 60), count: p.count })),
    legal_status: r.legal.status.map((s) => ({ status: LEGAL_LABEL[s.name] ?? s.name, count: s.count, share_pct: share(s.count) })),
    patent_types: r.legal.types.map((s) => ({ type: TYPE_LABEL[s.name] ?? s.name, count: s.count, share_pct: share(s.count) })),
    topics: (r.clusters?.items ?? []).slice(0, 8).map((c) => ({ topic: `T${c.id + 1}`, label: c.label, size: c.size, share_pct: share(c.size), growth_pct: c.growth === null ? null : pct(c.growth) })),
    lifecycle: { stage: r.lifecycle.label, reason: r.lifecycle.reason },
    white_spaces: r.opportunities.white_spaces.slice(0, 5).map((w) => ({ label: clip(w.label, 80), reason: clip(w.reason, 120) })),
    transfer_opportunities: r.opportunities.transfer_total,
    lapsed_free_to_use: r.opportunities.lapsed_total ?? 0,
    key_patents: r.key_patents.slice(0, 5).map((k) => ({ publication_number: k.publication_number, title: clip(k.title, 80) })),
  }
}
export type SummaryFacts = ReturnType<typeof summaryFacts>

/** Numbers as written in a text ("1,234" -> "1234", "12.50" -> "12.5"); signs are dropped. */
export function numbersIn(text: string): string[] {
  const out: string[] = []
  for (const m of text.normalize('NFKC').matchAll(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g)) out.push(String(Number(m[0].replace(/,/g, ''))))
  return out
}

/** Every number present in the facts: numeric values and the numbers inside their strings (dates, codes, reasons). */
export function allowedNumbers(facts: unknown): Set<string> {
  const out = new Set<string>()
  const walk = (v: unknown) => {
    if (typeof v === 'number' && Number.isFinite(v)) out.add(String(Math.abs(v)))
    else if (typeof v === 'string') for (const x of numbersIn(v)) out.add(x)
    else if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') Object.values(v).forEach(walk)
  }
  walk(facts)
  return out
}

/** The numbers of a text that the facts do not contain (empty: the text may be used). */
export function unsupportedNumbers(text: string, facts: unknown): string[] {
  const allowed = allowedNumbers(facts)
  return [...new Set(numbersIn(text).filter((x) => !allowed.has(x)))]
}

/** The summary without a model: the findings stated from the facts (every number taken from them). */
export function templateSummary(f: SummaryFacts): string {
  const paras: string[] = []
  const span = f.first_year !== null && f.last_year !== null ? `（申请年份 ${f.first_year}–${f.last_year}）` : ''
  paras.push(`截至 ${f.cutoff_date}，按检索式 ${f.query} 共检得专利 ${f.patents} 件${span}，涉及申请人 ${f.applicants} 个${f.inventors ? `、发明人 ${f.inventors} 人` : ''}。`)
  if (f.peak && f.recent) {
    const gp = f.recent.growth_pct
    const g = gp === null ? '' : `，较前${f.window_years}年（${f.recent.previous_applications} 件）${gp >= 0 ? '增长' : '减少'} ${Math.abs(gp)}%`
    paras.push(`申请量最多的年份是 ${f.peak.year} 年（${f.peak.applications} 件）；近${f.window_years}年（${f.recent.from}–${f.recent.to}）申请 ${f.recent.applications} 件${g}。技术生命周期判断为${f.lifecycle.stage}（依据见第七节）。`)
  } else paras.push(`多数专利缺少申请日，无法给出申请趋势与生命周期判断。`)
  if (f.ipc_top.length) {
    const fast = f.ipc_fastest ? `；近${f.window_years}年增长最快的小类是 ${f.ipc_fastest.code}（前${f.window_years}年 ${f.ipc_fastest.previous} 件，近${f.window_years}年 ${f.ipc_fastest.recent} 件）` : ''
    paras.push(`技术构成（IPC 主分类小类）以 ${f.ipc_top.slice(0, 3).map((s) => `${s.code}（${s.count} 件，${s.share_pct}%）`).join('、')} 为主${fast}。`)
  }
  const kinds = f.applicant_kinds.filter((k) => k.patents > 0).map((k) => `${k.kind} ${k.share_pct}%`)
  if (kinds.length) {
    const top = f.applicants_top.slice(0, 3).map((a) => `${a.name}（${a.kind}，${a.count} 件）`).join('、')
    paras.push(`按第一申请人统计，${kinds.join('、')}。申请量居前的申请人为 ${top}。` + (f.co_applicant_pairs.length ? `联合申请最多的是 ${f.co_applicant_pairs[0]!.a} 与 ${f.co_applicant_pairs[0]!.b}（${f.co_applicant_pairs[0]!.count} 件）。` : ''))
  }
  if (f.legal_status.length) paras.push(`法律状态：${f.legal_status.map((s) => `${s.status} ${s.count} 件（${s.share_pct}%）`).join('、')}；专利类型：${f.patent_types.map((s) => `${s.type} ${s.count} 件`).join('、')}。`)
  if (f.topics.length) paras.push(`聚类得到的主要技术主题为 ${f.topics.slice(0, 4).map((t) => `${t.topic}「${t.label}」（${t.size} 件）`).join('、')}。`)
  const recs: string[] = []
  if (f.white_spaces.length) recs.push(`关注可能的技术空白：${f.white_spaces.slice(0, 3).map((w) => w.label).join('；')}。`)
  if (f.transfer_opportunities) recs.push(`${f.transfer_opportunities} 件有效专利由高校或科研院所持有且无企业共同申请人，可作为技术转移与许可对接的对象。`)
  if (f.lapsed_free_to_use) recs.push(`${f.lapsed_free_to_use} 件专利已失效，其技术方案可无偿实施，可作为低成本的技术来源（实施前核实法律状态并排查相关有效专利）。`)
  if (f.applicants_top.length) recs.push(`跟踪主要申请人 ${f.applicants_top.slice(0, 3).map((a) => a.name).join('、')} 的布局动向。`)
  if (f.key_patents.length) recs.push(`优先研读重点专利 ${f.key_patents.slice(0, 3).map((k) => k.publication_number).join('、')}。`)
  return [...paras, recs.length ? '建议：\n' + recs.map((r) => `- ${r}`).join('\n') : ''].filter(Boolean).join('\n\n')
}

const ModelAnswer = z.object({
  summary: z.string().min(1).max(MAX_TEXT),
  recommendations: z.array(z.string().min(1).max(600)).max(10).default([]),
})

// Model text made inert paragraph by paragraph (markup, bidi and control characters removed), so line breaks survive.
const strip = (s: string) => s.split(/\n+/).map((p) => inertText(p, MAX_TEXT)).filter(Boolean).join('\n')

/** Parses a model answer (one JSON object; a ```json fence tolerated) and checks its numbers against the facts. */
export function parseNarrative(raw: string, facts: unknown): { ok: true; text: string } | { ok: false; reason: string } {
  if (raw.length > 4 * MAX_TEXT) return { ok: false, reason: 'answer too long' }
  let json: unknown
  try {
    json = JSON.parse(unfence(raw)) // index scans: linear, unlike a fence regex over padded answers
  } catch {
    return { ok: false, reason: 'answer is not JSON' }
  }
  const parsed = ModelAnswer.safeParse(json)
  if (!parsed.success) return { ok: false, reason: `answer does not match the schema: ${parsed.error.issues[0]?.message}` }
  const summary = strip(parsed.data.summary)
  const recs = parsed.data.recommendations.map(strip).filter(Boolean)
  const bad = unsupportedNumbers([summary, ...recs].join('\n'), facts)
  if (bad.length) return { ok: false, reason: `numbers not in the statistics: ${bad.slice(0, 10).join(', ')}` }
  return { ok: true, text: summary + (recs.length ? '\n\n建议：\n' + recs.map((r) => `- ${r}`).join('\n') : '') }
}

/** The report's summary: the model's narrative when there is a model and it passes, else the template. */
export async function writeSummary(db: Db, chat: ChatModel | undefined, report: Report): Promise<Summary> {
  const facts = summaryFacts(report)
  const template = (reason?: string): Summary => ({
    text: templateSummary(facts), source: 'template', model: null, prompt_version: null, input_hash: null, ...(reason ? { fallback_reason: reason } : {}),
  })
  if (!chat) return template()
  const prompt = loadPrompt(SUMMARY_PROMPT.name, SUMMARY_PROMPT.version)
  const { system, user } = await prompt.render({ facts: JSON.stringify(facts) })
  const inputHash = createHash('sha256').update(`${chat.modelId}\n${prompt.id}\n${prompt.sha256}\n${user}`).digest('hex').slice(0, 32)
  const base = { model: chat.modelId, prompt_version: prompt.id, input_hash: inputHash }
  const cached = await modelOutputStore.get<{ text: string }>(db, inputHash)
  if (cached) return { text: cached.text, source: 'model', ...base }
  let raw: string
  try {
    raw = await chat.completeJson(system, user)
  } catch (err) {
    return { ...template(`model call failed: ${String((err as Error).message).slice(0, 200)}`), ...base }
  }
  const checked = parseNarrative(raw, facts)
  if (!checked.ok) return { ...template(checked.reason), ...base }
  await modelOutputStore.put(db, { inputHash, model: chat.modelId, promptVersion: prompt.id, output: { text: checked.text } })
  return { text: checked.text, source: 'model', ...base }
}
