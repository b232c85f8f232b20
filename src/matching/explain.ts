// Explanations a person can check against the two texts: the words they share (whole words, from the full texts) and
// the need's indicators compared with the numbers the item's text gives for the same quantity.
import { idfTable, normalize, searchTokens, STOP_WORDS, tokenize } from '../text/analyze'
import type { Indicator } from './store'

const NUMERIC = /^[\d.%+-]+$/
/** Function words a shared term never grows over. */
const GLUE = new Set([...'的了和与及或等在是为对由将把被从以于其该此这那有也又并而且可个种中上下内外后前时'])
const MAX_TERM = 8

/**
 * Words of `query` found in `text` (both full texts, normalised), each grown by the query's whole neighbouring words
 * to the longest phrase the text also contains (jieba splits 热失控 into 热 + 失控; both texts say 热失控, so that is
 * what is shown, and never half a word such as 储能电). Rarest first (jieba idf), at most `limit`; a term inside a
 * longer shown term is left out.
 */
export function sharedTerms(query: string | QueryText, text: string, limit = 8): string[] {
  const { norm: a, spans: ta, words, at } = typeof query === 'string' ? queryText(query) : query
  const b = normalize(text).toLowerCase()
  if (!a || !b) return []
  const { map, median } = idfTable()
  // phrases are whole words of the query; the candidate's text only has to contain them (segmenting every candidate
  // as well cost ~0.6 ms each, for the rare phrase that would straddle two of its words)
  const aligned = (s: string) => b.includes(s)
  const grown = new Map<string, number>()
  for (const w of words) {
    if (w.length < 2 || STOP_WORDS.has(w) || NUMERIC.test(w) || w in UNIT_ALIASES || !b.includes(w)) continue
    const idf = map.get(w) ?? median
    const term = grow(at.get(w) ?? [], ta, aligned, w)
    grown.set(term, Math.max(grown.get(term) ?? 0, idf))
  }
  const terms = [...grown].sort((x, y) => y[1] - x[1] || y[0].length - x[0].length || (x[0] < y[0] ? -1 : 1)).map(([t]) => t)
  return terms.filter((t) => !terms.some((o) => o !== t && o.includes(t))).slice(0, limit)
}

/** The query side's text analysed once per run (it is compared with every candidate). */
export interface QueryText {
  norm: string
  spans: Span[]
  /** its precise-mode and search-mode words */
  words: string[]
  /** where each word sits among the spans */
  at: Map<string, number[]>
}

export function queryText(query: string): QueryText {
  const norm = normalize(query).toLowerCase()
  const s = spans(norm, tokenize(query))
  const at = new Map<string, number[]>()
  s.forEach((x, k) => at.set(x.t, [...(at.get(x.t) ?? []), k]))
  return { norm, spans: s, words: [...new Set([...s.map((x) => x.t), ...searchTokens(query)])], at }
}

interface Span {
  t: string
  start: number
  end: number
}

/** Where each token sits in the text it came from (tokens are in order; punctuation was dropped). */
function spans(text: string, tokens: string[]): Span[] {
  const out: Span[] = []
  let at = 0
  for (const t of tokens) {
    const i = text.indexOf(t, at)
    if (i < 0) continue
    out.push({ t, start: i, end: i + t.length })
    at = i + t.length
  }
  return out
}

/** Extends `w` (where it is a token of the query) by adjacent whole tokens while both texts hold the phrase. */
function grow(positions: number[], ta: Span[], aligned: (s: string) => boolean, w: string): string {
  let best = w
  positions.forEach((k) => {
    let lo = k
    let hi = k
    const phrase = () => ta.slice(lo, hi + 1).map((y) => y.t).join('')
    for (let changed = true; changed; ) {
      changed = false
      const left = ta[lo - 1]
      if (left && left.end === ta[lo]!.start && !GLUE.has(left.t) && !STOP_WORDS.has(left.t)) {
        lo--
        if (phrase().length <= MAX_TERM && aligned(phrase())) changed = true
        else lo++
      }
      const right = ta[hi + 1]
      if (right && right.start === ta[hi]!.end && !GLUE.has(right.t) && !STOP_WORDS.has(right.t)) {
        hi++
        if (phrase().length <= MAX_TERM && aligned(phrase())) changed = true
        else hi--
      }
    }
    if (phrase().length > best.length) best = phrase()
  })
  return best
}

// ---- indicators ----

export interface IndicatorCheck {
  name: string
  target: string
  unit: string | null
  /** what the item's text says, e.g. "10 分钟以上" */
  found: string
  verdict: '达到' | '未达到'
}

type Op = '>=' | '<=' | '='

const UNIT_ALIASES: Record<string, string> = {
  分钟: 'min', min: 'min', 分: 'min', 小时: 'h', h: 'h', hr: 'h', 秒: 's', s: 's', 毫秒: 'ms', ms: 'ms', 天: 'd', 日: 'd',
  '%': '%', 百分比: '%', 摄氏度: '°c', '°c': '°c', '℃': '°c', 度: '°c', 年: 'y', 月: 'mo', 次: '次', 万次: '万次',
}
const UNIT_PATTERN = /(%|℃|°C|[a-zA-Z]+(?:\/[a-zA-Z]+)?|分钟|小时|毫秒|秒|天|年|万次|次|个月|月|[\u4e00-\u9fff]{1,2}(?:\/[\u4e00-\u9fff]{1,2})?)/

function unitKey(u: string): string {
  const x = normalize(u).toLowerCase().replace(/\s+/g, '')
  return UNIT_ALIASES[x] ?? x
}

/** "≥ 15", "不低于15", "15以上", "<=5", "不超过 5", "5 以内": the operator and the number. */
export function parseBound(s: string): { op: Op; value: number } | null {
  const t = normalize(s).replace(/\s+/g, '')
  const num = t.match(/-?\d+(?:\.\d+)?/)
  if (!num) return null
  const value = Number(num[0])
  if (/(>=|≥|>|不低于|不少于|不小于|大于|高于|超过|至少|以上|优于)/.test(t) && !/(不超过|不高于|不大于)/.test(t)) return { op: '>=', value }
  if (/(<=|≤|<|不超过|不高于|不大于|小于|低于|少于|以内|以下|之内)/.test(t)) return { op: '<=', value }
  return { op: '=', value }
}

export interface PreparedIndicator {
  ind: Indicator
  want: { op: Op; value: number }
  unit: string
  words: string[]
}

/** The need's indicators that can be checked (a numeric bound, a unit, a name with words), analysed once per run. */
export function prepareIndicators(indicators: Indicator[]): PreparedIndicator[] {
  const out: PreparedIndicator[] = []
  for (const ind of indicators) {
    if (!ind.target) continue
    const want = parseBound(ind.target)
    if (!want || want.op === '=') continue
    const unit = ind.unit ? unitKey(ind.unit) : unitKey(normalize(ind.target).replace(/^[^\d]*-?\d+(?:\.\d+)?/, '').replace(/(以上|以下|以内)$/, ''))
    const words = tokenize(ind.name).filter((w) => w.length >= 2 && !STOP_WORDS.has(w))
    if (unit && words.length) out.push({ ind, want, unit, words })
  }
  return out
}

/**
 * For each indicator with a numeric target and a unit, the clause of the item's text that gives a number in the same
 * unit and names the same quantity (shares a word of the indicator's name); compared: 达到 or 未达到. Indicators the
 * text says nothing about are left out (no verdict is better than a guessed one).
 */
export function checkIndicators(indicators: Indicator[] | PreparedIndicator[], itemText: string): IndicatorCheck[] {
  const prepared = indicators.length && 'want' in indicators[0]! ? (indicators as PreparedIndicator[]) : prepareIndicators(indicators as Indicator[])
  if (!prepared.length) return []
  // only clauses with a number in them can say how much
  const clauses = normalize(itemText).split(/[。；;，,！!？?\n]/).filter((c) => /\d/.test(c)).map((c) => c.trim().toLowerCase())
  const out: IndicatorCheck[] = []
  for (const { ind, want, unit, words } of prepared) {
    let best: { hits: number; found: string; have: { op: Op; value: number } } | null = null
    for (const clause of clauses) {
      const hits = words.filter((w) => clause.includes(w)).length
      if (!hits || (best && hits <= best.hits)) continue
      const m = findQuantity(clause, unit)
      if (m) best = { hits, ...m }
    }
    if (!best) continue
    const ok = want.op === '>=' ? best.have.value >= want.value : best.have.value <= want.value
    out.push({ name: ind.name, target: ind.target!, unit: ind.unit ?? null, found: best.found, verdict: ok ? '达到' : '未达到' })
  }
  return out
}

const QUANTITY = new RegExp(`(不低于|不少于|不小于|不超过|不高于|不大于|大于|高于|超过|至少|小于|低于|少于|优于|>=|<=|≥|≤|>|<)?\\s*(-?\\d+(?:\\.\\d+)?)\\s*${UNIT_PATTERN.source}\\s*(以上|以下|以内|之内)?`, 'g')

/** A number followed by the unit in a clause, with the bound words around it ("提前10分钟以上", "误差小于3%"). */
function findQuantity(clause: string, unit: string): { found: string; have: { op: Op; value: number } } | null {
  for (const m of clause.matchAll(QUANTITY)) {
    if (unitKey(m[3]!) !== unit) continue
    const found = m[0].trim()
    return { found, have: parseBound(found)! }
  }
  return null
}

/** One line per checked indicator, e.g. "指标 预警提前时间 ≥15 分钟：成果为 10分钟以上，未达到". */
export function indicatorReasons(checks: IndicatorCheck[]): string[] {
  return checks.map((c) => `指标 ${c.name} ${c.target}${c.unit ? ` ${c.unit}` : ''}：成果为 ${c.found}，${c.verdict}`)
}
