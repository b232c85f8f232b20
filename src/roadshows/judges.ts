// Judges' scoring links (评委评分链接). The organiser names a judge and gets a link with a token, shown once; the judge
// opens it (no account, no API key) and scores the confirmed programme under the name the organiser gave. A token is
// worth one roadshow's programme and nothing else: it is not an API key, the /v1 key middleware never accepts it, and
// the judge's routes (/v1/judging/*) accept nothing else. Only its SHA-256 is stored; revoking it stops it at once.
import { createHash, randomBytes } from 'node:crypto'
import { recordAudit } from '../audit/store'
import type { Db } from '../db'
import { ConflictError, InvalidError } from '../errors'
import { type Caller, requireRole, visibleOr404 } from '../orgs/access'
import { iso } from '../pagination'
import type { EntryKind } from './schema'
import { maySeeRoadshow, presentable } from './service'
import { readerClock } from './shortlist'
import { judgeStore, type JudgeRow, roadshowStore } from './store'

/** Judge tokens: `rj_<prefix>_<secret>`, told apart from API keys (`tt_...`) at a glance. */
const TOKEN = /^rj_([A-Za-z0-9_-]{8})_([A-Za-z0-9_-]{32})$/
export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex')

/** The judge a request carries: who, for which roadshow. */
export interface Judge {
  id: string
  roadshowId: string
  name: string
}

const judgeOut = (j: JudgeRow) => ({
  id: j.id, name: j.name, prefix: j.prefix, created_at: iso(j.created_at)!, last_used_at: iso(j.last_used_at), revoked_at: iso(j.revoked_at),
})

export function createJudgeService(deps: { db: Db }) {
  const { db } = deps

  async function roadshowFor(ctx: Caller, id: string) {
    const r = visibleOr404(await roadshowStore.get(db, id), (x) => maySeeRoadshow(ctx, x), '路演 roadshow')
    requireRole(ctx, 'organizer', 'manager', 'admin')
    return r
  }

  /** A new judge and their token (returned here only). Names are unique within a roadshow: a second is a 409. */
  async function addJudge({ ctx, input }: { ctx: Caller; input: { id: string; name: string } }) {
    const r = await roadshowFor(ctx, input.id)
    const prefix = randomBytes(6).toString('base64url')
    const token = `rj_${prefix}_${randomBytes(24).toString('base64url')}`
    const j = await db.transaction(async (tx) => {
      const row = await judgeStore.insert(tx, { roadshowId: r.id, name: input.name, prefix, tokenHash: hashToken(token), createdBy: ctx.kind === 'key' ? ctx.keyId : null })
      if (!row) throw new ConflictError(`A judge named ${input.name} already has a link / 该评委已有评分链接`, { name: input.name })
      await recordAudit(tx, ctx, { action: 'roadshow.judge.create', objectKind: 'roadshow', objectId: r.id, orgId: r.org_id, after: { judge: row.name, judge_id: row.id } })
      return row
    })
    return { ...judgeOut(j), token }
  }

  async function listJudges({ ctx, input }: { ctx: Caller; input: { id: string } }) {
    const r = await roadshowFor(ctx, input.id)
    return (await judgeStore.list(db, r.id)).map(judgeOut)
  }

  /** Stops a link at once; with `discardScores` (a leaked link) the scores under the judge's name go too. */
  async function revokeJudge({ ctx, input }: { ctx: Caller; input: { id: string; judgeId: string; discardScores?: boolean } }) {
    const r = await roadshowFor(ctx, input.id)
    await db.transaction(async (tx) => {
      const j = visibleOr404(await judgeStore.revoke(tx, r.id, input.judgeId), () => true, '评委 judge')
      const discarded = input.discardScores ? await judgeStore.discardScores(tx, r.id, j.name) : 0
      await recordAudit(tx, ctx, { action: 'roadshow.judge.revoke', objectKind: 'roadshow', objectId: r.id, orgId: r.org_id, after: { judge: j.name, judge_id: j.id }, note: { scores_discarded: discarded } })
    })
  }

  /** The judge a token names, or null (malformed, unknown or revoked: the caller answers 401 either way). */
  async function authenticate(token: string): Promise<Judge | null> {
    if (!TOKEN.test(token)) return null
    const j = await judgeStore.byTokenHash(db, hashToken(token))
    return j ? { id: j.id, roadshowId: j.roadshow_id, name: j.name } : null
  }

  /** The programme as a judge sees it: presentable entries in order with their slot times, and this judge's scores. */
  async function judgeView(judge: Judge) {
    const r = (await roadshowStore.get(db, judge.roadshowId))!
    const confirmed = r.status === 'confirmed'
    const entries = confirmed ? (await roadshowStore.entries(db, r.id)).filter((e) => e.position !== null) : []
    const items = await roadshowStore.items(db, entries.map((e) => ({ kind: e.item_kind, id: e.item_id })))
    const mine = new Map((await roadshowStore.scores(db, r.id)).filter((s) => s.judge === judge.name).map((s) => [`${s.item_kind}:${s.item_id}`, Number(s.score)]))
    const rows = entries.map((e) => {
      const it = items.get(`${e.item_kind}:${e.item_id}`)
      // a judge is nobody's member: only what any organiser may present shows (an item withdrawn since is gone)
      return it && presentable(it) ? { kind: e.item_kind, id: e.item_id, title: it.title, org_name: it.org_name, field: it.field, my_score: mine.get(`${e.item_kind}:${e.item_id}`) ?? null } : null
    })
    // the same clock as the organiser's: a withdrawn entry keeps its slot, breaks stay after the entry they follow
    const clock = readerClock(r.starts_at, r.pitch_minutes + r.qa_minutes, r.breaks, rows.map(Boolean))
    let n = 0
    const shown = rows.flatMap((e, i) => (e ? [{ position: ++n, ...e, ...clock.times[i]! }] : []))
    return {
      roadshow: { id: r.id, title: r.title, status: r.status, version: r.version, starts_at: iso(r.starts_at), slot: { pitch: r.pitch_minutes, qa: r.qa_minutes } },
      judge: { name: judge.name },
      entries: shown,
      breaks: clock.breaks.filter((b) => b.shown),
    }
  }

  /** A judge's score of an entry on the confirmed programme, under the judge's name (scoring again replaces it). */
  async function judgeScore(judge: Judge, s: { kind: EntryKind; id: string; score: number }) {
    await db.transaction(async (tx) => {
      const r = (await roadshowStore.get(tx, judge.roadshowId, { forUpdate: true }))!
      if (r.status !== 'confirmed') throw new ConflictError('Scores are recorded once the programme is confirmed / 节目单确认后方可评分')
      const onProgramme = (await roadshowStore.entries(tx, r.id)).some((e) => e.position !== null && e.item_kind === s.kind && e.item_id === s.id)
      const it = onProgramme ? (await roadshowStore.items(tx, [{ kind: s.kind, id: s.id }])).get(`${s.kind}:${s.id}`) : undefined
      if (!it || !presentable(it)) throw new InvalidError([{ field: 'body.id', message: 'not on the programme / 不在节目单中' }])
      await roadshowStore.upsertScore(tx, r.id, { kind: s.kind, itemId: s.id, judge: judge.name, score: s.score })
      // the judge has no key: a judge actor, the note names the link
      await recordAudit(tx, { kind: 'judge', role: 'judge' }, { action: 'roadshow.score', objectKind: 'roadshow', objectId: r.id, orgId: r.org_id, note: { kind: s.kind, id: s.id, judge: judge.name, judge_id: judge.id } })
    })
    return judgeView(judge)
  }

  return { addJudge, listJudges, revokeJudge, authenticate, judgeView, judgeScore }
}

export type JudgeService = ReturnType<typeof createJudgeService>
