// Reason-code history: what the platform's reviewers decided before about similar candidates (the same item, items of
// the same field, items at the same maturity), by reason code, as counts a ranker feature reads (features.ts). Always
// leave-need-out: a candidate's history never holds its own need's reviews, so a fit cannot read its label through
// it, and the serving path, the fit job and the offline evaluation count the same way.
import type { HistorySignals } from './features'

export interface PastReview {
  need: string
  item: string
  field: string | null
  maturity: string | null
  /** null when confirmed; the reason code when rejected */
  rejected: string | null
}

interface Counts {
  reviews: number
  rejected: Record<string, number>
}

const empty = (): Counts => ({ reviews: 0, rejected: {} })
const add = (c: Counts, r: PastReview, sign = 1) => {
  c.reviews += sign
  if (r.rejected) c.rejected[r.rejected] = (c.rejected[r.rejected] ?? 0) + sign
}
const minus = (a: Counts | undefined, b: Counts | undefined): HistorySignals['all'] => {
  const out: Counts = { reviews: (a?.reviews ?? 0) - (b?.reviews ?? 0), rejected: { ...(a?.rejected ?? {}) } }
  for (const [k, v] of Object.entries(b?.rejected ?? {})) {
    const left = (out.rejected[k] ?? 0) - v
    if (left) out.rejected[k] = left
    else delete out.rejected[k]
  }
  return out
}

export interface ReviewHistory {
  /** the history of (need, item): every review of other needs */
  of(need: string | undefined, item: { id: string; field?: string | null; maturity?: string | null }): HistorySignals
  size: number
}

/** Counts the reviews once; each look-up is then constant time. */
export function reviewHistory(reviews: PastReview[]): ReviewHistory {
  const all = empty()
  const byNeed = new Map<string, Counts>()
  const groups = new Map<string, Counts>()
  const own = new Map<string, Counts>()
  const bump = (m: Map<string, Counts>, key: string, r: PastReview) => {
    let c = m.get(key)
    if (!c) m.set(key, (c = empty()))
    add(c, r)
  }
  for (const r of reviews) {
    add(all, r)
    bump(byNeed, r.need, r)
    const keys = [`i:${r.item}`, ...(r.field ? [`f:${r.field}`] : []), ...(r.maturity ? [`m:${r.maturity}`] : [])]
    for (const k of keys) {
      bump(groups, k, r)
      bump(own, `${r.need}\u0000${k}`, r)
    }
  }
  const group = (need: string | undefined, key: string | null) =>
    key ? minus(groups.get(key), need === undefined ? undefined : own.get(`${need}\u0000${key}`)) : { reviews: 0, rejected: {} }
  return {
    size: reviews.length,
    of(need, item) {
      return {
        item: group(need, `i:${item.id}`),
        field: group(need, item.field ? `f:${item.field}` : null),
        maturity: group(need, item.maturity ? `m:${item.maturity}` : null),
        all: minus(all, need === undefined ? undefined : byNeed.get(need)),
      }
    },
  }
}
