// The shortlist's rules as pure functions: the theme's filters, the per-organisation cap (property-tested), keyword
// coverage of briefs, and judges' means with the extremes dropped.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Candidate, judged, keywordCoverage, outsideTheme, programmeTimes, readerClock, shortlist } from '../../src/roadshows/shortlist'
import type { ItemRow } from '../../src/roadshows/store'

const row = (over: Partial<ItemRow> = {}): ItemRow => ({
  kind: 'achievement', id: 'a', org_id: 'o1', org_name: '大学', org_region: '江苏', title: 't', summary: '', field: '智能制造-工业机器人', industry: '智能制造',
  maturity: 'pilot', region: null, status: 'active', stage: null, need_status: null, need_visibility: null, ...over,
})
const cand = (id: string, org: string, score = 1): Candidate => ({ row: row({ id, org_id: org, org_name: org }), score, shared: [] })

describe('roadshows: theme filters', () => {
  it('matches an industry on the industry or the start of the field, a region on the listing\'s or its organisation\'s', () => {
    expect(outsideTheme({ keywords: [], industry: '智能制造' }, row())).toBeNull()
    expect(outsideTheme({ keywords: [], industry: '智能制造-工业' }, row())).toBeNull()
    expect(outsideTheme({ keywords: [], industry: '制造' }, row())).toBe('industry')
    expect(outsideTheme({ keywords: [], region: '江苏' }, row())).toBeNull()
    expect(outsideTheme({ keywords: [], region: '江苏' }, row({ region: '浙江省杭州市' }))).toBe('region')
    expect(outsideTheme({ keywords: [], region: '浙江' }, row({ region: '浙江省杭州市' }))).toBeNull()
  })

  it('keeps listings at or above the minimum maturity, and leaves out those of unknown maturity', () => {
    expect(outsideTheme({ keywords: [], min_maturity: 'pilot' }, row({ maturity: 'industrial' }))).toBeNull()
    expect(outsideTheme({ keywords: [], min_maturity: 'pilot' }, row({ maturity: 'pilot' }))).toBeNull()
    expect(outsideTheme({ keywords: [], min_maturity: 'pilot' }, row({ maturity: 'small_pilot' }))).toBe('maturity')
    expect(outsideTheme({ keywords: [], min_maturity: 'lab' }, row({ maturity: null }))).toBe('maturity')
  })
})

describe('roadshows: the per-organisation cap', () => {
  it('fills the programme in rank order, skipping an organisation at its cap, and says why in the alternate', () => {
    const ranked = [cand('a1', 'A'), cand('a2', 'A'), cand('a3', 'A'), cand('b1', 'B'), cand('c1', 'C'), cand('a4', 'A')]
    const { programme, alternates } = shortlist(ranked, 'achievement', 4, 2)
    expect(programme.map((p) => p.candidate.row.id)).toEqual(['a1', 'a2', 'b1', 'c1'])
    expect(alternates.map((p) => p.candidate.row.id)).toEqual(['a3', 'a4'])
    expect(alternates[0]!.reasons.at(-1)).toBe('同一单位已有 2 项入选')
    // a4 came after the programme was full: only ranked lower, not capped
    expect(alternates[1]!.reasons.some((r) => r.startsWith('同一单位'))).toBe(false)
  })

  it('never exceeds the size or the cap, and never leaves out a candidate it had room for', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), (orgs, size, cap) => {
        const ranked = orgs.map((o, i) => cand(`x${i}`, `org${o}`, 100 - i))
        const { programme, alternates } = shortlist(ranked, 'achievement', size, cap)
        const picked = programme.map((p) => p.candidate.row.id)
        expect(picked.length).toBeLessThanOrEqual(size)
        const per = new Map<string, number>()
        for (const p of programme) per.set(p.candidate.row.org_id, (per.get(p.candidate.row.org_id) ?? 0) + 1)
        for (const n of per.values()) expect(n).toBeLessThanOrEqual(cap)
        // rank order is kept
        expect(programme.map((p) => p.candidate.score)).toEqual([...programme.map((p) => p.candidate.score)].sort((a, b) => b! - a!))
        // greedy: the programme has as many entries as the cap allows
        const feasible = [...new Set(orgs)].reduce((s, o) => s + Math.min(cap, orgs.filter((x) => x === o).length), 0)
        expect(picked.length).toBe(Math.min(size, feasible))
        expect(alternates.length).toBeLessThanOrEqual(size)
        expect(new Set([...picked, ...alternates.map((p) => p.candidate.row.id)]).size).toBe(picked.length + alternates.length)
      }),
    )
  })
})

describe('roadshows: keyword coverage of a brief', () => {
  it('weighs a specific keyword above a generic one, full-width and case aside', () => {
    const specific = keywordCoverage(['反渗透', '技术'], '一种反渗透膜')
    const generic = keywordCoverage(['反渗透', '技术'], '一种新技术')
    expect(specific.shared).toEqual(['反渗透'])
    expect(specific.score).toBeGreaterThan(generic.score)
    expect(keywordCoverage(['PLC'], '基于ｐｌｃ的控制').score).toBe(1)
    expect(keywordCoverage([], '任何').score).toBe(0)
  })
})

describe('roadshows: judges', () => {
  it('drops the highest and the lowest score from three judges on', () => {
    expect(judged([])).toEqual({ mean: null, trimmed_mean: null, dropped: null })
    expect(judged([70, 90])).toEqual({ mean: 80, trimmed_mean: 80, dropped: null })
    expect(judged([60, 95, 80])).toEqual({ mean: 78.33, trimmed_mean: 80, dropped: { lowest: 60, highest: 95 } })
    expect(judged([80, 95, 60, 85])).toMatchObject({ trimmed_mean: 82.5 })
  })
})

describe('roadshows: the programme clock', () => {
  const start = new Date('2026-12-10T06:00:00Z')
  it('puts each break between the entries it follows, shifting what comes after', () => {
    const c = programmeTimes(start, 15, [{ after: 1, minutes: 10, label: '茶歇' }, { after: 3, minutes: 60, label: '午休' }], 3)
    expect(c.entries.map((e) => e.starts_at!.slice(11, 16))).toEqual(['06:00', '06:25', '06:40'])
    expect(c.entries[2]!.ends_at!.slice(11, 16)).toBe('06:55')
    // a break after the last entry is not part of the programme
    expect(c.breaks).toEqual([{ after: 1, minutes: 10, label: '茶歇', starts_at: '2026-12-10T06:15:00.000Z', ends_at: '2026-12-10T06:25:00.000Z' }])
  })
  it('without a start time, gives the breaks their places and no times', () => {
    const c = programmeTimes(null, 15, [{ after: 2, minutes: 5, label: '茶歇' }], 4)
    expect(c.entries.every((e) => e.starts_at === null && e.ends_at === null)).toBe(true)
    expect(c.breaks).toEqual([{ after: 2, minutes: 5, label: '茶歇', starts_at: null, ends_at: null }])
  })
  it('ends after every slot and every break inside the programme (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 60 }),
      fc.uniqueArray(fc.record({ after: fc.integer({ min: 1, max: 40 }), minutes: fc.integer({ min: 1, max: 240 }) }), { selector: (b) => b.after, maxLength: 10 }),
      (n, slot, raw) => {
        const breaks = raw.map((b) => ({ ...b, label: '茶歇' }))
        const c = programmeTimes(start, slot, breaks, n)
        const inside = breaks.filter((b) => b.after < n).reduce((s, b) => s + b.minutes, 0)
        expect(Date.parse(c.entries.at(-1)!.ends_at!) - start.getTime()).toBe((n * slot + inside) * 60_000)
        expect(c.breaks.map((b) => b.after)).toEqual(breaks.filter((b) => b.after < n).map((b) => b.after).sort((a, b) => a - b))
      },
    ))
  })
})

describe('roadshows: the clock as one reader sees it', () => {
  const start = new Date('2026-12-10T06:00:00Z')
  const breaks = [{ after: 2, minutes: 10, label: '茶歇' }, { after: 4, minutes: 60, label: '午休' }]
  it('keeps every slot where it is when a reader cannot see an entry, and the break after the entry it follows', () => {
    const all = readerClock(start, 15, breaks, [true, true, true, true])
    const some = readerClock(start, 15, breaks, [true, false, true, true])
    // the same times for everyone
    expect(some.times).toEqual(all.times)
    // the break after the 2nd stored entry (hidden here) follows this reader's 1st
    expect(some.breaks[0]).toMatchObject({ after: 1, shown: true, starts_at: all.breaks[0]!.starts_at })
    // the lunch after the last entry is kept, not shown, at its stored place (sent back whole by an editor)
    expect(some.breaks[1]).toEqual({ after: 4, minutes: 60, label: '午休', starts_at: null, ends_at: null, shown: false })
  })
  it('does not show a break after the last entry a reader sees, nor two breaks at one place', () => {
    expect(readerClock(start, 15, breaks, [true, true, false, false]).breaks[0]!.shown).toBe(false)
    const two = readerClock(start, 15, [{ after: 1, minutes: 5, label: 'a' }, { after: 2, minutes: 5, label: 'b' }], [true, false, true])
    expect(two.breaks.filter((b) => b.shown)).toHaveLength(1)
  })
})
