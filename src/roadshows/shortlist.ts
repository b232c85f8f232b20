// Building a shortlist from ranked candidates: the theme's hard filters (industry, region, maturity), then a greedy
// pass in rank order that keeps at most `perOrgMax` entries of one organisation, so no institution dominates the
// programme; what the cap pushes out, and the next best beyond the size, become alternates the organiser can move in.
// Pure functions: the service feeds them rows it already checked the caller may see.
import { MATURITY, MATURITY_LABEL } from '../catalog/fields'
import { idfTable, normalize } from '../text/analyze'
import type { EntryKind, Theme } from './schema'
import type { ItemRow } from './store'
import type { Break } from './schema'

export interface Candidate {
  row: ItemRow
  /** the pipeline's score (achievements) or keyword coverage (briefs); null when ranked by the theme alone */
  score: number | null
  /** the theme's words the item shares */
  shared: string[]
}

export interface Pick {
  candidate: Candidate
  reasons: string[]
}

const region = (r: ItemRow) => r.region ?? r.org_region
/** The reason an alternate gives when the cap left it out (dropped once the organiser moves it in). */
export const CAPPED = '同一单位已有'

/** Why a candidate falls outside the theme, or null when it fits. */
export function outsideTheme(theme: Theme, r: ItemRow): string | null {
  if (theme.industry) {
    const i = theme.industry
    if (!(r.industry?.startsWith(i) || r.field?.startsWith(i))) return 'industry'
  }
  if (theme.region && !region(r)?.startsWith(theme.region)) return 'region'
  if (theme.min_maturity) {
    const have = r.maturity ? MATURITY.indexOf(r.maturity) : -1
    if (have < MATURITY.indexOf(theme.min_maturity)) return 'maturity'
  }
  return null
}

export function reasonsOf(c: Candidate, kind: EntryKind): string[] {
  const r = c.row
  const out: string[] = []
  if (c.shared.length) out.push(`关键词：${c.shared.slice(0, 5).join('、')}`)
  if (r.field) out.push(`${kind === 'brief' ? '行业' : '技术领域'}：${r.field}`)
  if (r.maturity) out.push(`成熟度：${MATURITY_LABEL[r.maturity] ?? r.maturity}`)
  const where = region(r)
  if (where) out.push(`地区：${where}`)
  return out
}

/** The programme (at most `size`, at most `perOrgMax` per organisation) and up to `size` alternates, in rank order. */
export function shortlist(ranked: Candidate[], kind: EntryKind, size: number, perOrgMax: number): { programme: Pick[]; alternates: Pick[] } {
  const perOrg = new Map<string, number>()
  const programme: Pick[] = []
  const alternates: Pick[] = []
  for (const c of ranked) {
    const n = perOrg.get(c.row.org_id) ?? 0
    if (programme.length < size && n < perOrgMax) {
      perOrg.set(c.row.org_id, n + 1)
      programme.push({ candidate: c, reasons: reasonsOf(c, kind) })
    } else if (alternates.length < size) {
      // skipped while there was room: its organisation had reached the cap
      const capped = programme.length < size
      alternates.push({ candidate: c, reasons: [...reasonsOf(c, kind), ...(capped ? [`${CAPPED} ${n} 项入选`] : [])] })
    }
    if (programme.length >= size && alternates.length >= size) break
  }
  return { programme, alternates }
}

/**
 * Keyword coverage of a brief: the share of the theme's keywords (each weighted by its idf, so 技术 counts less than
 * 反渗透) found in its title, problem and background. Briefs are few (published ones only): a scan is enough.
 */
export function keywordCoverage(keywords: string[], text: string): { score: number; shared: string[] } {
  if (!keywords.length) return { score: 0, shared: [] }
  const { map, median } = idfTable()
  const body = normalize(text).toLowerCase()
  let all = 0
  let hit = 0
  const shared: string[] = []
  for (const k of keywords) {
    const w = map.get(k.toLowerCase()) ?? median
    all += w
    if (body.includes(normalize(k).toLowerCase())) {
      hit += w
      shared.push(k)
    }
  }
  return { score: Math.round((hit / all) * 1e4) / 1e4, shared }
}

const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100 : null)

/** Judges' scores of one entry: the mean, and the mean without the highest and the lowest once there are three or more. */
export function judged(scores: number[]): { mean: number | null; trimmed_mean: number | null; dropped: { lowest: number; highest: number } | null } {
  const sorted = [...scores].sort((a, b) => a - b)
  const trim = sorted.length >= 3
  return {
    mean: mean(sorted),
    trimmed_mean: mean(trim ? sorted.slice(1, -1) : sorted),
    dropped: trim ? { lowest: sorted[0]!, highest: sorted[sorted.length - 1]! } : null,
  }
}

/**
 * The clock of a programme of `n` entries: each entry's start and end, and the breaks that fall between two entries
 * (a break after the last entry, or after a position the programme no longer reaches, is left out). Without a start
 * time there are no times, only the breaks' places.
 */
export function programmeTimes(startsAt: Date | null, slotMinutes: number, breaks: readonly Break[], n: number) {
  const at = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
  const byAfter = new Map(breaks.map((b) => [b.after, b]))
  const entries: { starts_at: string | null; ends_at: string | null }[] = []
  const between: (Break & { starts_at: string | null; ends_at: string | null })[] = []
  let t = startsAt ? startsAt.getTime() : null
  for (let i = 1; i <= n; i++) {
    const end = t === null ? null : t + slotMinutes * 60_000
    entries.push({ starts_at: at(t), ends_at: at(end) })
    t = end
    const b = byAfter.get(i)
    if (b && i < n) {
      const bEnd = t === null ? null : t + b.minutes * 60_000
      between.push({ ...b, starts_at: at(t), ends_at: at(bEnd) })
      t = bEnd
    }
  }
  return { entries, breaks: between }
}

/**
 * The programme's clock for one reader: the times run over the stored programme (the same for everyone, an entry this
 * reader may not see keeps its slot), and each stored break is placed after the reader's numbering of the entry it
 * follows. Every stored break is returned (an editor sends them back whole); `shown` says whether it falls between two
 * entries this reader sees. `visible[i]` is whether the reader sees the i-th stored entry.
 */
export function readerClock(startsAt: Date | null, slotMinutes: number, breaks: readonly Break[], visible: readonly boolean[]) {
  const clock = programmeTimes(startsAt, slotMinutes, breaks, visible.length)
  // the reader's number of the stored position p: how many seen entries are at or before it
  const seenUpTo: number[] = [0]
  visible.forEach((v, i) => seenUpTo.push(seenUpTo[i]! + (v ? 1 : 0)))
  const seen = seenUpTo[visible.length]!
  const placed = new Set<number>()
  const out = breaks.map((b) => {
    const timed = clock.breaks.find((x) => x.after === b.after)
    const after = b.after < visible.length ? seenUpTo[b.after]! : b.after
    const shown = Boolean(timed) && after >= 1 && after < seen && !placed.has(after)
    if (shown) placed.add(after)
    return { after: shown || b.after >= visible.length ? after : b.after, minutes: b.minutes, label: b.label, starts_at: timed?.starts_at ?? null, ends_at: timed?.ends_at ?? null, shown }
  })
  return { times: clock.entries, breaks: out.sort((a, b) => a.after - b.after) }
}
