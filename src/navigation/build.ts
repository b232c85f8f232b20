// Builds a report's sections from the data: SQL aggregates for the statistics (store.ts), clustering, effects,
// life cycle, white spaces, transfer opportunities and key patents from the scope's rows.
import type { Db } from '../db'
import { Params } from '../db/params'
import type { Caller } from '../orgs/access'
import { normalize } from '../text/analyze'
import { APPLICANT_KIND_LABEL, APPLICANT_KINDS, type ApplicantKind, classifyApplicant } from './classify'
import { clusterDocsOffThread, GROUPS_PER_CLUSTER, KNN } from './cluster'
import { EFFECTS, effectsOf } from './effects'
import type { ClusterInfo, IpcRow, KeyPatent, Report, Scope } from './schema'
import { navigationStore as store, type ScopeRow } from './store'

/** At most this many patents in one report (the newest by application date). */
export const MAX_SCOPE = 20_000
/** Growth windows: the last WINDOW years against the WINDOW years before. */
export const WINDOW = 3
const MAP_POINTS = 1500

export const IPC_SECTIONS: Record<string, string> = {
  A: '人类生活必需', B: '作业；运输', C: '化学；冶金', D: '纺织；造纸', E: '固定建筑物', F: '机械工程；照明；加热；武器；爆破', G: '物理', H: '电学',
}
export const LEGAL_LABEL: Record<string, string> = { valid: '有效', pending: '审中', invalid: '失效', unknown: '未知' }
export const TYPE_LABEL: Record<string, string> = { invention: '发明', utility_model: '实用新型', design: '外观设计', unknown: '未知' }
export const STAGE_LABEL = { emerging: '萌芽期', growing: '成长期', mature: '成熟期', declining: '衰退期', unknown: '无法判断' } as const

export interface NeedScope {
  need: { id: string; title: string; text: string }
  /** patent id -> relevance in [0, 1] */
  relevance: Map<string, number>
}

export interface BuildInput {
  title: string
  scope: Scope
  k?: number
  caller: Caller
  need?: NeedScope
  now?: Date
  progress?: (step: string, percent: number) => Promise<void>
}

const round = (x: number, p = 4) => Math.round(x * 10 ** p) / 10 ** p
const growthOf = (recent: number, previous: number) => (previous > 0 ? round((recent - previous) / previous) : null)
const esc = (s: string) => s.replace(/"/g, '\\"')

/** 检索式: the scope as a search statement a reader can reproduce in a patent database. */
export function queryString(scope: Scope, need?: NeedScope['need']): string {
  const parts: string[] = []
  if (need) parts.push(`NEED=("${esc(need.title)}"，匹配流程相关度 ≥ ${scope.need_min_relevance}（以最相关专利为 1），含失效专利，至多 ${scope.need_limit} 件)`)
  if (scope.keywords.length) parts.push(`TI/AB/CL=(${scope.keywords.map((k) => `"${esc(k)}"`).join(' OR ')})`)
  if (scope.ipc.length) parts.push(`IPC=(${scope.ipc.map((c) => `${c}*`).join(' OR ')})`)
  if (scope.applicants.length) parts.push(`PA=(${scope.applicants.map((a) => `"${esc(a)}"`).join(' OR ')})`)
  if (scope.date_from || scope.date_to) parts.push(`AD=[${scope.date_from ?? '*'} TO ${scope.date_to ?? '*'}]`)
  if (scope.patent_types.length) parts.push(`PT=(${scope.patent_types.map((t) => TYPE_LABEL[t]).join(' OR ')})`)
  if (scope.legal_status.length) parts.push(`LS=(${scope.legal_status.map((t) => LEGAL_LABEL[t]).join(' OR ')})`)
  return parts.join(' AND ') || '(全部)'
}

export async function buildReport(db: Db, input: BuildInput): Promise<Report> {
  const { scope } = input
  const report = input.progress ?? (async () => {})
  const now = input.now ?? new Date()
  const timings: Record<string, number> = {}
  let last = performance.now()
  let lastStep = ''
  const progress = async (step: string, percent: number) => {
    const t = performance.now()
    if (lastStep) timings[lastStep] = Math.round(t - last)
    last = t
    lastStep = step
    await report(step, percent)
  }
  await progress('scope', 5)
  const p = new Params()
  const where = store.scopeWhere(scope, input.caller, p, input.need ? [...input.need.relevance.keys()] : undefined)
  const fetched = await store.scopeRows(db, where, p, MAX_SCOPE)
  const truncated = fetched.length > MAX_SCOPE
  const rows = truncated ? fetched.slice(0, MAX_SCOPE) : fetched
  const ids = rows.map((r) => r.id)
  const n = rows.length

  // the topics are computed on a worker thread while the database answers the statistics
  const docs = rows.map((r) => ({ title: r.title, text: r.abstract }))
  const clusteringP = n >= 10 ? clusterDocsOffThread(docs, { k: input.k, seed: 42 }) : Promise.resolve(null)
  clusteringP.catch(() => {}) // awaited below; never an unhandled rejection meanwhile
  await progress('statistics', 15)
  const [trend, applicantsAll, inventors, pairs, legal] = [
    await store.trend(db, ids), await store.applicants(db, ids), await store.inventors(db, ids, 15), await store.pairs(db, ids, 15), await store.legal(db, ids),
  ]
  const years = trend.filter((t) => t.applications > 0).map((t) => t.year)
  const refYear = years.length ? Math.max(...years) : null
  const [subclasses, groups] = [
    (await store.ipc(db, ids, 'subclass', refYear, WINDOW, 15)).map(withGrowth),
    (await store.ipc(db, ids, 'group', refYear, WINDOW, 20)).map(withGrowth),
  ]

  // applicant kinds: each patent counted once, by its first applicant (第一申请人); distinct applicants by kind
  const kindOf = new Map(applicantsAll.map((a) => [a.name, classifyApplicant(a.name)]))
  const kinds = APPLICANT_KINDS.map((kind) => {
    const of = applicantsAll.filter((a) => kindOf.get(a.name) === kind)
    const patents = of.reduce((s, a) => s + a.first, 0)
    return { kind, label: APPLICANT_KIND_LABEL[kind], patents, applicants: of.length, share: 0 }
  })
  const firsts = kinds.reduce((s, k) => s + k.patents, 0)
  for (const k of kinds) k.share = firsts ? round(k.patents / firsts) : 0

  await progress('clusters', 35)
  const clustering = await clusteringP
  let clusters: Report['clusters'] = null
  if (clustering) {
    const items: ClusterInfo[] = []
    for (let c = 0; c < clustering.k; c++) {
      const members = [...clustering.assign.keys()].filter((i) => clustering.assign[i] === c)
      if (!members.length) continue
      const recent = members.filter((i) => refYear !== null && rows[i]!.year !== null && rows[i]!.year! > refYear - WINDOW).length
      const previous = members.filter((i) => refYear !== null && rows[i]!.year !== null && rows[i]!.year! <= refYear - WINDOW && rows[i]!.year! > refYear - 2 * WINDOW).length
      const reps = [...members].sort((a, b) => clustering.sims[b]! - clustering.sims[a]! || a - b).slice(0, 3)
      const cx = members.reduce((s, i) => s + clustering.coords[i]![0], 0) / members.length
      const cy = members.reduce((s, i) => s + clustering.coords[i]![1], 0) / members.length
      const terms = clustering.terms[c] ?? []
      items.push({
        id: c, label: terms.slice(0, 3).join('、') || `主题${c + 1}`, terms, size: members.length, recent, previous, growth: growthOf(recent, previous),
        representatives: reps.map((i) => ({ id: rows[i]!.id, publication_number: rows[i]!.publication_number, title: rows[i]!.title })),
        centroid2d: [round(cx), round(cy)],
      })
    }
    // largest first, renumbered so that the report reads T1, T2...
    items.sort((a, b) => b.size - a.size || a.id - b.id)
    const renumber = new Map(items.map((it, i) => [it.id, i]))
    items.forEach((it, i) => (it.id = i))
    const step = Math.max(1, Math.ceil(n / MAP_POINTS))
    const points: [number, number, number][] = []
    for (let i = 0; i < n; i += step) points.push([clustering.coords[i]![0], clustering.coords[i]![1], renumber.get(clustering.assign[i]!)!])
    clusters = { k: items.length, method: `词频-逆文档频率向量（tf-idf：jieba 分词 + 汉字二元组，次线性词频）→ 潜在语义分析（LSA）降至 100 维 → 近邻平滑（每件专利与 tf-idf 余弦最相近的 ${KNN} 件取平均）→ 球面 k 均值先分约 ${GROUPS_PER_CLUSTER}k 个小组，Ward 法合并为 k 个，再以球面 k 均值精修（随机种子 42，结果可复现）`, criterion: clustering.criterion, items, points }
    for (let i = 0; i < n; i++) clustering.assign[i] = renumber.get(clustering.assign[i]!)!
  }

  await progress('effects', 70)
  const effectNames = EFFECTS.map((e) => e.name)
  const found = rows.map((r) => effectsOf(`${r.title}。${r.abstract}`))
  // branches: the clusters when there are any, else the main IPC subclasses
  const branches = clusters
    ? clusters.items.map((c) => ({ key: `T${c.id + 1}`, label: c.label, size: c.size }))
    : subclasses.slice(0, 10).map((s) => ({ key: s.code, label: s.code, size: s.count }))
  const branchOf = (i: number): number =>
    clustering && clusters ? clustering.assign[i]! : branches.findIndex((b) => (rows[i]!.ipc_main ?? '').startsWith(b.key))
  const cells = branches.map(() => effectNames.map(() => 0))
  found.forEach((fx, i) => {
    const b = branchOf(i)
    if (b < 0) return
    for (const e of fx) cells[b]![effectNames.indexOf(e)]!++
  })
  const effects = { effects: effectNames, branches, cells, covered: found.filter((f) => f.length).length }

  const lifecycle = lifeCycle(trend)

  await progress('opportunities', 85)
  const rowKinds = rows.map((r) => r.applicants.map((a) => kindOf.get(a) ?? classifyApplicant(a)))
  const transferIdx = rows
    .map((r, i) => i)
    .filter((i) => rows[i]!.legal_status === 'valid' && rowKinds[i]!.some((k) => k === 'university' || k === 'institute') && !rowKinds[i]!.includes('enterprise'))
  const transfers = transferIdx.slice(0, 20).map((i) => ({
    id: rows[i]!.id, publication_number: rows[i]!.publication_number, title: rows[i]!.title, holders: rows[i]!.applicants,
    kind: rowKinds[i]!.includes('university') ? '高校' : '科研院所',
  }))
  // lapsed patents: their technology is free to practise, an opportunity of its own (the need's most relevant first)
  const rel = (i: number) => input.need?.relevance.get(rows[i]!.id) ?? null
  const lapsedIdx = rows.map((_, i) => i).filter((i) => rows[i]!.legal_status === 'invalid')
  if (input.need) lapsedIdx.sort((a, b) => (rel(b) ?? 0) - (rel(a) ?? 0) || a - b)
  const lapsed = lapsedIdx.slice(0, 10).map((i) => ({
    id: rows[i]!.id, publication_number: rows[i]!.publication_number, title: rows[i]!.title, holders: rows[i]!.applicants, relevance: rel(i),
  }))
  const white_spaces = whiteSpaces(effects, clusters, n, input.need?.need.text)
  const key_patents = keyPatents(rows, scope, input.need, clustering?.sims, clustering?.assign, clusters)
  timings[lastStep] = Math.round(performance.now() - last)

  return {
    version: 1,
    title: input.title,
    generated_at: now.toISOString(),
    cutoff_date: now.toISOString().slice(0, 10),
    scope,
    query: queryString(scope, input.need?.need),
    counts: {
      patents: n, truncated, applicants: applicantsAll.length, inventors: inventors.total,
      with_date: rows.filter((r) => r.year !== null).length, first_year: years.length ? Math.min(...years) : null, last_year: refYear,
    },
    breakdown: breakdownOf(rows, clusters, clustering?.assign),
    trend,
    ipc: { reference_year: refYear, window: WINDOW, subclasses, groups },
    applicants: {
      top: applicantsAll.slice(0, 15).map((a) => ({ name: a.name, count: a.count, first: a.first, kind: APPLICANT_KIND_LABEL[kindOf.get(a.name) as ApplicantKind] })),
      inventors: inventors.top,
      kinds,
      pairs,
    },
    legal,
    clusters,
    effects,
    lifecycle,
    opportunities: { white_spaces, transfers, transfer_total: transferIdx.length, lapsed, lapsed_total: lapsedIdx.length },
    key_patents,
    need: input.need ? { id: input.need.need.id, title: input.need.need.title } : null,
    timings_ms: timings,
  }
}

function withGrowth(r: { code: string; count: number; recent: number; previous: number }): IpcRow {
  return { ...r, growth: growthOf(r.recent, r.previous) }
}

/** 技术分解表: IPC subclass -> main groups when most patents carry IPC codes, else the topics and their words. */
function breakdownOf(rows: ScopeRow[], clusters: Report['clusters'], assign?: Int32Array): Report['breakdown'] {
  const withIpc = rows.filter((r) => r.ipc_main)
  if (withIpc.length >= rows.length / 2 && withIpc.length) {
    const tree = new Map<string, Map<string, number>>()
    // the topics (clusters) each subclass's patents fall in: the breakdown by IPC and by content side by side
    const topicsOf = new Map<string, Map<string, number>>()
    rows.forEach((r, i) => {
      if (!r.ipc_main) return
      const sub = r.ipc_main.slice(0, 4)
      const group = r.ipc_main.includes('/') ? r.ipc_main.split('/')[0] + '/00' : r.ipc_main
      const g = tree.get(sub) ?? new Map<string, number>()
      g.set(group, (g.get(group) ?? 0) + 1)
      tree.set(sub, g)
      const item = clusters && assign ? clusters.items[assign[i]!] : undefined
      if (item) {
        const t = topicsOf.get(sub) ?? new Map<string, number>()
        const name = `T${item.id + 1} ${item.label}`
        t.set(name, (t.get(name) ?? 0) + 1)
        topicsOf.set(sub, t)
      }
    })
    const top = (m: Map<string, number> | undefined, n: number) =>
      [...(m ?? [])].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1)).slice(0, n)
    return [...tree]
      .map(([sub, g]) => ({
        branch: sub, label: IPC_SECTIONS[sub[0]!] ? `${sub[0]} 部：${IPC_SECTIONS[sub[0]!]}` : sub, count: [...g.values()].reduce((s, x) => s + x, 0),
        children: top(g, 6),
        // a single stray patent of a large branch is no main topic of it
        ...(clusters ? { topics: top(topicsOf.get(sub), 3).filter((t, i) => i === 0 || t.count > 1 || [...g.values()].reduce((a, x) => a + x, 0) < 20) } : {}),
      }))
      .sort((a, b) => b.count - a.count || (a.branch < b.branch ? -1 : 1))
      .slice(0, 12)
  }
  if (!clusters) return []
  // the topic's further words (those not already in its label) as its sub-branches
  return clusters.items.map((c) => ({ branch: `T${c.id + 1}`, label: c.label, count: c.size, children: c.terms.slice(3).map((t) => ({ name: t, count: 0 })) }))
}

/**
 * Life cycle from applications and applicants per year (the last WINDOW complete years against the WINDOW before):
 * both rising from a small base = emerging; both rising = growing; applications flat or rising while applicants
 * stop rising = mature; both falling = declining.
 */
export function lifeCycle(trend: { year: number; applications: number; applicants: number }[]): Report['lifecycle'] {
  const points = trend.filter((t) => t.applications > 0).map((t) => ({ year: t.year, applicants: t.applicants, applications: t.applications }))
  const total = points.reduce((s, p) => s + p.applications, 0)
  if (points.length < 4 || total < 10) return { stage: 'unknown', label: STAGE_LABEL.unknown, reason: `有申请日的专利 ${total} 件、${points.length} 个年份，不足以判断`, points }
  const last = points[points.length - 1]!.year
  const sum = (from: number, to: number, f: 'applications' | 'applicants') => points.filter((p) => p.year >= from && p.year <= to).reduce((s, p) => s + p[f], 0)
  const ra = sum(last - WINDOW + 1, last, 'applications')
  const pa = sum(last - 2 * WINDOW + 1, last - WINDOW, 'applications')
  const rp = sum(last - WINDOW + 1, last, 'applicants')
  const pp = sum(last - 2 * WINDOW + 1, last - WINDOW, 'applicants')
  const ga = pa ? ra / pa : Infinity
  const gp = pp ? rp / pp : Infinity
  const pct = (g: number) => (Number.isFinite(g) ? `${Math.round((g - 1) * 100)}%` : '从无到有')
  const facts = `近${WINDOW}年（${last - WINDOW + 1}–${last}）申请量 ${ra} 件、较前${WINDOW}年（${pa} 件）变化 ${pct(ga)}；申请人数 ${rp}、较前${WINDOW}年（${pp}）变化 ${pct(gp)}`
  let stage: Report['lifecycle']['stage']
  if (ga >= 1.2 && gp >= 1.2) stage = pa + ra > 0 && pa < total * 0.2 ? 'emerging' : 'growing'
  else if (ga < 0.8 && gp < 0.8) stage = 'declining'
  else stage = 'mature'
  return { stage, label: STAGE_LABEL[stage], reason: `${facts}（最近一年的申请可能尚未全部公开）`, points }
}

function whiteSpaces(effects: Report['effects'], clusters: Report['clusters'], n: number, needText?: string): Report['opportunities']['white_spaces'] {
  const out: Report['opportunities']['white_spaces'] = []
  const colTotals = effects.effects.map((_, j) => effects.cells.reduce((s, row) => s + row[j]!, 0))
  // sparse cells in otherwise busy rows and columns: a branch of some size whose patents rarely claim a common effect
  effects.branches.forEach((b, i) => {
    if (b.size < Math.max(5, n * 0.05)) return
    effects.effects.forEach((e, j) => {
      const c = effects.cells[i]![j]!
      if (c <= Math.max(1, Math.floor(b.size * 0.02)) && colTotals[j]! >= Math.max(5, n * 0.05)) {
        out.push({ kind: 'cell', label: `${b.key} ${b.label} × ${e}`, reason: `该分支 ${b.size} 件专利中仅 ${c} 件涉及「${e}」，而全领域有 ${colTotals[j]} 件`, count: c })
      }
    })
  })
  if (clusters) {
    const need = needText ? normalize(needText).toLowerCase() : ''
    // small: well under the mean topic size
    const mean = n / Math.max(1, clusters.items.length)
    for (const c of clusters.items) {
      const small = c.size <= Math.max(3, 0.6 * mean)
      if (small && c.growth !== null && c.growth >= 0.5 && c.recent >= 3) {
        out.push({ kind: 'branch', label: `T${c.id + 1} ${c.label}`, reason: `规模小（${c.size} 件）但增长快：近${WINDOW}年 ${c.recent} 件，前${WINDOW}年 ${c.previous} 件`, count: c.size })
      } else if (small && need && c.terms.filter((t) => need.includes(t)).length >= 2) {
        const hit = c.terms.filter((t) => need.includes(t))
        out.push({ kind: 'branch', label: `T${c.id + 1} ${c.label}`, reason: `需求涉及「${hit.join('、')}」，该主题仅 ${c.size} 件专利`, count: c.size })
      }
    }
  }
  return out.sort((a, b) => (a.kind === b.kind ? a.count - b.count : a.kind === 'branch' ? -1 : 1)).slice(0, 12)
}

/** Key patents: relevance to the scope, granted and valid, representative of a topic; each with its reasons. */
function keyPatents(
  rows: ScopeRow[], scope: Scope, need: NeedScope | undefined, sims: Float64Array | undefined, assign: Int32Array | undefined, clusters: Report['clusters'],
): KeyPatent[] {
  const kw = scope.keywords.map((k) => normalize(k).toLowerCase())
  const repOf = new Map<string, number>()
  for (const c of clusters?.items ?? []) if (c.representatives[0]) repOf.set(c.representatives[0].id, c.id)
  const scored = rows.map((r, i) => {
    const reasons: string[] = []
    let score = 0
    if (need) {
      const rel = need.relevance.get(r.id) ?? 0
      score += rel
      reasons.push(`与需求的相关度 ${rel.toFixed(2)}`)
    } else if (kw.length) {
      const title = normalize(r.title).toLowerCase()
      const hits = kw.filter((k) => title.includes(k))
      if (hits.length) {
        score += 0.5 + 0.5 * (hits.length / kw.length)
        reasons.push(`标题含检索词「${hits.join('、')}」`)
      }
    }
    if (r.legal_status === 'valid' && r.granted) {
      score += 0.4
      reasons.push('已授权且有效')
    } else if (r.legal_status === 'valid') {
      score += 0.3
      reasons.push('有效')
    }
    if (repOf.has(r.id)) {
      score += 0.5
      reasons.push(`技术主题 T${repOf.get(r.id)! + 1} 的代表专利`)
    } else if (sims && assign) {
      score += 0.2 * Math.max(0, sims[i]!)
      if (reasons.length) reasons.push(`属技术主题 T${assign[i]! + 1}（与主题中心的相似度 ${sims[i]!.toFixed(2)}）`)
    }
    if (r.applicants.length > 1) {
      score += 0.05
      reasons.push('多个申请人联合申请')
    }
    return { r, score, reasons }
  })
  const ranked = scored
    .map((s, i) => ({ ...s, topic: assign ? assign[i]! : -1 }))
    .filter((s) => s.reasons.length)
    .sort((a, b) => b.score - a.score || (a.r.id < b.r.id ? -1 : 1))
  // at most 2 from one topic while other topics have candidates, so the list spans the area
  const picked: typeof ranked = []
  const perTopic = new Map<number, number>()
  for (const s of ranked) {
    if (picked.length >= 10) break
    if (s.topic >= 0 && (perTopic.get(s.topic) ?? 0) >= 2) continue
    perTopic.set(s.topic, (perTopic.get(s.topic) ?? 0) + 1)
    picked.push(s)
  }
  for (const s of ranked) if (picked.length < 10 && !picked.includes(s)) picked.push(s)
  return picked
    .sort((a, b) => b.score - a.score || (a.r.id < b.r.id ? -1 : 1))
    .map(({ r, score, reasons }) => ({
      id: r.id, publication_number: r.publication_number, title: r.title, applicants: r.applicants, legal_status: r.legal_status, score: round(score, 3), reasons,
    }))
}
