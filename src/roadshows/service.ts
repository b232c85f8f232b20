// Roadshow shortlists (路演短名单): the service suggests a ranked, diverse programme for an organiser's theme (through the
// matching pipeline, over what the organiser may see); the organiser reorders, swaps in alternates or adds items,
// confirms a version, exports the programme with its slot times and records judges' scores (extremes dropped).
// A roadshow is seen by its organisation and staff; each entry is re-checked against the reader on every read, so an
// achievement withdrawn to draft or a brief taken down never shows through a programme, an export or a result.
import { randomUUID } from 'node:crypto'
import { recordAudit } from '../audit/store'
import { KIND_DEFS } from '../catalog/kinds'
import type { Db, Queryable } from '../db'
import { ConflictError, ForbiddenError, InvalidError } from '../errors'
import { maySeeBrief } from '../briefs/service'
import type { BriefStatus } from '../briefs/schema'
import type { MatchingService } from '../matching/service'
import { type Caller, isStaff, ownsOrStaff, requireRole, visibleOr404 } from '../orgs/access'
import { iso } from '../pagination'
import { MATURITY_LABEL } from '../catalog/fields'
import { renderProgramme, type ProgrammeFormat } from './render'
import { CAPPED, type Candidate, judged, keywordCoverage, outsideTheme, readerClock, shortlist } from './shortlist'
import { defaultPerOrgMax, ENTRY_KIND_OF, type EntryKind, type EntryRef, KIND_LABELS, type RoadshowCreate, type RoadshowEdit, type ScoreIn } from './schema'
import { type EntryRow, type ItemRow, judgeStore, type RoadshowRow, roadshowStore } from './store'

const LABEL = '路演 roadshow'
/** Candidates ranked before filtering and the per-organisation cap (several times the size: filters drop many). */
const POOL = 200
const BRIEF_SCAN = 2000

/**
 * An item may go on a programme: an active achievement, or a published brief still open for solvers whose need any
 * organiser may read (public or platform, not a draft). The same for every caller: a manager, who may read a private
 * need's brief, cannot put it on a programme that organisers and enterprises read.
 */
export function presentable(r: ItemRow): boolean {
  if (r.kind === 'achievement') return r.status === 'active'
  const open = r.status === 'published' && (r.stage === 'published' || r.stage === 'awaiting')
  return open && (r.need_visibility === 'public' || r.need_visibility === 'platform') && r.need_status !== 'draft'
}

export function maySeeItem(ctx: Caller, r: ItemRow): boolean {
  return r.kind === 'achievement'
    ? // the catalogue's rule reads only the owner and the status
      KIND_DEFS.achievement.maySee(ctx, { org_id: r.org_id, status: r.status } as Parameters<typeof KIND_DEFS.achievement.maySee>[1])
    : maySeeBrief(ctx, { org_id: r.org_id, status: r.status as BriefStatus, need_status: r.need_status ?? '', need_visibility: r.need_visibility ?? '' })
}

export const maySeeRoadshow = (ctx: Caller, r: RoadshowRow) => ownsOrStaff(ctx, r.org_id)
const key = (kind: EntryKind, id: string) => `${kind}:${id}`

export function createRoadshowService(deps: { db: Db; matching: MatchingService }) {
  const { db, matching } = deps

  async function visible(ctx: Caller, id: string, opts: { forUpdate?: boolean; q?: Queryable } = {}) {
    return visibleOr404(await roadshowStore.get(opts.q ?? db, id, opts), (r) => maySeeRoadshow(ctx, r), LABEL)
  }

  /** Ranked candidates for the theme, each one the caller may see, presentable and inside the theme. */
  async function candidates(ctx: Caller, kind: EntryKind, theme: RoadshowCreate['theme']): Promise<Candidate[]> {
    let ranked: Candidate[]
    if (kind === 'achievement') {
      if (theme.keywords.length) {
        const hits = await matching.search(ctx, { query: theme.keywords.join(' '), kinds: ['achievement'], mode: 'hybrid', limit: POOL })
        const rows = await roadshowStore.items(db, hits.map((h) => ({ kind: 'achievement' as const, id: h.id })))
        ranked = hits.flatMap((h) => {
          const row = rows.get(key('achievement', h.id))
          const shared = ((h.explanation as { shared_terms?: string[] }).shared_terms ?? []).filter((t) => typeof t === 'string')
          return row ? [{ row, score: h.score, shared }] : []
        })
      } else {
        ranked = (await roadshowStore.achievementsOfIndustry(db, theme.industry!, POOL)).map((row) => ({ row, score: null, shared: [] }))
      }
    } else {
      const briefs = await roadshowStore.openBriefs(db, BRIEF_SCAN)
      ranked = briefs
        .map((row) => ({ row, ...keywordCoverage(theme.keywords, `${row.title}。${row.summary}`) }))
        .filter((c) => !theme.keywords.length || c.score > 0)
        .map((c) => ({ row: c.row, score: theme.keywords.length ? c.score : null, shared: c.shared }))
        .sort((a, b) => (b.score ?? 0) - (a.score ?? 0))
    }
    return ranked.filter((c) => presentable(c.row) && maySeeItem(ctx, c.row) && !outsideTheme(theme, c.row))
  }

  async function createRoadshow({ ctx, input }: { ctx: Caller; input: RoadshowCreate }) {
    requireRole(ctx, 'organizer', 'manager', 'admin')
    if (ctx.kind !== 'key') throw new ForbiddenError('A roadshow belongs to an organisation / 路演须属于某个机构')
    const t = input.theme
    if (!t.keywords.length && !t.industry) throw new InvalidError([{ field: 'body.theme', message: 'give keywords or an industry / 请填写主题关键词或行业' }])
    if (input.kind === 'reverse' && t.min_maturity) throw new InvalidError([{ field: 'body.theme.min_maturity', message: 'briefs have no maturity / 反向路演的榜单没有成熟度' }])
    const kind = ENTRY_KIND_OF[input.kind]
    const perOrgMax = Math.min(input.per_org_max ?? defaultPerOrgMax(input.size), input.size)
    const { programme, alternates } = shortlist(await candidates(ctx, kind, t), kind, input.size, perOrgMax)
    const id = randomUUID()
    // the programme in its order, then the alternates (no position)
    const entries: EntryRow[] = [...programme, ...alternates].map((p, i) => ({
      item_kind: kind, item_id: p.candidate.row.id, position: i < programme.length ? i + 1 : null, source: 'suggested', score: p.candidate.score, reasons: p.reasons,
    }))
    await db.transaction(async (tx) => {
      await roadshowStore.insert(tx, {
        id, org_id: ctx.orgId, kind: input.kind, title: input.title, theme: t, size: input.size, per_org_max: perOrgMax, pitch_minutes: input.slot.pitch,
        qa_minutes: input.slot.qa, starts_at: input.starts_at ? new Date(input.starts_at) : null, breaks: input.breaks, created_by: ctx.keyId,
      })
      await roadshowStore.upsertEntries(tx, id, entries)
      await recordAudit(tx, ctx, { action: 'roadshow.create', objectKind: 'roadshow', objectId: id, orgId: ctx.orgId, after: { title: input.title, theme: t, size: input.size }, note: { suggested: programme.length, alternates: alternates.length } })
    })
    return getRoadshow({ ctx, input: { id } })
  }

  /** The roadshow as the caller sees it: programme entries with slot times, alternates, and how many entries it may not see. */
  async function view(ctx: Caller, r: RoadshowRow, q: Queryable = db) {
    const entries = await roadshowStore.entries(q, r.id)
    const items = await roadshowStore.items(q, entries.map((e) => ({ kind: e.item_kind, id: e.item_id })))
    let hidden = 0
    let n = 0
    const shown = entries.flatMap((e) => {
      const it = items.get(key(e.item_kind, e.item_id))
      if (!it || !maySeeItem(ctx, it)) {
        if (e.position !== null) hidden++
        return []
      }
      if (e.position !== null) n++
      return [{
        position: e.position === null ? null : n, kind: e.item_kind, id: e.item_id, title: it.title, org_name: it.org_name, field: it.field,
        maturity: it.maturity, maturity_label: it.maturity ? MATURITY_LABEL[it.maturity] ?? null : null, region: it.region ?? it.org_region,
        source: e.source, score: e.score, reasons: e.reasons, available: presentable(it), starts_at: null as string | null, ends_at: null as string | null,
      }]
    })
    // times over the stored programme (the same for every reader), breaks placed in this reader's numbering
    const stored = entries.filter((e) => e.position !== null)
    const seen = new Set(shown.map((e) => key(e.kind, e.id)))
    const clock = readerClock(r.starts_at, r.pitch_minutes + r.qa_minutes, r.breaks, stored.map((e) => seen.has(key(e.item_kind, e.item_id))))
    const slotOf = new Map(stored.map((e, i) => [key(e.item_kind, e.item_id), i]))
    for (const e of shown) if (e.position !== null) Object.assign(e, clock.times[slotOf.get(key(e.kind, e.id))!])
    return {
      id: r.id, kind: r.kind, kind_label: KIND_LABELS[r.kind], title: r.title, theme: r.theme, size: r.size, per_org_max: r.per_org_max,
      slot: { pitch: r.pitch_minutes, qa: r.qa_minutes }, starts_at: iso(r.starts_at), breaks: clock.breaks, status: r.status, version: r.version,
      confirmed_version: r.confirmed_version, confirmed_at: iso(r.confirmed_at), created_at: iso(r.created_at)!, updated_at: iso(r.updated_at)!,
      entries: shown.filter((e) => e.position !== null), alternates: shown.filter((e) => e.position === null), withdrawn: hidden,
    }
  }
  type View = Awaited<ReturnType<typeof view>>

  async function getRoadshow({ ctx, input }: { ctx: Caller; input: { id: string } }): Promise<View> {
    return view(ctx, await visible(ctx, input.id))
  }

  async function listRoadshows({ ctx }: { ctx: Caller; input: Record<string, never> }) {
    if (ctx.kind !== 'key' && !isStaff(ctx)) return []
    const rows = await roadshowStore.list(db, isStaff(ctx) ? null : ctx.kind === 'key' ? ctx.orgId : null, 100)
    return rows.map((r) => ({
      id: r.id, kind: r.kind, kind_label: KIND_LABELS[r.kind], title: r.title, size: r.size, status: r.status, version: r.version,
      starts_at: iso(r.starts_at), created_at: iso(r.created_at)!, updated_at: iso(r.updated_at)!,
    }))
  }

  function mayEdit(ctx: Caller) {
    requireRole(ctx, 'organizer', 'manager', 'admin')
  }

  /** The organiser's edit: title, slots, start, and the programme in order. Any edit makes a new draft version. */
  async function editRoadshow({ ctx, input }: { ctx: Caller; input: { id: string; edit: RoadshowEdit } }) {
    const e = input.edit
    await db.transaction(async (tx) => {
      const r = await visible(ctx, input.id, { forUpdate: true, q: tx })
      mayEdit(ctx)
      if (r.version !== e.base_version) throw new ConflictError('The shortlist changed since you read it / 短名单已被他人修改，请刷新后再编辑', { current_version: r.version })
      const size = e.size ?? r.size
      if (e.entries && e.entries.length > size) throw new InvalidError([{ field: 'body.entries', message: `at most ${size} entries (the size); raise size to add slots / 超过场次数` }])
      if (e.entries) {
        const kind = ENTRY_KIND_OF[r.kind]
        const existing = new Map((await roadshowStore.entries(tx, r.id)).map((x) => [key(x.item_kind, x.item_id), x]))
        const items = await roadshowStore.items(tx, e.entries)
        const errors: { field: string; message: string }[] = []
        const seen = new Set<string>()
        const rows: EntryRow[] = []
        e.entries.forEach((ref: EntryRef, i) => {
          const k = key(ref.kind, ref.id)
          const it = items.get(k)
          const field = `body.entries.${i}`
          if (ref.kind !== kind) errors.push({ field: `${field}.kind`, message: `a ${r.kind} roadshow presents ${kind}s / 此路演只能加入${kind === 'brief' ? '榜单' : '科技成果'}` })
          else if (seen.has(k)) errors.push({ field: `${field}.id`, message: 'listed twice / 重复' })
          else if (!it || !maySeeItem(ctx, it)) errors.push({ field: `${field}.id`, message: 'no such item that you may see / 不存在或无权查看' })
          else if (!presentable(it)) errors.push({ field: `${field}.id`, message: kind === 'brief' ? 'not a published brief open for solvers / 榜单未发布或已结束' : 'not an active achievement / 成果未发布或已下架' })
          seen.add(k)
          const old = existing.get(k)
          rows.push(old ? { ...old, position: i + 1, reasons: old.reasons.filter((x) => !x.startsWith(CAPPED)) } : { item_kind: ref.kind, item_id: ref.id, position: i + 1, source: 'organizer', score: null, reasons: ['组织者添加'] })
        })
        if (errors.length) throw new InvalidError(errors)
        await roadshowStore.clearPositions(tx, r.id)
        await roadshowStore.upsertEntries(tx, r.id, rows)
      }
      const startsAt = e.starts_at === undefined ? r.starts_at : e.starts_at === null ? null : new Date(e.starts_at)
      if (!e.entries && size < (await roadshowStore.entries(tx, r.id)).filter((x) => x.position !== null).length) {
        throw new InvalidError([{ field: 'body.size', message: 'fewer slots than the programme has entries: send entries too / 场次数少于节目单条目' }])
      }
      const version = await roadshowStore.update(tx, r.id, { title: e.title ?? r.title, size, pitch: e.slot?.pitch ?? r.pitch_minutes, qa: e.slot?.qa ?? r.qa_minutes, startsAt, breaks: e.breaks ?? r.breaks })
      await recordAudit(tx, ctx, {
        action: 'roadshow.edit', objectKind: 'roadshow', objectId: r.id, orgId: r.org_id,
        before: { version: r.version, title: r.title }, after: { version, title: e.title ?? r.title }, note: e.entries ? { entries: e.entries.length } : undefined,
      })
    })
    return getRoadshow({ ctx, input: { id: input.id } })
  }

  async function confirmRoadshow({ ctx, input }: { ctx: Caller; input: { id: string; version: number } }) {
    await db.transaction(async (tx) => {
      const r = await visible(ctx, input.id, { forUpdate: true, q: tx })
      mayEdit(ctx)
      if (r.version !== input.version) throw new ConflictError('The shortlist changed since you read it / 短名单已被修改，请确认最新版本', { current_version: r.version })
      const v = await view(ctx, r, tx)
      if (!v.entries.length) throw new ConflictError('The programme is empty / 节目单为空，无法确认')
      const gone = v.entries.filter((x) => !x.available).map((x) => x.position)
      if (gone.length || v.withdrawn) throw new ConflictError('Some entries are no longer presentable; edit the programme first / 部分条目已下架或不可见，请先编辑节目单', { positions: gone, withdrawn: v.withdrawn })
      await roadshowStore.confirm(tx, r.id, r.version, ctx.kind === 'key' ? ctx.keyId : null)
      await recordAudit(tx, ctx, { action: 'roadshow.confirm', objectKind: 'roadshow', objectId: r.id, orgId: r.org_id, after: { version: r.version } })
    })
    return getRoadshow({ ctx, input: { id: input.id } })
  }

  async function exportRoadshow({ ctx, input }: { ctx: Caller; input: { id: string; format: ProgrammeFormat } }) {
    return renderProgramme(await getRoadshow({ ctx, input }), input.format)
  }

  /** A judge's score of a programme entry (a judge scoring again replaces the score); only once confirmed. */
  async function scoreEntry({ ctx, input }: { ctx: Caller; input: { id: string; score: ScoreIn } }) {
    const s = input.score
    await db.transaction(async (tx) => {
      const r = await visible(ctx, input.id, { forUpdate: true, q: tx })
      mayEdit(ctx)
      if (r.status !== 'confirmed') throw new ConflictError('Scores are recorded once the programme is confirmed / 节目单确认后方可评分')
      const v = await view(ctx, r, tx)
      if (!v.entries.some((x) => x.kind === s.kind && x.id === s.id)) throw new InvalidError([{ field: 'body.id', message: 'not on the programme / 不在节目单中' }])
      // a judge with a live link scores through it: nobody overwrites their score on their behalf
      if (await judgeStore.liveNamed(tx, r.id, s.judge)) throw new ConflictError(`${s.judge} scores through their own link / 该评委通过评分链接自行评分`, { judge: s.judge })
      await roadshowStore.upsertScore(tx, r.id, { kind: s.kind, itemId: s.id, judge: s.judge, score: s.score })
      await recordAudit(tx, ctx, { action: 'roadshow.score', objectKind: 'roadshow', objectId: r.id, orgId: r.org_id, note: { kind: s.kind, id: s.id, judge: s.judge } })
    })
    return resultsOf({ ctx, input: { id: input.id } })
  }

  /** Programme entries by their judges' trimmed mean: with three scores or more, the highest and the lowest are dropped. */
  async function resultsOf({ ctx, input }: { ctx: Caller; input: { id: string } }) {
    const v = await getRoadshow({ ctx, input })
    const scores = await roadshowStore.scores(db, v.id)
    const rows = v.entries.map((e) => {
      const mine = scores.filter((s) => s.item_kind === e.kind && s.item_id === e.id).map((s) => ({ judge: s.judge, score: Number(s.score) }))
      return { position: e.position, kind: e.kind, id: e.id, title: e.title, org_name: e.org_name, judges: mine.length, scores: mine, ...judged(mine.map((s) => s.score)) }
    })
    rows.sort((a, b) => (b.trimmed_mean ?? -1) - (a.trimmed_mean ?? -1) || a.position! - b.position!)
    return { id: v.id, title: v.title, status: v.status, items: rows.map((r, i) => ({ rank: r.trimmed_mean === null ? null : i + 1, ...r })) }
  }

  return { createRoadshow, getRoadshow, listRoadshows, editRoadshow, confirmRoadshow, exportRoadshow, scoreEntry, resultsOf }
}

export type RoadshowService = ReturnType<typeof createRoadshowService>
export type RoadshowView = Awaited<ReturnType<RoadshowService['getRoadshow']>>
