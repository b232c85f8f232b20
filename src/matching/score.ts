// Scoring and explaining, one function for every run: fused candidates + their rows -> features, a ranking score (from
// the ranker: the hand-set weights, or a learned ranker version), a calibrated strength, and an explanation.
import type { MatchWeights } from '../config'
import { calibrate } from './calibrate'
import type { Ranked } from './candidates'
import { checkIndicators, type IndicatorCheck, indicatorReasons, prepareIndicators, queryText, sharedTerms } from './explain'
import { computeFeatures, type Features, finalScore, ipcGroup, type ItemSide, lengthPrior, type NeedSide, reasons } from './features'
import { needText, type TextSignals, textSignals } from './ranker/features'
import type { Indicator, ItemKind, ItemRow } from './store'

/** What a ranker reads of one candidate. */
export interface RankerInput {
  kind: ItemKind
  /** exact relevance in [0, 1] (candidates.ts): absolute, comparable across needs */
  relevance: number
  rrf: number
  sources: Ranked['ranks']
  source_scores: Ranked['scores']
  features: Features
  shared_terms: number
  indicators: { met: number; missed: number }
  /** the listing as a reader meets it, in characters (ItemRow.chars; the length prior, features.ts) */
  chars?: number
  /** the candidate's rank by relevance in its list (1 = first) */
  rank?: number
  /** the text agreement a learned ranker reads (ranker/features.ts), and the longest shared term */
  text?: TextSignals
  shared_longest?: number
  /** the item (its field and maturity, for reason-code history) and the need being matched, when there is one */
  item?: { id: string; field: string | null; maturity: string | null }
  need_id?: string
}

/** Scores candidates; a learned ranker plugs in here, and its version is recorded on every match it scores. */
export interface Ranker {
  version: string
  score(x: RankerInput): number
  /**
   * false when the ranker reads only relevance and features (the hand-set weights): a caller that keeps nothing skips
   * the text signals, and only the candidates kept are explained
   */
  readsText?: boolean
}

export function handSetRanker(weights: MatchWeights): Ranker {
  return { version: 'hand-set/1', score: (x) => finalScore(x.relevance, x.features, weights) * lengthPrior(x.chars ?? 0, weights.length), readsText: false }
}

/** The one order of matches: score descending, then id. */
export const byScore = <T extends { score: number; id: string }>(a: T, b: T) => b.score - a.score || (a.id < b.id ? -1 : 1)

/** The query side: a need (its text, metadata, indicators), or free text with no metadata. */
export interface QuerySide {
  text: string
  /** the need's title and id, when the query side is a stored need */
  title?: string
  need_id?: string
  need: NeedSide
  indicators: Indicator[]
}

export interface ScoredMatch {
  kind: ItemKind
  id: string
  title: string
  org_id: string
  score: number
  strength: number
  components: Record<string, unknown> & { relevance: number; source_scores: Ranked['scores']; features: Features; ranker: string }
  explanation: { shared_terms: string[]; ipc_overlap: string[]; indicators: IndicatorCheck[]; reasons: string[]; summary: string }
  model?: { model: string; prompt_version: string; input_hash: string; rationale: string }
}

const round = (x: number, d = 1e4) => Math.round(x * d) / d

/**
 * Scores and explains fused candidates of one kind against the query side, best first, at most `limit`. Relevance is the
 * candidate's exact score (absolute, see candidates.ts); recency is compared within the kind (a granted patent is not old
 * next to an achievement, only next to other patents).
 */
export function scoreCandidates(
  query: QuerySide, kind: ItemKind, fused: Ranked[], rows: Map<string, ItemRow>, ranker: Ranker, featuresWeight: number,
  o: { textSignals?: boolean; limit?: number } = {},
): ScoredMatch[] {
  // text agreement is stored with a need's matches (a later ranker fit reads it); a search keeps it only if its ranker reads it
  const withText = o.textSignals !== false || ranker.readsText !== false
  // the hand-set weights read neither shared words nor indicators: only the candidates kept are explained (a search
  // scores three times its limit; explaining them was about 8% of the API's time under load, README)
  const evidenceFirst = ranker.readsText !== false
  const present = fused.filter((c) => rows.has(c.id))
  const dates = present.map((c) => rows.get(c.id)!.date).filter((d): d is string => !!d).map((d) => new Date(d).getTime())
  const newest = dates.length ? new Date(Math.max(...dates)) : new Date()
  // the query side is analysed once, not once per candidate
  const qText = queryText(query.text)
  const wanted = prepareIndicators(query.indicators)
  const need = withText ? needText(query.title, query.text) : undefined
  const evidence = (row: ItemRow) => {
    const itemText = `${row.title}\n${row.body}`
    return { shared: sharedTerms(qText, itemText), indicators: checkIndicators(wanted, itemText) }
  }
  const scored = present.map((c, i) => {
    const row = rows.get(c.id)!
    const item = itemSide(kind, row)
    const features = computeFeatures(query.need, item, newest)
    const ev = evidenceFirst ? evidence(row) : undefined
    const text = need && textSignals(need, row.title, row.body)
    const input: RankerInput = {
      kind, relevance: c.relevance, rrf: c.rrf, sources: c.ranks, source_scores: c.scores, features, shared_terms: ev?.shared.length ?? 0,
      indicators: { met: ev?.indicators.filter((x) => x.verdict === '达到').length ?? 0, missed: ev?.indicators.filter((x) => x.verdict === '未达到').length ?? 0 },
      chars: row.chars, rank: i + 1, text, shared_longest: ev?.shared.reduce((m, t) => Math.max(m, t.length), 0) ?? 0,
      item: { id: c.id, field: row.field ?? null, maturity: row.maturity ?? null }, need_id: query.need_id,
    }
    return { c, i, row, item, features, text, ev, id: c.id, score: round(ranker.score(input)) }
  })
  return scored.sort(byScore).slice(0, o.limit ?? scored.length).map(({ c, i, row, item, features, text, ev, score }) => {
    const { shared, indicators } = ev ?? evidence(row)
    const ipcOverlap = kind === 'patent' && query.need.ipcGroups ? [...new Set(row.ipc_codes.map(ipcGroup))].filter((g) => query.need.ipcGroups!.has(g)) : []
    const why = [...reasons(query.need, item, features, shared, ipcOverlap), ...indicatorReasons(indicators)]
    const components = { relevance: round(c.relevance), rrf: round(c.rrf, 1e6), sources: c.ranks, source_scores: c.scores, features, chars: row.chars, rank: i + 1, ...(text && { text }), ranker: ranker.version }
    return {
      kind, id: c.id, title: row.title, org_id: row.org_id, score,
      strength: calibrate(score, components, featuresWeight),
      components,
      explanation: { shared_terms: shared, ipc_overlap: ipcOverlap, indicators, reasons: why, summary: why.join('；') },
    }
  })
}

/** After a score changed (the model's judgement): the strength follows it. */
export function recalibrate(m: ScoredMatch, featuresWeight: number): ScoredMatch {
  return { ...m, strength: calibrate(m.score, m.components, featuresWeight) }
}

function itemSide(kind: ItemKind, r: ItemRow): ItemSide {
  return {
    kind, industry: r.industry, field: r.field, region: r.region, maturity: r.maturity, trl: r.trl, transfer_modes: r.transfer_modes,
    price_min: r.price_min, legal_status: r.legal_status, ipc_codes: r.ipc_codes, date: r.date,
  }
}
