// The learned re-ranker's inputs: the pipeline's own signals for one (need, item) candidate, as named features. Unknown
// metadata features are 0 (neutral), like in the hand-set ranking. The same functions read a candidate being scored
// (score.ts RankerInput) and a stored match that a manager reviewed (its components and explanation), and the offline
// evaluation (eval/learn.ts) reads the same stored shape: one feature code for serving, fitting and measuring.
// A model stores the names it was fitted on, so features can be added without breaking a stored version.
import { MATURITY, type Maturity } from '../../catalog/fields'
import { keywordsOf, idfTable, normalize, searchTokens, STOP_WORDS, tokenize } from '../../text/analyze'

/** Text agreement of one candidate with the need, beyond the retrieval scores (each in [0, 1] unless said). */
export interface TextSignals {
  /** idf-weighted share of the need title's words found in the item's title / in its title or text */
  title_in_title: number
  title_in_text: number
  /** weighted share of the need's key terms (tf-idf keywords of its whole text) found in the item's title / text */
  key_in_title: number
  key_in_text: number
  /** Dice coefficient of the character bigrams of the two titles */
  title_bigrams: number
  /** share of the need title's character bigrams found in the item's text */
  bigrams_in_text: number
  /** the item's text length, ln(1 + characters) */
  length: number
  /** cosine of the character-bigram sets of the need's text and the item's title and first 700 characters (what a reviewer reads first) */
  head_bigrams?: number
  /** weighted share of the need's key terms found in the item's title and first 700 characters */
  key_in_head?: number
}

/** Earlier reviews on the platform that say something about this candidate (other needs' reviews only). */
export interface HistorySignals {
  /** reviews of this item for other needs, and its rejections among them by reason code */
  item: { reviews: number; rejected: Partial<Record<string, number>> }
  /** reviews of items in the same field (技术领域) */
  field: { reviews: number; rejected: Partial<Record<string, number>> }
  /** reviews of items at the same maturity */
  maturity: { reviews: number; rejected: Partial<Record<string, number>> }
  /** all reviews: the prior the rates above are shrunk towards */
  all: { reviews: number; rejected: Partial<Record<string, number>> }
}

export interface RankerSignals {
  relevance: number
  /** the hand-set score (relevance x feature factor) and the candidate's rank by relevance in its list (1 = first) */
  base?: number
  rank?: number
  sources?: Partial<Record<'dense' | 'sparse' | 'lexical', number>>
  source_scores?: Partial<Record<'dense' | 'sparse' | 'lexical', number>>
  features?: Partial<Record<string, number | null>>
  shared_terms: number
  /** the longest shared term, in characters */
  shared_longest?: number
  indicators?: { met: number; missed: number }
  text?: TextSignals
  /** the item's maturity (catalogue code), for maturity-specific history */
  maturity?: string | null
  history?: HistorySignals
}

/** Feature names, in the order of a fitted model's default; a model reads the ones it stores. */
export const RANKER_FEATURES = [
  'ln_relevance', 'ln_base', 'base_rank', 'sparse_rank', 'lexical_rank', 'dense_rank', 'sparse_score', 'dense_score', 'lexical_score',
  'shared_terms', 'shared_longest', 'indicators_met', 'indicators_missed',
  'field', 'ipc', 'maturity', 'legal', 'mode', 'budget', 'region',
  'title_in_title', 'title_in_text', 'key_in_title', 'key_in_text', 'title_bigrams', 'bigrams_in_text', 'length', 'long_text', 'head_bigrams', 'key_in_head', 'item_maturity',
  'hist_item_rejected', 'hist_item_reviews', 'hist_field_topic', 'hist_maturity_rejected', 'hist_field_terms',
] as const
export type RankerFeature = (typeof RANKER_FEATURES)[number]

const TOPIC = '技术方向不符'
const MATURITY_REASON = '成熟度不足'

const centred = (v: number | null | undefined) => (v === null || v === undefined ? 0 : (v - 0.5) * 2)
const inv = (rank: number | undefined) => (rank ? 1 / Math.log2(rank + 1) : 0)
const total = (r: Partial<Record<string, number>>) => Object.values(r).reduce((s: number, n) => s + (n ?? 0), 0)

/**
 * A rate shrunk towards the platform's (`prior`, with the weight of `strength` reviews), minus the prior: 0 when
 * nothing is known, positive when this group is rejected more often than the platform's reviews are.
 */
function shrunk(hits: number, n: number, prior: number, strength = 3): number {
  return (hits + strength * prior) / (n + strength) - prior
}

export function rankerFeatureMap(x: RankerSignals): Record<RankerFeature, number> {
  const f = x.features ?? {}
  const t = x.text
  const h = x.history
  const prior = (reason?: string) => (h && h.all.reviews ? (reason ? h.all.rejected[reason] ?? 0 : total(h.all.rejected)) / h.all.reviews : 0)
  const stage = x.maturity ? MATURITY.indexOf(x.maturity as Maturity) : -1
  return {
    ln_relevance: Math.log(Math.max(x.relevance, 1e-4)),
    ln_base: Math.log(Math.max(x.base ?? x.relevance, 1e-4)),
    base_rank: inv(x.rank),
    sparse_rank: inv(x.sources?.sparse),
    lexical_rank: inv(x.sources?.lexical),
    dense_rank: inv(x.sources?.dense),
    sparse_score: x.source_scores?.sparse ?? 0,
    dense_score: x.source_scores?.dense ?? 0,
    lexical_score: Math.log1p(Math.max(0, x.source_scores?.lexical ?? 0)),
    shared_terms: Math.min(8, x.shared_terms) / 8,
    shared_longest: Math.min(8, x.shared_longest ?? 0) / 8,
    indicators_met: Math.min(3, x.indicators?.met ?? 0),
    indicators_missed: Math.min(3, x.indicators?.missed ?? 0),
    field: centred(f.field), ipc: centred(f.ipc), maturity: centred(f.maturity), legal: centred(f.legal), mode: centred(f.mode),
    budget: centred(f.budget), region: centred(f.region),
    title_in_title: t?.title_in_title ?? 0,
    title_in_text: t?.title_in_text ?? 0,
    key_in_title: t?.key_in_title ?? 0,
    key_in_text: t?.key_in_text ?? 0,
    title_bigrams: t?.title_bigrams ?? 0,
    bigrams_in_text: t?.bigrams_in_text ?? 0,
    length: t ? t.length / 8 : 0,
    // beyond ~700 characters a listing is rarely what a need wants (zhibei-dev: 9% relevant, 3% beyond 1,500)
    long_text: t ? Math.max(0, t.length - Math.log(700)) : 0,
    head_bigrams: t?.head_bigrams ?? 0,
    key_in_head: t?.key_in_head ?? 0,
    item_maturity: stage >= 0 ? stage / Math.max(1, MATURITY.length - 1) : 0,
    hist_item_rejected: h ? shrunk(total(h.item.rejected), h.item.reviews, prior()) : 0,
    hist_item_reviews: h ? Math.log1p(h.item.reviews) : 0,
    hist_field_topic: h ? shrunk(h.field.rejected[TOPIC] ?? 0, h.field.reviews, prior(TOPIC), 10) : 0,
    hist_maturity_rejected: h ? shrunk(h.maturity.rejected[MATURITY_REASON] ?? 0, h.maturity.reviews, prior(MATURITY_REASON), 10) : 0,
    // a field often rejected for its topic matters more when the texts agree less: the interaction
    hist_field_terms: h ? shrunk(h.field.rejected[TOPIC] ?? 0, h.field.reviews, prior(TOPIC), 10) * (1 - (t?.key_in_text ?? 0)) : 0,
  }
}

/**
 * A match's signals from what is stored with it (its components and the explanation the reviewer saw), or from a
 * candidate just scored (the same shape): the one reading for the fit job, the offline evaluation and serving.
 */
export function signalsOfMatch(
  components: Record<string, unknown>, explanation: { shared_terms?: string[]; indicators?: { verdict: string }[] }, item?: { maturity?: string | null },
): RankerSignals {
  const shared = explanation.shared_terms ?? []
  const ind = explanation.indicators ?? []
  return {
    relevance: Number(components.relevance ?? 0),
    rank: typeof components.rank === 'number' ? components.rank : undefined,
    sources: components.sources as RankerSignals['sources'],
    source_scores: components.source_scores as RankerSignals['source_scores'],
    features: components.features as RankerSignals['features'],
    shared_terms: shared.length,
    shared_longest: shared.reduce((m, t) => Math.max(m, t.length), 0),
    indicators: { met: ind.filter((i) => i.verdict === '达到').length, missed: ind.filter((i) => i.verdict === '未达到').length },
    text: components.text as TextSignals | undefined,
    maturity: item?.maturity ?? null,
  }
}

/** The features a model reads, in its order (names it does not know read 0). */
export function rankerFeatures(x: RankerSignals, names: readonly string[] = RANKER_FEATURES): number[] {
  const m = rankerFeatureMap(x) as Record<string, number>
  return names.map((n) => m[n] ?? 0)
}

// ---- text signals ----

interface Weighted {
  term: string
  w: number
}

/** The need's side of the text signals, analysed once per run. */
export interface NeedText {
  title: Weighted[]
  keys: Weighted[]
  titleBigrams: Set<string>
  bigrams: Set<string>
}

/** What a reviewer reads first of a listing (zhibei-dev's judges saw 700 characters). */
const HEAD = 700

const bigrams = (s: string) => {
  const out = new Set<string>()
  const t = s.replace(/[\s\p{P}\p{S}]+/gu, '')
  for (let i = 0; i + 1 < t.length; i++) out.add(t.slice(i, i + 2))
  return out
}

export function needText(title: string | undefined, text: string): NeedText {
  const { map, median } = idfTable()
  const words = [...new Set(searchTokens(title ?? ''))].filter((w) => w.length >= 2 && !STOP_WORDS.has(w))
  // a word inside a longer title word is counted through it
  const titleWords = words.filter((w) => !words.some((o) => o !== w && o.includes(w)))
  return {
    title: titleWords.map((term) => ({ term, w: map.get(term) ?? median })),
    keys: keywordsOf(tokenize(text), 12).map((k) => ({ term: k.term, w: k.weight })),
    titleBigrams: bigrams(normalize(title ?? '').toLowerCase()),
    bigrams: bigrams(normalize(text).toLowerCase()),
  }
}

const coverage = (terms: Weighted[], text: string) => {
  const all = terms.reduce((s, t) => s + t.w, 0)
  return all ? Math.round((terms.reduce((s, t) => s + (text.includes(t.term) ? t.w : 0), 0) / all) * 1e4) / 1e4 : 0
}

export function textSignals(need: NeedText, itemTitle: string, itemBody: string): TextSignals {
  const title = normalize(itemTitle).toLowerCase()
  const all = `${title}\n${normalize(itemBody).toLowerCase()}`
  const tb = bigrams(title)
  let inter = 0
  for (const b of need.titleBigrams) if (tb.has(b)) inter++
  let inText = 0
  for (const b of need.titleBigrams) if (all.includes(b)) inText++
  const r = (v: number) => Math.round(v * 1e4) / 1e4
  const head = `${title}\n${normalize(itemBody).toLowerCase().slice(0, HEAD)}`
  const hb = bigrams(head)
  let both = 0
  for (const b of need.bigrams) if (hb.has(b)) both++
  return {
    title_in_title: coverage(need.title, title),
    title_in_text: coverage(need.title, all),
    key_in_title: coverage(need.keys, title),
    key_in_text: coverage(need.keys, all),
    title_bigrams: need.titleBigrams.size + tb.size ? r((2 * inter) / (need.titleBigrams.size + tb.size)) : 0,
    bigrams_in_text: need.titleBigrams.size ? r(inText / need.titleBigrams.size) : 0,
    length: r(Math.log1p(all.length)),
    head_bigrams: need.bigrams.size && hb.size ? r(both / Math.sqrt(need.bigrams.size * hb.size)) : 0,
    key_in_head: coverage(need.keys, head),
  }
}
