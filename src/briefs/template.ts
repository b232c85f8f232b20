// The template writer (no model): fills the brief from the need's fields and the quantities read from its text, uses
// the stored keywords, cites references by id, and asks the enterprise for what it cannot find (待补充信息).
// Pure and deterministic: the same input gives the same brief.
import { MATURITY_LABEL, type Maturity, TRANSFER_MODE_LABEL, type TransferMode } from '../catalog/fields'
import { clarityOf } from './clarity'
import {
  acceptanceSentences, boundarySentences, chineseDurations, describeQuantity, extractQuantities, normalizeText, problemSentences,
  type Quantity, sentences, standardsIn,
} from './indicators'
import { type BriefContent, BriefContent as BriefContentSchema, type BriefIndicator, type BriefReference, TBD } from './schema'

export interface NeedForBrief {
  title: string
  description: string
  industry?: string | null
  region?: string | null
  budget_min?: number | string | null
  budget_max?: number | string | null
  deadline?: string | Date | null
  cooperation_modes?: string[] | null
  maturity_min?: string | null
  indicators?: { name: string; target?: string | null; unit?: string | null }[] | null
}

/** What a navigation report contributes (section names follow GB/T 39551-2020). */
export interface NavigationDigest {
  reportId: string
  routes: { title: string; section: string }[]
  applicants: { name: string; section: string }[]
  whiteSpaces: { title: string; section: string }[]
  keyPatents: { id: string; title: string; section: string }[]
}

export interface WriterInput {
  need: NeedForBrief
  issuer: string
  keywords: string[]
  references: BriefReference[]
  navigation?: NavigationDigest | null
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)
const uniq = <T>(xs: T[]) => [...new Set(xs)]

/** 1,500,000 CNY -> "150万元". */
export function formatYuan(v: number): string {
  if (v >= 1e8) return `${+(v / 1e8).toFixed(2)}亿元`
  if (v >= 1e4) return `${+(v / 1e4).toFixed(2)}万元`
  return `${v}元`
}

function budgetOf(need: NeedForBrief, money: Quantity[]): string | null {
  const min = need.budget_min == null ? null : Number(need.budget_min)
  const max = need.budget_max == null ? null : Number(need.budget_max)
  if (min != null && max != null) return min === max ? formatYuan(max) : `${formatYuan(min)}~${formatYuan(max)}`
  if (max != null) return `不超过${formatYuan(max)}`
  if (min != null) return `不低于${formatYuan(min)}`
  const m = money[0]
  if (m) return `${m.name ? `${m.name}：` : ''}${m.target}${m.unit}（需求原文）`
  return null
}

function durationOf(desc: string, durations: Quantity[]): string | null {
  const d = durations[0]
  if (d) return `${d.name && d.name.length <= 10 ? `${d.name} ` : ''}${d.target}${d.unit}（需求原文）`
  const cn = chineseDurations(desc)[0]
  if (cn) return `${cn}（需求原文）`
  const date = /(20\d\d)\s*年\s*(?:(\d{1,2})\s*月)?(?:底|前|以前|之前)/.exec(normalizeText(desc))
  if (date) return `${date[0]}完成（需求原文）`
  return null
}

/** Methods named next to an indicator, or the standards the need names. */
function methodFor(q: Quantity, standards: string[]): string {
  const near = standardsIn(q.quote)
  if (near.length) return `按 ${near.join('、')}`
  if (/测试|检测|试验|测量|标定/.test(q.quote)) return clip(q.quote, 120)
  if (standards.length === 1) return `按 ${standards[0]}（需求所列标准，待确认适用）`
  return `${TBD}（建议由第三方检测机构按国家或行业标准测试）`
}

function deliverablesOf(text: string): string[] {
  const out: string[] = []
  if (/设备|装置|仪|机|样机|生产线|产线/.test(text)) out.push('样机或工程样机一套及设计图纸')
  if (/材料|配方|涂料|胶|合金|树脂|试剂|制剂|纤维|膜/.test(text)) out.push('合格样品及配方、制备工艺文件')
  if (/软件|算法|平台|系统|模型|数据|识别|智能/.test(text)) out.push('软件系统或算法模块（含源代码与使用文档）')
  if (/工艺|方法|技术方案|处理/.test(text)) out.push('工艺技术方案或工艺包')
  out.push('技术总结报告与第三方检测报告', '相关知识产权（专利申请等）')
  return uniq(out).map((s) => `${s}（建议）`)
}

function ipOf(modes: string[]): string {
  if (modes.includes('transfer')) return `${TBD}（建议：技术转让后，成果知识产权归发榜企业所有，具体在合同中约定）`
  if (modes.includes('license')) return `${TBD}（建议：知识产权归揭榜方所有，发榜企业获得约定范围的实施许可）`
  return `${TBD}（建议：背景知识产权归原权利人所有；攻关中新产生的知识产权归属与收益分配在合同中约定）`
}

/** Structured indicators of the need, then the targets read from its text (same name and value said once). */
function indicatorsOf(need: NeedForBrief, qs: Quantity[], standards: string[]): BriefIndicator[] {
  const out: BriefIndicator[] = []
  const seen = new Set<string>()
  for (const i of need.indicators ?? []) {
    const target = (i.target ?? '').trim()
    out.push({ name: i.name, target: target || TBD, unit: i.unit ?? '', method: standards.length === 1 ? `按 ${standards[0]}（待确认适用）` : `${TBD}（建议由第三方检测机构按国家或行业标准测试）`, basis: target ? '需求原文' : '待确认' })
    seen.add(`${target.replace(/\s+/g, '')}|${i.unit ?? ''}`)
  }
  for (const q of qs) {
    if (q.kind !== 'indicator' || q.role !== 'target') continue
    const k = `${q.target}|${q.unit}`
    if (seen.has(k)) continue
    seen.add(k)
    out.push({ name: q.name, target: q.target, unit: q.unit, method: methodFor(q, standards), basis: '需求原文', quote: clip(q.quote, 200) })
    if (out.length >= 40) break
  }
  return out
}

export function templateBrief(input: WriterInput): BriefContent {
  const { need } = input
  const desc = normalizeText(need.description ?? '')
  const all = `${need.title}。${desc}`
  const qs = extractQuantities(all)
  const standards = standardsIn(all)
  const money = qs.filter((q) => q.kind === 'money')
  const durations = qs.filter((q) => q.kind === 'duration')
  const conditions = qs.filter((q) => q.kind === 'indicator' && q.role === 'condition')
  const current = qs.filter((q) => q.kind === 'indicator' && q.role === 'current')
  const indicators = indicatorsOf(need, qs, standards)
  const modes = (need.cooperation_modes ?? []) as TransferMode[]
  const nav = input.navigation ?? null

  const problemLines = problemSentences(desc).slice(0, 4)
  const problem = [
    `围绕「${need.title}」，需攻克的技术难题：`,
    ...(problemLines.length ? problemLines.map((s, i) => `${i + 1}. ${clip(s, 300)}`) : [`1. ${clip(sentences(desc).slice(-2).join('') || need.title, 400)}`]),
    current.length ? `现状：${current.slice(0, 4).map(describeQuantity).join('；')}。` : '',
    indicators.some((i) => i.basis === '需求原文') ? `攻关目标：使 ${indicators.filter((i) => i.basis === '需求原文').slice(0, 4).map((i) => `${i.name} ${i.target}${i.unit ? ` ${i.unit}` : ''}`).join('，')}。` : '',
    input.keywords.length ? `涉及技术：${input.keywords.slice(0, 8).join('、')}。` : '',
    nav && nav.routes.length ? `专利导航所示主要技术路线：${nav.routes.slice(0, 4).map((r) => `${r.title}（导航报告 ${r.section}）`).join('；')}。` : '',
    nav && nav.whiteSpaces.length ? `技术空白点：${nav.whiteSpaces.slice(0, 3).map((w) => `${w.title}（导航报告 ${w.section}）`).join('；')}。` : '',
  ].filter(Boolean).join('\n')

  const constraints = uniq([
    ...conditions.map((q) => `${describeQuantity(q)}（需求原文）`),
    ...boundarySentences(desc).slice(0, 5).map((s) => clip(s, 300)),
    need.maturity_min ? `技术成熟度不低于${MATURITY_LABEL[need.maturity_min as Maturity] ?? need.maturity_min}` : '',
    need.region ? `实施地点/所在地区：${need.region}` : '',
  ].filter(Boolean)).slice(0, 30)

  const acceptance = [
    ...acceptanceSentences(desc).slice(0, 3).map((s) => clip(s, 300)),
    standards.length ? `参照标准：${standards.join('、')}` : '',
  ].filter(Boolean)
  const budget = budgetOf(need, money)
  const duration = durationOf(desc, durations)

  const references: BriefReference[] = [
    ...input.references.slice(0, 10),
    ...(nav ? nav.keyPatents.filter((k) => !input.references.some((r) => r.id === k.id)).map((k) => ({ kind: 'patent' as const, id: k.id, title: k.title, note: `重点专利（导航报告 ${k.section}）`, state: 'report' as const })) : []),
    ...(nav ? nav.applicants.slice(0, 3).map((a) => ({ kind: 'navigation' as const, id: nav.reportId, title: a.name, note: `主要申请人（导航报告 ${a.section}）`, state: 'report' as const })) : []),
  ]

  const content: BriefContent = {
    title: clip(need.title, 200),
    issuer: input.issuer,
    background: clip((need.description ?? '').trim() || need.title, 4000),
    problem: clip(problem, 4000),
    indicators,
    constraints,
    deliverables: deliverablesOf(all),
    cooperation: modes.length ? modes.map((m) => TRANSFER_MODE_LABEL[m] ?? m).join('、') : TBD,
    duration: duration ?? (need.deadline ? `${TBD}（需求征集截止：${String(need.deadline instanceof Date ? need.deadline.toISOString().slice(0, 10) : need.deadline).slice(0, 10)}）` : TBD),
    budget: budget ?? TBD,
    ip: ipOf(modes),
    acceptance: acceptance.length
      ? clip(acceptance.join('；'), 2000)
      : indicators.length
        ? `${TBD}：以「主要技术指标」逐项达标为验收依据，测试方法与验收机构待商定`
        : TBD,
    solver_requirements: {
      entity_types: '高校、科研院所、企业或其组成的联合体（建议）',
      team: `${TBD}（建议：团队负责人具有${input.keywords.slice(0, 2).join('、') || '相关'}领域研发经历）`,
      prior_results: need.maturity_min
        ? `具备${MATURITY_LABEL[need.maturity_min as Maturity] ?? need.maturity_min}及以上阶段的相关成果或专利（需求原文：成熟度要求）`
        : `${TBD}（建议：具备相关专利或已验证的样品/样机）`,
    },
    references,
    open_questions: [],
    keywords: input.keywords.slice(0, 20),
  }
  content.open_questions = questionsFor(content)
  return BriefContentSchema.parse(content)
}

/** Questions for the enterprise, from what the clarity check finds missing and from unconfirmed fields. */
export function questionsFor(c: BriefContent): string[] {
  const q: string[] = []
  const clarity = clarityOf(c)
  const missing = new Set(clarity.checks.filter((k) => !k.ok).map((k) => k.key))
  if (missing.has('indicators')) q.push('请给出需要达到的关键技术指标及目标值（例如性能、精度、效率、寿命、成本，各带单位和比较关系，如 ≥95%、≤0.5 mm）。')
  for (const i of c.indicators.filter((x) => x.basis !== '需求原文' && x.basis !== '人工填写').slice(0, 5)) q.push(`指标「${i.name}」的目标值是多少（当前为 ${i.target}）？`)
  if (missing.has('acceptance')) q.push('各项指标如何测试和验收？是否指定检测标准、检测机构或现场试用要求？')
  else if (c.indicators.some((i) => i.method.startsWith(TBD))) q.push('部分指标尚无测试方法：是否由第三方检测机构按国家或行业标准测试？')
  if (missing.has('budget')) q.push('计划投入的研发经费或榜单金额是多少？是否分阶段支付？')
  if (missing.has('timeline')) q.push('期望的研发周期或交付时间是多少（例如 12 个月内完成样机）？')
  if (missing.has('boundary')) q.push('技术方案需满足哪些约束条件（使用工况、温度/压力范围、尺寸重量、材料、需兼容的现有设备或工艺）？')
  if (c.cooperation.startsWith(TBD)) q.push('希望采用哪种合作方式（技术转让、许可、合作开发、技术服务）？')
  if (c.ip.startsWith(TBD)) q.push('攻关产生的知识产权如何归属？')
  return q.slice(0, 30)
}
