// `npm run eval -- briefs --dataset <dir> [--json] [--show N]`
// Template briefs over a set of real needs (queries.jsonl: {_id, text: "name。description", metadata.cooperationMethod}):
// how many needs state quantified targets, how many of those targets the template brief keeps (value and unit), the
// distribution of clarity scores and the most common missing items. No database and no model: the template writer is
// pure. Targets are counted by a deliberately simple reference detector written here, independent of the extractor the
// template uses, so a miss of the extractor shows up as a lost target.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { clarityOf, CLARITY_CHECKS } from '../briefs/clarity'
import { canonNumber } from '../briefs/indicators'
import { templateBrief } from '../briefs/template'
import { parseTransferModes } from '../catalog/fields'
import { keywords } from '../text/analyze'

const REQUIREMENT = /要求|希望|需要|需|达到|达|提高|提升|降低|减少|目标|指标|≥|≤|>=|<=|不低于|不高于|不超过|不小于|不大于|以上|以内|以下|小于|大于|低于|高于|超过|至少|控制在/
const UNIT = '%|‰|℃|°C|[a-zA-Zμ]{2,}\\d?(?:/[a-zA-Z0-9]+)?|[VAWJNmgtshKL]\\d?(?![a-zA-Z])|个月|小时|分钟|次|天|年|月|周|秒|吨|米|毫米|微米|纳米|公斤|千克|克|元|万元|件|台|套|倍|级|度|层|目|人|条|个|万件|万次|达因'
// a number (or range) with a unit right after it; years and list markers are excluded below
const REF = new RegExp(`(\\d+(?:\\.\\d+)?)\\s*(?:[-~～至到]\\s*(\\d+(?:\\.\\d+)?))?\\s*(${UNIT})`, 'g')

interface RefTarget {
  value: string
  unit: string
  clause: string
}

const normUnit = (u: string) => u.replace(/°C/g, '℃').toLowerCase()

/** Number + unit statements in clauses that state a requirement. */
export function referenceTargets(text: string): RefTarget[] {
  const t = text.normalize('NFKC').replace(/°C/g, '℃')
  const out: RefTarget[] = []
  for (const m of t.matchAll(REF)) {
    const [whole, a, b, unit] = m
    const start = m.index!
    if (/^(?:19|20)\d\d$/.test(a!) && unit === '年') continue
    if (/[A-Za-z/#]/.test(t[start - 1] ?? '')) continue // codes: GB/T 31485, Q235
    if (/^[a-z]$/i.test(unit!) && /[A-Za-z]/.test(t[start + whole.length] ?? '')) continue
    let s = start
    while (s > 0 && start - s < 60 && !/[，,；;。！？!?\n]/.test(t[s - 1]!)) s--
    let e = start + whole.length
    while (e < t.length && e - start < 60 && !/[，,；;。！？!?\n]/.test(t[e]!)) e++
    const clause = t.slice(s, e)
    if (!REQUIREMENT.test(clause)) continue
    out.push({ value: canonNumber(b ?? a!), unit: normUnit(unit!), clause })
  }
  return out
}

const readJsonl = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))

const cooperation: Record<string, string> = { 技术转让: 'transfer', 技术许可: 'license', 技术入股: 'equity', 委托开发: 'co_development', 其他: 'other' }

export async function runBriefEval(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { dataset: { type: 'string' }, json: { type: 'boolean', default: false }, show: { type: 'string', default: '0' } } })
  if (!values.dataset) throw new Error('usage: npm run eval -- briefs --dataset <dir> [--json] [--show N]')
  const queries = readJsonl(path.join(values.dataset, 'queries.jsonl')) as { _id: string; text: string; metadata?: { cooperationMethod?: string } }[]
  const show = Number(values.show) || 0
  let withTargets = 0
  let targets = 0
  let keptIndicators = 0
  let keptAnywhere = 0
  let extracted = 0
  const scores: number[] = []
  const missing = new Map<string, number>()
  const lost: string[] = []
  for (const [qi, q] of queries.entries()) {
    const cut = q.text.indexOf('。')
    const title = cut > 0 && cut <= 200 ? q.text.slice(0, cut) : q.text.slice(0, 60)
    const description = cut > 0 && cut <= 200 ? q.text.slice(cut + 1) : q.text
    const modes = (q.metadata?.cooperationMethod ?? '').split(',').map((m) => cooperation[m.trim()] ?? null).filter(Boolean) as string[]
    const brief = templateBrief({
      need: { title, description, cooperation_modes: parseTransferModes(modes) },
      issuer: '（评测）',
      keywords: keywords(q.text, 12).map((k) => k.term),
      references: [],
    })
    const clarity = clarityOf(brief)
    scores.push(clarity.score)
    for (const k of clarity.checks) if (!k.ok) missing.set(k.label, (missing.get(k.label) ?? 0) + 1)
    extracted += brief.indicators.length
    const refs = referenceTargets(q.text)
    if (refs.length) withTargets++
    const has = (s: string, r: RefTarget) => [...s.matchAll(/\d+(?:\.\d+)?/g)].some((m) => canonNumber(m[0]) === r.value)
    for (const r of refs) {
      targets++
      const inInd = brief.indicators.some((i) => has(i.target, r) && normUnit(i.unit).endsWith(r.unit))
      const other = [...brief.constraints, brief.budget, brief.duration, brief.problem].some((s) => has(s, r) && normUnit(s).includes(r.unit))
      if (inInd) keptIndicators++
      if (inInd || other) keptAnywhere++
      else lost.push(`${q._id}: ${r.value} ${r.unit} | ${r.clause}`)
    }
    if (qi < show) {
      console.error(`\n## ${q._id} ${title} (clarity ${clarity.score})`)
      for (const i of brief.indicators) console.error(`  - ${i.name} | ${i.target} | ${i.unit}`)
      console.error(`  reference targets: ${refs.map((r) => `${r.value}${r.unit}`).join(', ') || '-'}`)
    }
  }
  const n = queries.length
  const sorted = [...scores].sort((a, b) => a - b)
  const bins: [string, (s: number) => boolean][] = [
    ['0', (s) => s === 0], ['15-30', (s) => s > 0 && s <= 30], ['35-50', (s) => s > 30 && s <= 50], ['55-70', (s) => s > 50 && s <= 70], ['75-100', (s) => s > 70],
  ]
  const result = {
    needs: n,
    needs_with_targets: withTargets,
    targets,
    kept_in_indicators: keptIndicators,
    kept_anywhere: keptAnywhere,
    indicators_extracted: extracted,
    clarity_mean: Math.round((scores.reduce((a, b) => a + b, 0) / n) * 10) / 10,
    clarity_median: sorted[Math.floor(n / 2)]!,
    clarity_bins: Object.fromEntries(bins.map(([label, f]) => [label, scores.filter(f).length])),
    missing: Object.fromEntries(CLARITY_CHECKS.map((k) => [k.label, missing.get(k.label) ?? 0])),
  }
  if (values.json) {
    console.log(JSON.stringify(result))
    return result
  }
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-')
  console.log(`dataset ${values.dataset}: ${n} needs, template writer`)
  console.log('| measure | value |')
  console.log('|---|---|')
  console.log(`| needs stating quantified targets | ${withTargets} / ${n} (${pct(withTargets, n)}) |`)
  console.log(`| quantified targets in those needs | ${targets} |`)
  console.log(`| kept in 主要技术指标 (value and unit) | ${keptIndicators} (${pct(keptIndicators, targets)}) |`)
  console.log(`| kept anywhere in the brief (also 约束条件, 经费, 周期, 技术难题 as 现状) | ${keptAnywhere} (${pct(keptAnywhere, targets)}) |`)
  console.log(`| indicators in the briefs | ${extracted} |`)
  console.log(`| clarity score: mean / median | ${result.clarity_mean} / ${result.clarity_median} |`)
  console.log(`| clarity score distribution | ${bins.map(([l]) => `${l}: ${result.clarity_bins[l]}`).join(', ')} |`)
  console.log(`| most common missing items | ${[...missing].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v} (${pct(v, n)})`).join('；')} |`)
  if (show) for (const l of lost) console.error(`lost: ${l}`)
  return result
}
