// Column mapping (Chinese and English headers of common exports, plus user overrides) and cell coercion to API fields.
import {
  parseDate, parseIpcList, parseLegalStatus, parseMaturity, parseMoneyRange, parsePatentType, parseTransferModes,
  parseVisibility, splitList, normalizeIpc, maturityFromTrl,
} from '../catalog/fields'
import type { Kind } from '../catalog/kinds'

/** Import-side fields: the API fields plus `price`/`budget` (a range in one cell). */
type FieldSpec = { synonyms: string[]; coerce: (v: unknown) => Coerced }
type Coerced = { ok: true; set: Record<string, unknown> } | { ok: false; reason: string }

const ok = (set: Record<string, unknown>): Coerced => ({ ok: true, set })
const fail = (reason: string): Coerced => ({ ok: false, reason })
const str = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v ?? '')).trim()

const text = (field: string) => (v: unknown) => ok({ [field]: str(v) })
const list = (field: string) => (v: unknown) =>
  ok({ [field]: Array.isArray(v) ? v.map(str).filter(Boolean) : splitList(str(v)) })
const date = (field: string) => (v: unknown) => {
  let s: string | number | Date = v instanceof Date || typeof v === 'number' ? v : str(v)
  if (typeof s === 'string' && s.includes('至')) s = s.split('至').pop()!.trim() // "2020-01-13 至 2021-01-13": the end
  const d = parseDate(s)
  return d ? ok({ [field]: d }) : fail(`"${str(v)}" is not a date (YYYY-MM-DD) / 日期无法识别`)
}
const enumOf = (field: string, parse: (s: string) => string | null, allowed: string) => (v: unknown) => {
  const r = parse(str(v))
  return r ? ok({ [field]: r }) : fail(`"${str(v)}" is not one of ${allowed} / 取值无法识别`)
}
const money = (min: string, max: string) => (v: unknown) => {
  const r = typeof v === 'number' ? ([v, v] as const) : parseMoneyRange(str(v))
  return r ? ok({ [min]: r[0], [max]: r[1] }) : fail(`"${str(v)}" is not an amount (e.g. 50万元, 100-200万元, 面议) / 金额无法识别`)
}
const moneyOne = (field: string) => (v: unknown) => {
  const r = typeof v === 'number' ? [v] : parseMoneyRange(str(v))
  return r ? ok({ [field]: r[0] }) : fail(`"${str(v)}" is not an amount / 金额无法识别`)
}
const modes = (field: string) => (v: unknown) => {
  const m = parseTransferModes(Array.isArray(v) ? v.map(str) : str(v))
  return m.length ? ok({ [field]: m }) : fail(`"${str(v)}" names no cooperation mode (转让/许可/作价投资/合作开发/技术服务/其他) / 合作方式无法识别`)
}
const ipcList = (v: unknown) => {
  const { codes, bad } = parseIpcList(Array.isArray(v) ? v.map(str) : str(v))
  return bad.length ? fail(`not IPC codes: ${bad.slice(0, 5).join(', ')} / IPC 分类号无效`) : ok({ ipc_codes: codes })
}
const ipcMain = (v: unknown) => {
  const c = normalizeIpc(splitList(str(v))[0] ?? '')
  return c ? ok({ ipc_main: c }) : fail(`"${str(v)}" is not an IPC code / IPC 主分类号无效`)
}
const maturity = (field: string) => (v: unknown) => {
  if (typeof v === 'number' && v >= 1 && v <= 9) return ok({ [field]: maturityFromTrl(v), ...(field === 'maturity' ? { trl: v } : {}) })
  return enumOf(field, parseMaturity, '实验室/小试/中试/产业化 or TRL 1-9')(v)
}
const integer = (field: string) => (v: unknown) => {
  const n = Number(str(v).replace(/^TRL\s*/i, ''))
  return Number.isInteger(n) ? ok({ [field]: n }) : fail(`"${str(v)}" is not a whole number`)
}
const indicators = (v: unknown) =>
  ok({ indicators: (Array.isArray(v) ? v.map(str) : str(v).split(/[；;\n]+/)).map((s) => s.trim()).filter(Boolean).slice(0, 30).map((name) => ({ name: name.slice(0, 100) })) })
const status = (values: string[]) => (v: unknown) => {
  const s = str(v).toLowerCase()
  const zh: Record<string, string> = { 草稿: 'draft', 发布: 'active', 已发布: 'active', 有效: 'active', 归档: 'archived', 下架: 'archived', 开放: 'open', 征集中: 'open', 关闭: 'closed', 已关闭: 'closed', 已结束: 'closed' }
  const code = values.includes(s) ? s : zh[s]
  return code && values.includes(code) ? ok({ status: code }) : fail(`"${str(v)}" is not one of ${values.join('/')}`)
}

export const FIELD_SPECS: Record<Kind, Record<string, FieldSpec>> = {
  patent: {
    publication_number: { synonyms: ['公开(公告)号', '公开公告号', '公开号', '公告号', '公开(公告)号码', '公布号', 'publication number', 'publication_number', 'pn', 'publicationnumber'], coerce: text('publication_number') },
    application_number: { synonyms: ['申请号', 'application number', 'application_number', 'an'], coerce: text('application_number') },
    application_date: { synonyms: ['申请日', '申请日期', 'application date', 'application_date'], coerce: date('application_date') },
    publication_date: { synonyms: ['公开(公告)日', '公开日', '公告日', '公开日期', 'publication date', 'publication_date'], coerce: date('publication_date') },
    grant_date: { synonyms: ['授权日', '授权公告日', '授权日期', 'grant date', 'grant_date'], coerce: date('grant_date') },
    title: { synonyms: ['标题', '发明名称', '专利名称', '名称', 'title'], coerce: text('title') },
    abstract: { synonyms: ['摘要', '摘要文本', 'abstract'], coerce: text('abstract') },
    first_claim: { synonyms: ['主权项', '首项权利要求', '第一权利要求', '独立权利要求', 'first claim', 'first_claim', 'claim'], coerce: text('first_claim') },
    applicants: { synonyms: ['申请(专利权)人', '申请人', '专利权人', '当前申请(专利权)人', '原始申请(专利权)人', '权利人', 'assignee', 'applicants', 'applicant'], coerce: list('applicants') },
    inventors: { synonyms: ['发明人', '设计人', 'inventors', 'inventor'], coerce: list('inventors') },
    ipc_main: { synonyms: ['ipc主分类号', 'ipc主分类', '主分类号', 'main ipc', 'ipc_main'], coerce: ipcMain },
    ipc_codes: { synonyms: ['ipc分类号', 'ipc', '分类号', 'ipc codes', 'ipc_codes'], coerce: ipcList },
    patent_type: { synonyms: ['专利类型', '类型', 'patent type', 'patent_type', 'type'], coerce: enumOf('patent_type', parsePatentType, '发明/实用新型/外观设计') },
    legal_status: { synonyms: ['法律状态', '当前法律状态', '简单法律状态', '法律状态/事件', 'legal status', 'legal_status'], coerce: enumOf('legal_status', parseLegalStatus, '审中/有效/失效') },
    region: { synonyms: ['省份', '地区', '申请人省份', '申请人所在省', '国省代码', 'region', 'province'], coerce: text('region') },
  },
  achievement: {
    external_id: { synonyms: ['编号', '成果编号', '项目编号', 'id', 'external_id'], coerce: text('external_id') },
    title: { synonyms: ['成果名称', '项目名称', '名称', '标题', 'name', 'title'], coerce: text('title') },
    summary: { synonyms: ['成果简介', '简介', '项目简介', '成果介绍', '成果描述', '内容', '摘要', 'context', 'summary', 'description'], coerce: text('summary') },
    field: { synonyms: ['技术领域', '所属领域', '领域', 'field', 'technical field'], coerce: text('field') },
    industry: { synonyms: ['所属行业', '行业', '行业分类', '应用行业', 'industry'], coerce: text('industry') },
    keywords: { synonyms: ['关键词', '关键字', 'keywords', 'tags'], coerce: list('keywords') },
    maturity: { synonyms: ['成熟度', '技术成熟度', '成熟程度', '成果成熟度', 'maturity'], coerce: maturity('maturity') },
    trl: { synonyms: ['trl', '技术就绪度', '技术就绪水平'], coerce: integer('trl') },
    transfer_modes: { synonyms: ['合作方式', '转化方式', '转让方式', '交易方式', '转移方式', 'cooperationmethod', 'cooperation method', 'transfer_modes', 'transfer modes'], coerce: modes('transfer_modes') },
    price: { synonyms: ['价格', '转让价格', '交易价格', '参考价格', '意向价格', '价格(万元)', 'price'], coerce: money('price_min', 'price_max') },
    team: { synonyms: ['团队', '成果完成人', '完成人', '负责人', '团队介绍', '研发团队', 'team'], coerce: text('team') },
    region: { synonyms: ['地区', '所在地区', '省份', '所在省份', '所在地', 'region', 'province'], coerce: text('region') },
    patent_numbers: { synonyms: ['专利号', '相关专利', '关联专利', '专利公开号', 'patent numbers', 'patent_numbers'], coerce: list('patent_numbers') },
    status: { synonyms: ['状态', 'status'], coerce: status(['draft', 'active', 'archived']) },
  },
  need: {
    external_id: { synonyms: ['编号', '需求编号', 'id', 'external_id'], coerce: text('external_id') },
    title: { synonyms: ['需求名称', '需求标题', '名称', '标题', 'name', 'title'], coerce: text('title') },
    description: { synonyms: ['需求描述', '需求内容', '需求简介', '详细描述', '描述', '内容', 'context', 'description'], coerce: text('description') },
    industry: { synonyms: ['所属行业', '行业', '所属领域', '领域', '行业分类', 'classification', 'industry'], coerce: text('industry') },
    region: { synonyms: ['地区', '所在地区', '省份', '所在省份', 'region', 'province'], coerce: text('region') },
    budget: { synonyms: ['预算', '预算金额', '投入金额', '拟投入资金', '榜单金额', '投入/榜单金额', 'budget'], coerce: money('budget_min', 'budget_max') },
    budget_min: { synonyms: ['budget_min', '最低预算'], coerce: moneyOne('budget_min') },
    budget_max: { synonyms: ['budget_max', '最高预算'], coerce: moneyOne('budget_max') },
    deadline: { synonyms: ['截止日期', '截止时间', '有效期', '需求截止日期', '有效期至', 'deadline', 'time'], coerce: date('deadline') },
    cooperation_modes: { synonyms: ['合作方式', '合作模式', '期望合作方式', 'cooperationmethod', 'cooperation method', 'cooperation_modes'], coerce: modes('cooperation_modes') },
    maturity_min: { synonyms: ['成熟度要求', '最低成熟度', '技术成熟度要求', 'maturity_min'], coerce: maturity('maturity_min') },
    indicators: { synonyms: ['技术指标', '主要技术指标', '指标', 'indicators'], coerce: indicators },
    visibility: { synonyms: ['公开范围', '可见性', '可见范围', 'visibility'], coerce: enumOf('visibility', parseVisibility, 'public/platform/private (公开/平台/私有)') },
    status: { synonyms: ['状态', 'status'], coerce: status(['draft', 'open', 'closed']) },
  },
}

export const REQUIRED: Record<Kind, string[]> = { patent: ['publication_number', 'title'], achievement: ['title'], need: ['title'] }

/** Header normalisation for matching: NFKC (full-width brackets), no spaces, lower case. */
export const normHeader = (h: string) => h.normalize('NFKC').replace(/\s+/g, '').toLowerCase()

export class MappingError extends Error {
  constructor(readonly field: string, message: string) {
    super(message)
  }
}

/**
 * field -> header. User mappings (`field=column`) win; the rest are matched by synonym, each header used once.
 * Throws MappingError for an unknown field or column, or when a required field has no column.
 */
export function resolveMapping(kind: Kind, headers: string[], user: Record<string, string> = {}): Record<string, string> {
  const specs = FIELD_SPECS[kind]
  const byNorm = new Map(headers.map((h) => [normHeader(h), h]))
  const out: Record<string, string> = {}
  const used = new Set<string>()
  for (const [field, column] of Object.entries(user)) {
    if (!specs[field]) throw new MappingError('map', `unknown field "${field}"; fields for ${kind}: ${Object.keys(specs).join(', ')}`)
    const h = byNorm.get(normHeader(column))
    if (!h) throw new MappingError('map', `column "${column}" is not in the file; columns: ${headers.join(', ')}`)
    out[field] = h
    used.add(h)
  }
  for (const [field, spec] of Object.entries(specs)) {
    if (out[field]) continue
    for (const syn of spec.synonyms) {
      const h = byNorm.get(normHeader(syn))
      if (h && !used.has(h)) {
        out[field] = h
        used.add(h)
        break
      }
    }
  }
  const missing = REQUIRED[kind].filter((f) => !out[f])
  if (missing.length) {
    throw new MappingError(
      'file',
      `No column for required field(s) ${missing.join(', ')} of a ${kind} file. Columns found: ${headers.slice(0, 30).join(', ')}. ` +
        `Use map field=column, or check that this is a ${kind} file / 缺少必需列，请检查文件类型或指定列映射`,
    )
  }
  return out
}

export interface RowError {
  field: string
  reason: string
}

/** One source record -> an API-shaped record, or the reasons it cannot be one. Empty cells are left out. */
export function mapRecord(kind: Kind, mapping: Record<string, string>, data: Record<string, unknown>): { record: Record<string, unknown>; errors: RowError[] } {
  const specs = FIELD_SPECS[kind]
  const record: Record<string, unknown> = {}
  const errors: RowError[] = []
  if (typeof data.__invalid__ === 'string') return { record, errors: [{ field: '', reason: data.__invalid__ }] }
  for (const [field, column] of Object.entries(mapping)) {
    const v = data[column]
    if (v == null || (typeof v === 'string' && !v.trim()) || (Array.isArray(v) && !v.length)) continue
    const r = specs[field]!.coerce(v)
    if (r.ok) Object.assign(record, r.set)
    else errors.push({ field, reason: r.reason })
  }
  return { record, errors }
}

export const KIND_NAMES_ZH: Record<Kind, string> = { achievement: '科技成果', patent: '专利', need: '技术需求' }

/** Headers that some synonym of the kind's fields names. */
function headersOfKind(kind: Kind, headers: string[]): string[] {
  const syn = new Set(Object.values(FIELD_SPECS[kind]).flatMap((s) => s.synonyms.map(normHeader)))
  return headers.filter((h) => syn.has(normHeader(h)))
}

/**
 * Another kind whose columns the file has, when the chosen kind explains few of them: at least 3 columns that only the
 * other kind names (e.g. 公开(公告)号, 申请号, IPC分类号 for patents), more than the chosen kind's mapped columns. Columns
 * the caller mapped explicitly count for the chosen kind.
 */
export function otherKindOf(kind: Kind, headers: string[], mapping: Record<string, string>): { kind: Kind; evidence: string[] } | null {
  const mine = new Set([...headersOfKind(kind, headers), ...Object.values(mapping)])
  const used = Object.keys(mapping).length
  let best: { kind: Kind; evidence: string[] } | null = null
  for (const other of Object.keys(FIELD_SPECS) as Kind[]) {
    if (other === kind) continue
    const evidence = headersOfKind(other, headers).filter((h) => !mine.has(h))
    if (evidence.length >= 3 && evidence.length > used && (!best || evidence.length > best.evidence.length)) best = { kind: other, evidence }
  }
  return best
}

/** The kind whose required columns the file has and whose fields name the most of its columns, if any. */
export function likelyKind(headers: string[]): Kind | null {
  let best: { kind: Kind; n: number } | null = null
  for (const kind of Object.keys(FIELD_SPECS) as Kind[]) {
    try {
      const n = Object.keys(resolveMapping(kind, headers)).length
      if (!best || n > best.n) best = { kind, n }
    } catch {
      // not this kind
    }
  }
  return best?.kind ?? null
}

/** Fields a template leaves out: other spellings of a field it has (预算 covers both ends; 成熟度 covers TRL). */
const TEMPLATE_SKIP = new Set(['budget_min', 'budget_max', 'trl'])

/**
 * The columns of a blank import template for a kind: each field's first Chinese header, in the order above, so a filled
 * template maps back field by field with no `map` at all.
 */
export function templateColumns(kind: Kind): string[] {
  return Object.entries(FIELD_SPECS[kind])
    .filter(([field]) => !TEMPLATE_SKIP.has(field))
    .map(([field, spec]) => spec.synonyms.find((s) => /\p{Script=Han}/u.test(s)) ?? field)
}
