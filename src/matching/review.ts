// Reading and reviewing matches: a need's or an item's list, the review queue across needs, one match with its review
// history, a review (audited in its transaction), and the review history across matches. Who sees what: visibility.ts.
import { z } from 'zod'
import { recordAudit } from '../audit/store'
import { KIND_DEFS } from '../catalog/kinds'
import type { Db } from '../db'
import { ConflictError, InvalidError } from '../errors'
import { type Caller, isStaff, requireRole, visibleOr404 } from '../orgs/access'
import { decodeCursor, encodeCursor } from '../pagination'
import { isoDateTime } from '../validation'
import { type ItemKind, type MatchRow, matchStore, TABLE_OF } from './store'
import { maySee, scopeOf, view, type MatchView } from './visibility'

export type { MatchView } from './visibility'
export const REVIEW_REASONS = ['技术方向不符', '成熟度不足', '价格或预算不符', '地域或合作方式不符', '已有合作', '其他'] as const

const ScoreCursor = z.object({ v: z.number(), id: z.uuid() }).strict()
const ReviewCursor = z.object({ at: isoDateTime(), id: z.uuid() }).strict()

export interface ListInput {
  kind?: ItemKind
  state?: 'suggested' | 'confirmed' | 'rejected'
  new?: boolean
  min_score?: number
  limit: number
  cursor?: string
}

/** `onReviewed`: called after a review is stored (the learned ranker's fit job counts reviews). */
export function createMatchReview({ db, onReviewed }: { db: Db; onReviewed?: () => Promise<unknown> }) {
  async function rowsOf(ctx: Caller, by: { needId?: string; itemId?: string }, input: ListInput, order: 'score' | 'strength') {
    const after = decodeCursor(input.cursor, ScoreCursor)
    return matchStore.list(db, scopeOf(ctx), {
      ...by, itemKind: input.kind, state: input.state, isNew: input.new, minScore: input.min_score, order, after, limit: input.limit + 1,
    })
  }

  function pageOf(ctx: Caller, rows: MatchRow[], input: ListInput, order: 'score' | 'strength') {
    const items = rows.slice(0, input.limit)
    const last = items[items.length - 1]
    const key = (m: MatchRow) => (order === 'score' ? m.score : m.strength ?? -1)
    return {
      // the SQL scope and the object rule are the same rule; the filter keeps them honest
      items: items.filter((m) => maySee(ctx, m)).map((m) => view(ctx, m)),
      next_cursor: rows.length > input.limit && last ? encodeCursor({ v: key(last), id: last.id }) : null,
    }
  }

  const page = async (ctx: Caller, by: { needId?: string; itemId?: string }, input: ListInput, order: 'score' | 'strength') =>
    pageOf(ctx, await rowsOf(ctx, by, input, order), input, order)

  async function listNeedMatches({ ctx, input }: { ctx: Caller; input: ListInput & { id: string } }) {
    // the rows carry their need's read fields: the need is read on its own only when nothing was listed (one statement
    // fewer on the busiest read); either way nothing is shown unless the caller may read the need
    const rows = await rowsOf(ctx, { needId: input.id }, input, 'score')
    const first = rows[0]
    const need = first ? { org_id: first.need_org_id, status: first.need_status, visibility: first.need_visibility } : await matchStore.end(db, 'needs', input.id)
    visibleOr404(need, (n) => KIND_DEFS.need.maySee(ctx, n), KIND_DEFS.need.label)
    return pageOf(ctx, rows, input, 'score')
  }

  async function listItemMatches({ ctx, input }: { ctx: Caller; input: Omit<ListInput, 'kind'> & { kind: ItemKind; id: string } }) {
    const def = KIND_DEFS[input.kind]
    visibleOr404(await matchStore.end(db, TABLE_OF[input.kind], input.id), (r) => def.maySee(ctx, r), def.label)
    return page(ctx, { itemId: input.id }, input, 'score')
  }

  /** GET /v1/matches: across needs, strongest first (the review queue: state=suggested&new=true). */
  async function listMatches({ ctx, input }: { ctx: Caller; input: ListInput & { need_id?: string } }) {
    return page(ctx, { needId: input.need_id }, input, 'strength')
  }

  async function getMatch({ ctx, input }: { ctx: Caller; input: { id: string } }): Promise<MatchView> {
    const m = visibleOr404(await matchStore.get(db, input.id), (x) => maySee(ctx, x), 'Match')
    // who decided what and why is for staff; the others see the decision itself (the state)
    return { ...view(ctx, m), ...(isStaff(ctx) ? { reviews: (await matchStore.reviews(db, { matchId: m.id, limit: 1000 })).reverse() } : {}) }
  }

  async function reviewMatch({ ctx, input }: { ctx: Caller; input: { id: string; decision: 'confirmed' | 'rejected'; reason_code?: string | null; note?: string | null } }) {
    const m = visibleOr404(await matchStore.get(db, input.id), (x) => maySee(ctx, x), 'Match')
    requireRole(ctx, 'manager', 'admin')
    if (input.decision === 'rejected' && !input.reason_code) {
      throw new InvalidError([{ field: 'body.reason_code', message: `one of ${REVIEW_REASONS.join(', ')}` }], 'A rejection needs a reason code / 驳回需选择原因')
    }
    if (input.decision === 'confirmed' && m.item_state !== 'active') {
      throw new ConflictError(`The item is ${m.item_state}; it cannot be confirmed / 该成果或专利已撤回或删除，不能确认`, { item_state: m.item_state })
    }
    const key = ctx.kind === 'key' ? ctx : null
    await db.transaction(async (tx) => {
      await matchStore.review(tx, m, { decision: input.decision, reasonCode: input.reason_code ?? null, note: input.note ?? null, keyId: key?.keyId ?? null, orgId: key?.orgId ?? null })
      await recordAudit(tx, ctx, {
        action: 'match.review', objectKind: 'match', objectId: m.id, orgId: m.need_org_id,
        before: { state: m.state }, after: { state: input.decision },
        note: { need_id: m.need_id, item_kind: m.item_kind, item_id: m.item_id, decision: input.decision, reason_code: input.reason_code ?? null },
      })
    })
    await onReviewed?.()
    return getMatch({ ctx, input: { id: m.id } })
  }

  /** GET /v1/reviews (staff): who decided what and why, newest first; by need, reviewer and time. */
  async function listReviews({ ctx, input }: { ctx: Caller; input: { need_id?: string; reviewer?: string; since?: string; until?: string; limit: number; cursor?: string } }) {
    requireRole(ctx, 'manager', 'admin')
    const after = decodeCursor(input.cursor, ReviewCursor)
    const rows = await matchStore.reviews(db, { needId: input.need_id, reviewerKeyId: input.reviewer, since: input.since, until: input.until, after, limit: input.limit + 1 })
    const items = rows.slice(0, input.limit)
    const last = items[items.length - 1]
    return { items, next_cursor: rows.length > input.limit && last ? encodeCursor({ at: last.at_key, id: last.id }) : null }
  }

  return { listNeedMatches, listItemMatches, listMatches, getMatch, reviewMatch, listReviews }
}
