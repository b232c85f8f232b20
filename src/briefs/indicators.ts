// Deterministic extraction of quantified statements from a need's free text: numbers with units and comparators
// (≥95%, <=0.5 mm, 1000 次循环, 30 天, 不低于, 以上, 以内, 小于, 范围 10-20 ℃, 30±10 g/m2 ...), each with the phrase it
// qualifies and its role in the sentence: a target the enterprise wants, the current state, or a boundary condition.
// Money and time spans are told apart (budget and R&D period are separate fields of a brief).
import { segment } from '../text/analyze'

// Linear in the text: one pass of one regular expression without nested quantifiers, then bounded look-arounds.

export type Comparator = '≥' | '>' | '≤' | '<' | '=' | '≈' | 'range' | '±'
export type Role = 'target' | 'current' | 'condition'
export type QuantityKind = 'indicator' | 'money' | 'duration'

export interface Quantity {
  /** the phrase the number qualifies, e.g. 循环寿命 */
  name: string
  comparator: Comparator | null
  /** number as written (normalised half-width), e.g. "95", "0.5" */
  value: string
  /** upper end of a range, or the tolerance of ± */
  value2?: string
  /** unit as written after normalisation (℃ kept as ℃), '' when none */
  unit: string
  /** display form of the target, e.g. "≥95", "10~20", "30±10" */
  target: string
  role: Role
  kind: QuantityKind
  /** the sentence fragment it came from (for citing the need) */
  quote: string
}

// ---- units ----
// Longest first inside the alternation is done by sorting; Latin units match case-sensitively first.
const LATIN_UNITS = [
  '%RH', '%', '‰', 'ppm', 'ppb', 'Wh/kg', 'mAh/g', 'mAh', 'Ah', 'kWh', 'Wh', 'mW', 'kW', 'MW', 'GW', 'W', 'kVA', 'kV', 'mV', 'V',
  'μA', 'mA', 'A', 'kHz', 'MHz', 'GHz', 'Hz', 'GPa', 'MPa', 'kPa', 'Pa', 'mbar', 'bar', 'N·m', 'N.m', 'Nm', 'kN', 'N', '°C', '℃', 'K',
  'nm', 'μm', 'um', 'mm', 'cm', 'km', 'm', 'mg', 'kg', 'g', 't', 'mL', 'ml', 'L', 'ms', 'μs', 'ns', 's', 'min', 'h', 'dBm', 'dB',
  'lm/W', 'lm', 'lx', 'lux', 'cd', 'mΩ', 'kΩ', 'MΩ', 'Ω', 'μF', 'nF', 'pF', 'dpi', 'fps', 'bit', 'Gbps', 'Mbps', 'kbps', 'TB', 'GB', 'MB', 'KB',
  'rpm', 'r/min', 'HV', 'HRC', 'HB', 'mol/L', 'mg/L', 'g/L', 'mg/m3', 'g/m2', 'm3/h', 'm3', 'm2', 'L/min', 'm/s', 'km/h', 'kg/h', 't/h',
  'dyn', 'RMB', 'CNY', 'cP', 'mPa·s', 'Pa·s', 'kgf', 'C', 'kJ', 'MJ', 'J', 'lp/mm', 'pixel', 'px', 'Mpix', 'kN·m', 'W/m·K', 'W/(m·K)',
  // spellings seen in enterprise texts, mapped to the canonical unit by canonUnit
  'khz', 'mhz', 'ghz', 'hz', 'HZ', 'mpa', 'Mpa', 'MPA', 'kpa', 'KPa', 'kw', 'KW', 'kwh', 'KWh', 'KWH', 'mah', 'MAH', 'AH', 'KG', 'Kg',
  'MM', 'CM', 'KM', 'KV', 'kv', 'DB', 'db', 'RPM', 'Hv', 'hrc', 'T', 'H',
]
const CJK_UNITS = [
  '次循环', '个月', '小时', '分钟', '毫秒', '微秒', '月', '年', '周', '天', '日', '秒', '次', '遍', '个', '件', '台', '套', '只', '片', '颗', '条',
  '根', '厘米', '毫米', '微米', '纳米', '公里', '千米', '米', '吨', '千克', '公斤', '克', '毫克', '毫升', '升', '万元', '亿元', '元', '块钱', '倍',
  '级', '目', '层', '度', '人', '路', '通道', '节点', '帧', '像素', '平方米', '立方米', '亩', '瓦', '千瓦', '伏', '安', '赫兹', '兆帕', '帕', '达因',
  '转', '圈', '粒', '道', '工序', '批次', '项', '种', '家', '座', '辆', '头', '株', '万', '千', '亿',
]
// A Chinese multiplier may precede a unit (5万件, 20万元, 10万级, 3千吨).
const MULT = '(?:万|千|百|亿)?'
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const byLength = (a: string, b: string) => b.length - a.length
const UNIT_ALT = [...LATIN_UNITS.map(esc).sort(byLength)].join('|')
const CJK_ALT = [...CJK_UNITS].sort(byLength).map(esc).join('|')

// comparator words right before a number
const PRE_WORDS: [string, Comparator][] = [
  ['大于等于', '≥'], ['小于等于', '≤'], ['不低于', '≥'], ['不小于', '≥'], ['不少于', '≥'], ['不短于', '≥'], ['不超过', '≤'], ['不高于', '≤'],
  ['不大于', '≤'], ['不多于', '≤'], ['不长于', '≤'], ['不得低于', '≥'], ['不得超过', '≤'], ['不得大于', '≤'], ['不得小于', '≥'], ['不能超过', '≤'],
  ['不能低于', '≥'], ['至少', '≥'], ['最少', '≥'], ['最低', '≥'], ['最多', '≤'], ['最高', '≤'], ['最大', '≤'], ['大于', '>'], ['高于', '>'],
  ['超过', '>'], ['多于', '>'], ['优于', '≈'], ['小于', '<'], ['低于', '<'], ['少于', '<'], ['提升到', '≥'], ['提高到', '≥'], ['提升至', '≥'],
  ['提高至', '≥'], ['增加到', '≥'], ['增加至', '≥'], ['达到', '≥'], ['达', '≥'], ['降低到', '≤'], ['降低至', '≤'], ['降到', '≤'], ['降至', '≤'],
  ['减少到', '≤'], ['减少至', '≤'], ['减低至', '≤'], ['减低到', '≤'], ['控制在', '≤'], ['缩短到', '≤'], ['缩短至', '≤'], ['约为', '≈'], ['约', '≈'],
  ['大约', '≈'], ['为', '='], ['是', '='], ['等于', '='],
]
const PRE_SYMBOLS: [string, Comparator][] = [
  ['>=', '≥'], ['<=', '≤'], ['≥', '≥'], ['≤', '≤'], ['≧', '≥'], ['≦', '≤'], ['⩾', '≥'], ['⩽', '≤'], ['>', '>'], ['<', '<'], ['≈', '≈'], ['~', '≈'], ['=', '='],
]
const POST_WORDS: [string, Comparator][] = [
  ['及以上', '≥'], ['以上', '≥'], ['及以下', '≤'], ['以下', '≤'], ['以内', '≤'], ['之内', '≤'], ['左右', '≈'], ['上下', '≈'], ['内', '≤'],
]
const PRE_ALT = [...PRE_WORDS, ...PRE_SYMBOLS].map(([w]) => w).sort(byLength).map(esc).join('|')
const PRE_MAP = new Map<string, Comparator>([...PRE_WORDS, ...PRE_SYMBOLS])
const POST_ALT = POST_WORDS.map(([w]) => w).sort(byLength).map(esc).join('|')
const POST_MAP = new Map(POST_WORDS)

const NUM = '\\d+(?:,\\d{3})*(?:\\.\\d+)?'
const RANGE_SEP = '(?:-|~|—|–|至|到)'
/**
 * pre-comparator? number [unit] [(range sep | ±) number [unit]] post-word?
 * Groups: 1 pre, 2 sign, 3 num, 4 unit1, 5 sep, 6 num2, 7 unit2, 8 post
 */
const QUANTITY = new RegExp(
  `(${PRE_ALT})?\\s*(-)?(${NUM})\\s*(${MULT}(?:${UNIT_ALT}|${CJK_ALT}))?` +
    `(?:\\s*(${RANGE_SEP}|±|\\+/-)\\s*-?(${NUM})\\s*(${MULT}(?:${UNIT_ALT}|${CJK_ALT}))?)?` +
    `\\s*(${POST_ALT})?`,
  'gu',
)

const MONEY_UNIT = /^(?:万|千|百|亿)?(?:元|块钱|RMB|CNY)$|^(?:万元|亿元)$/
const TIME_UNIT = /^(?:个月|月|年|周|天|日)$/
const LATIN_AFTER = /[A-Za-z]/
const DELIMS = /[，,；;。！？!?\n、：:（）()【】“”"《》]/
const TARGET_CUES = /希望|要求|需要|需求|须|必须|应当|应该|应|达到|提高|提升|降低|减少|缩短|目标|指标|不低于|不超过|不小于|不大于|确保|保证|实现|满足|至少|控制在|以上|以内|以下|≥|≤|>|<|不得|能够|可以/
const CURRENT_CUES = /目前|现有|现在|现阶段|当前|传统|普通|一般|常规|仅能|只能|原有|原来|以往|现行|现状|市面|国外|进口|已达|已经|记录|历史/
const TIMELINE_CUES = /周期|完成|交付|结题|工期|期限|时间内|内完成|项目|研发|开发期|之内|以内|期间|前/
const BUDGET_CUES = /预算|经费|开发成本|研发成本|投入|资金|榜单金额|研发费|开发费|费用|奖励|资助|出资|支付/
// words that open or close a phrase without naming anything (trimmed at jieba word boundaries)
const FILLER_HEAD = new Set(['其中', '另外', '此外', '以及', '同时', '并且', '而且', '并', '且', '和', '及', '与', '要求', '希望', '需要', '需求', '必须',
  '能够', '可以', '可', '使其', '使', '将', '把', '其', '对', '实现', '保证', '确保', '满足', '目标', '主要', '技术', '指标', '的', '在', '以', '按',
  '达到', '达', '为', '是', '@', ':', '：', ' ', '要', '需', '应', '产品'])
const FILLER_TAIL = new Set(['的', '为', '是', '要', '需', '需要', '要求', '达到', '达', '在', '能', '可', '可以', '应', '应当', '须', '必须', '至', '到',
  '从', '由', '下', '@', ':', '：', ' ', '将'])

const clauseBounds = (text: string, start: number, end: number): [number, number] => {
  let s = start
  while (s > 0 && start - s < 120 && !DELIMS.test(text[s - 1]!)) s--
  let e = end
  while (e < text.length && e - end < 120 && !/[，,；;。！？!?\n]/.test(text[e]!)) e++
  return [s, e]
}

/** Sentence bounds (for role cues that sit a clause away: "希望班产5万件，设备价格在20万元以内"). */
const sentenceStart = (text: string, at: number): number => {
  let s = at
  while (s > 0 && at - s < 200 && !/[。；;！？!?\n]/.test(text[s - 1]!)) s--
  return s
}

/** The last few words of a phrase (at most `max` characters, cut at a word-ish boundary). */
function tailWords(s: string, max = 16): string {
  if (s.length <= max) return s
  const cut = s.slice(s.length - max)
  const de = cut.indexOf('的')
  return de >= 0 && de < cut.length - 2 ? cut.slice(de + 1) : cut
}

function cleanName(s: string): string {
  // list markers (1、 2) （3）) go; "0.2C放电容量" and "3D成像" keep their leading code
  let n = s.replace(/^\s*(?:\d{1,2}\s*[、)）.](?!\d)|[（(]\d{1,2}[)）])\s*/u, '')
  // a condition introduced by 在 ("电池在截止电压 2.5-4.2 V 范围内") is named by what follows 在
  const at = n.lastIndexOf('在')
  if (at >= 0 && at < n.length - 2) n = n.slice(at + 1)
  const words = segment(n)
  let a = 0
  let b = words.length
  while (a < b && (FILLER_HEAD.has(words[a]!) || /^\s+$/.test(words[a]!))) a++
  while (b > a && (FILLER_TAIL.has(words[b - 1]!) || /^\s+$/.test(words[b - 1]!))) b--
  return words.slice(a, b).join('').trim()
}

const UNIT_SPELLING: Record<string, string> = {
  khz: 'kHz', mhz: 'MHz', ghz: 'GHz', hz: 'Hz', HZ: 'Hz', mpa: 'MPa', Mpa: 'MPa', MPA: 'MPa', kpa: 'kPa', KPa: 'kPa', kw: 'kW', KW: 'kW',
  kwh: 'kWh', KWh: 'kWh', KWH: 'kWh', mah: 'mAh', MAH: 'mAh', AH: 'Ah', KG: 'kg', Kg: 'kg', MM: 'mm', CM: 'cm', KM: 'km', KV: 'kV', kv: 'kV',
  DB: 'dB', db: 'dB', RPM: 'rpm', Hv: 'HV', hrc: 'HRC', T: 't', um: 'μm', ml: 'mL',
}
const canonUnit = (u: string) => {
  const s = u.replace(/°C/g, '℃').replace(/\s+/g, '')
  const m = /^(万|千|百|亿)?(.*)$/.exec(s)!
  return (m[1] ?? '') + (UNIT_SPELLING[m[2]!] ?? m[2]!)
}

export function normalizeText(text: string): string {
  // NFKC: full-width digits and symbols to half-width (＞ -> >, ～ -> ~, ℃ -> °C, ㎡ -> m2, ³ -> 3); Chinese
  // punctuation (，；：（）！？) stays as written, since briefs quote these sentences back to people
  return text.replace(/[^，；：（）！？]+/g, (s) => s.normalize('NFKC').replace(/°C/g, '℃')).replace(/[\u200b-\u200d\ufeff]/g, '').replace(/[ \t\u00a0]+/g, ' ')
}

/** A number as a canonical string ("1,000" -> "1000", "4.0" -> "4"), for comparing values across texts. */
export function canonNumber(s: string): string {
  const n = Number(s.replace(/,/g, ''))
  return Number.isFinite(n) ? String(n) : s
}

/** Every number in a text, canonical (used to check that a machine-written target appears in the need). */
export function numbersIn(text: string): Set<string> {
  const out = new Set<string>()
  for (const m of normalizeText(text).matchAll(/\d+(?:,\d{3})*(?:\.\d+)?/g)) out.add(canonNumber(m[0]))
  return out
}

export function extractQuantities(raw: string): Quantity[] {
  const text = normalizeText(raw)
  const out: Quantity[] = []
  const spans: [number, number][] = []
  // numbers inside a standard's designation (GB/T 2423.1-2008) are not quantities
  const codes = [...text.matchAll(STANDARD)].map((m) => [m.index!, m.index! + m[0].length] as const)
  for (const m of text.matchAll(QUANTITY)) {
    const [whole, pre, sign, num, unit1, sep, num2, unit2, post] = m
    if (!num) continue
    const start = m.index!
    const numStart = start + whole.indexOf(num, pre ? pre.length : 0)
    const end = start + whole.length
    if (codes.some(([a, b]) => numStart >= a && numStart < b)) continue
    const before = text[numStart - (sign ? 2 : 1)] ?? ''
    const after = text[end] ?? ''
    // part of a code or model number: GB/T31485, Q235, 18650型, 0.2C放电, 2#, 4.15V0.5C
    if (/[A-Za-z#/_.]/.test(before) && !pre) continue
    if (!unit1 && !unit2 && LATIN_AFTER.test(after)) continue
    if (/^[#号型款代]/.test(after)) continue
    let unit = canonUnit(unit2 || unit1 || '')
    // 'C' alone is a charge rate (0.2C) or a code, never a target unit; 'K' alone only with a temperature word
    if (unit === 'C') continue
    if (unit === 'H') unit = /硬度|铅笔/.test(text.slice(Math.max(0, start - 8), start + whole.length + 8)) ? 'H' : 'h'
    const numVal = Number(num.replace(/,/g, ''))
    // years and dates: 2019年, 2021年底, 2020-03-05
    if (/^(?:19|20)\d\d$/.test(num) && (unit1 === '年' || (!unit1 && /^[-/.年]/.test(text.slice(numStart + num.length))))) continue
    if (/^[月日号]/.test(after) && unit1 === '年') continue
    // a month of a date (2014年8月, 8月底), not a span of months
    if (unit1 === '月' && (/年\s*$/.test(text.slice(Math.max(0, numStart - 2), numStart)) || /^(?:份|底|初|中旬|上旬|下旬|\d)/.test(after))) continue
    // list markers 1、 1) (2) and ordinals 第3
    if (!pre && !unit1 && !sep && (/^\s*[、)）.]/.test(text.slice(numStart + num.length)) || before === '(' || before === '（')) continue
    if (before === '第') continue
    let comparator: Comparator | null = pre ? PRE_MAP.get(pre.trim()) ?? null : null
    let value = sign || /零下\s*$/.test(text.slice(Math.max(0, numStart - 3), numStart)) ? `-${num}` : num
    let value2: string | undefined
    if (sep && num2) {
      value2 = num2
      comparator = sep === '±' || sep === '+/-' ? '±' : 'range'
      // "2.5V-4.2V" and "80-1600 m3/h": the unit may sit on either end
      if (!unit) unit = canonUnit(unit1 || '')
    } else if (sep && !num2) continue
    if (post && comparator !== 'range') {
      const pc = POST_MAP.get(post)!
      // "在 X 以内" / "X 以上": the suffix decides; "达到 X 以上" keeps ≥
      if (!comparator || comparator === '=' || comparator === '≈' || pc !== '≈') comparator = pc
    }
    // a bare number with neither unit nor comparator is not a quantity worth keeping
    if (!unit && (!comparator || comparator === '=')) continue
    // a lone "=" from 为/是 with a unit is a plain statement of value
    if (comparator === '=' && pre && /^[为是]$/.test(pre.trim())) comparator = '='
    // "内" after a time span: "6个月内" is a deadline, after anything else it is "within"
    if (!Number.isFinite(numVal)) continue

    const [cs, ce] = clauseBounds(text, numStart, end)
    const clause = text.slice(cs, ce)
    const sentence = text.slice(sentenceStart(text, numStart), ce)
    const isMoney = MONEY_UNIT.test(unit)
    const isTime = TIME_UNIT.test(unit)
    let kind: QuantityKind = 'indicator'
    const devCost = /开发成本|研发成本|研发费用|开发费用/.test(clause)
    if ((isMoney || (unit === '万' && devCost)) && BUDGET_CUES.test(sentence) && (devCost || !/价格|成本|售价|单价|报价|造价/.test(clause))) kind = 'money'
    else if (isTime && TIMELINE_CUES.test(clause) && !/寿命|储存|保质|存储|保持|有效期|稳定|耐|循环|运行|连续|老化/.test(clause)) kind = 'duration'

    // name: the clause before the number, else the words after it ("2H以上硬度要求", "500小时的耐腐蚀性能")
    // the clause before the number, without the quantities already read in it ("储存期12℃下6个月" -> 储存期)
    let preText = ''
    let from = cs
    for (const [s0, e0] of spans) {
      if (e0 <= cs || s0 >= start) continue
      preText += text.slice(from, Math.max(from, s0))
      from = Math.max(from, e0)
    }
    preText += text.slice(from, start + (whole.length - whole.trimStart().length))
    const afterColon = preText.split(/[：:]/).pop()!
    let name = cleanName(tailWords((afterColon.trim() ? afterColon : preText).replace(new RegExp(`(?:${PRE_ALT})\\s*$`, 'u'), '')))
    const postText = text.slice(end, ce).split(DELIMS)[0]!.replace(/^的/, '')
    const postRaw = postText.slice(0, 12).replace(/(?:要求|性能要求|的要求|等|左右|[\d<>≤≥=~].*$).*$/u, '')
    const postName = /[\u4e00-\u9fff]/.test(postRaw) ? cleanName(postRaw) : ''
    if (!name || name.length < 2) {
      const opener = text[cs - 1] ?? ''
      if (/[：:（(]/.test(opener)) {
        // "超高压：≥4.0MPa", "使用次数（200次后提醒）": the name is the clause before the colon or bracket
        let s = cs - 1
        while (s > 0 && cs - s < 40 && !/[，,；;。！？!?\n、)）:：]/.test(text[s - 1]!)) s--
        name = cleanName(tailWords(text.slice(s, cs - 1)))
      } else if (/[)）]/.test(opener)) {
        // "检测量子效率（DQE）85%以上": the words before the bracketed aside
        const open = Math.max(text.lastIndexOf('（', cs - 1), text.lastIndexOf('(', cs - 1))
        if (open >= 0 && cs - open < 24) {
          let s = open
          while (s > 0 && open - s < 40 && !/[，,；;。！？!?\n、)）:：]/.test(text[s - 1]!)) s--
          name = cleanName(tailWords(text.slice(s, open)))
        }
      }
      if ((!name || name.length < 2) && postName) name = tailWords(postName, 12)
    } else if (text[end] === '的' && postName && postName.length <= 10 && /性|率|度|量|寿命|时间|强度|能力|效率|精度/.test(postName)) {
      // "盐雾条件500小时的耐腐蚀性能": the property is after, the prefix is its condition
      name = `${postName}（${name}）`
    }
    if (!name) name = unit ? `数值（${unit}）` : '数值'

    // role: from→to sentences, condition phrases, then cue words of the clause and its sentence
    let role: Role = 'target'
    const lead = text.slice(Math.max(cs, numStart - 6), numStart)
    const trail = text.slice(end, Math.min(ce, end + 8))
    if (/[从由]\s*$/.test(lead.replace(/(?:原来的|原有的|现有的)$/, '')) || /^\s*(?:提升|提高|降低|减少|增加|缩短)(?:到|至)/.test(trail)) role = 'current'
    else if (/^\s*(?:范围内|条件下|环境下|情况下|下|时|的条件|工况)/.test(trail) || /[@在]\s*$/.test(lead) && /^\s*(?:范围内|下|时|条件)/.test(trail)) role = 'condition'
    else if (before === '@' || ((before === '(' || before === '（') && /^[)）]/.test(text.slice(end).trimStart()) && !comparator) || /现场|工况|使用环境|工作环境|环境温度|室温|常温/.test(clause)) role = 'condition'
    else {
      const localCurrent = CURRENT_CUES.test(clause)
      const localTarget = TARGET_CUES.test(clause.replace(/目前|现有/g, ''))
      if (localCurrent && !(/希望|要求|需要|目标|提升到|提高到|达到/.test(clause))) role = 'current'
      else if (!localTarget && CURRENT_CUES.test(sentence) && !TARGET_CUES.test(sentence)) role = 'current'
    }
    if (kind !== 'indicator') role = role === 'current' ? 'current' : 'target'
    const target = comparator === 'range' ? `${value}~${value2}` : comparator === '±' ? `${value}±${value2}` : `${comparator && comparator !== '=' ? comparator : ''}${value}`
    spans.push([start, end])
    out.push({ name: name.slice(0, 40), comparator, value, ...(value2 ? { value2 } : {}), unit, target, role, kind, quote: clause.trim().slice(0, 160) })
  }
  return dedupe(out)
}

/** The same value, unit and name said twice counts once. */
function dedupe(qs: Quantity[]): Quantity[] {
  const seen = new Set<string>()
  return qs.filter((q) => {
    const k = `${q.name}|${q.target}|${q.unit}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/** Display of a quantity: "循环寿命 ≥400 次". */
export function describeQuantity(q: Pick<Quantity, 'name' | 'target' | 'unit'>): string {
  return `${q.name} ${q.target}${q.unit ? ` ${q.unit}` : ''}`
}

// ---- other things the template reads from a text ----

const STANDARD = /(?:GB\/?T?|GB|JB\/?T|HG\/?T|QB\/?T|YY\/?T|NB\/?T|DL\/?T|SJ\/?T|ISO|IEC|ASTM|EN|JIS|UL|IEEE|SAE)\s?[\d.]+(?:-\d{2,4})?/g

/** Standards named in the text (GB/T 31485-2015, ISO 9001 ...): they are test or acceptance methods. */
export function standardsIn(raw: string): string[] {
  return [...new Set([...normalizeText(raw).matchAll(STANDARD)].map((m) => m[0].replace(/\s+/g, ' ')))]
}

const SENTENCE_SPLIT = /(?<=[。；;！？!?\n])/

export function sentences(raw: string): string[] {
  return normalizeText(raw)
    .split(SENTENCE_SPLIT)
    .map((s) => s.trim().replace(/^(?:\d{1,2}\s*[、)）.](?!\d)|[（(]\d{1,2}[)）])\s*/u, '').replace(/[。；;]$/, ''))
    .filter(Boolean)
}

/** Sentences that state how results are tested or accepted. */
export function acceptanceSentences(raw: string): string[] {
  return sentences(raw).filter((s) => /验收|测试方法|检测方法|试验方法|第三方检测|检测报告|测试报告|考核|评价方法|按照.{0,20}(?:标准|规范)|符合.{0,20}(?:标准|规范)/.test(s))
}

/** Sentences that bound the problem: operating conditions, must/must-not, compatibility, materials, scope. */
export function boundarySentences(raw: string): string[] {
  return sentences(raw).filter((s) =>
    /不能|不得|不可|不允许|禁止|必须|需兼容|兼容|适用于|适应|条件下|环境下|工况|范围内|限制|前提|基础上|现有设备|现有产线|原有|尺寸|空间|场地|安装/.test(s),
  )
}

/** Sentences that state the problem (what is wrong or hard). */
export function problemSentences(raw: string): string[] {
  return sentences(raw).filter((s) => /问题|难题|瓶颈|不足|缺陷|难以|无法|不能|困难|挑战|偏低|偏高|较低|较差|较慢|过大|过高|不稳定|不均匀|易|效率低|成本高|依赖进口|卡脖子|空白/.test(s))
}

const CN_DIGIT: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10, 半: 0.5 }

/** A time span for the R&D period stated in words ("一年内完成", "两个月"), besides the numeric ones. */
export function chineseDurations(raw: string): string[] {
  const out: string[] = []
  for (const m of normalizeText(raw).matchAll(/([一二两三四五六七八九十半]{1,3})(个月|年|周|天)(?:内|以内|之内)?(?:完成|交付|结题)?/g)) {
    const ctx = normalizeText(raw).slice(Math.max(0, m.index! - 8), m.index! + m[0].length + 4)
    if (TIMELINE_CUES.test(ctx) && m[1]!.split('').every((c) => c in CN_DIGIT)) out.push(m[0])
  }
  return out
}
