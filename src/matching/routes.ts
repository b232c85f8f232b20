// HTTP for matching: run, list (a need's, an item's, the review queue), read, review, review history, and free-text
// search. Each route parses, calls one service function and answers.
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, iso, json, jsonBody } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses as P } from '../api/errors'
import { KIND_DEFS } from '../catalog/kinds'
import { safeText } from '../validation'
import { type MatchView, REVIEW_REASONS } from './service'
import type { ReviewRow } from './store'

const MatchModel = z
  .object({
    model: z.string(),
    prompt_version: z.string(),
    input_hash: z.string(),
    rationale: z.string().openapi({ description: 'the chat model\'s reason, as data (markup stripped); a draft until a person reviews the match' }),
  })
  .openapi('MatchModel', { description: 'written by a chat model (only when CHAT_MODEL re-ranked this match); it never changes a state' })

const IndicatorCheck = z.object({
  name: z.string(), target: z.string(), unit: z.string().nullable(), found: z.string().openapi({ description: 'what the item\'s text says' }),
  verdict: z.enum(['达到', '未达到']),
})

const ReviewOut = z
  .object({
    id: z.uuid(),
    match_id: z.uuid(),
    need_id: z.uuid(),
    item_kind: z.enum(['achievement', 'patent']),
    item_id: z.uuid(),
    decision: z.enum(['confirmed', 'rejected']),
    reason_code: z.string().nullable(),
    note: z.string().nullable(),
    reviewer_key_id: z.uuid().nullable(),
    reviewer_org_id: z.uuid().nullable(),
    reviewer_name: z.string().nullable(),
    score: z.number().openapi({ description: 'the score the reviewer saw' }),
    explanation: z.record(z.string(), z.unknown()).openapi({ description: 'the explanation, components and strength the reviewer saw' }),
    created_at: z.string(),
  })
  .openapi('MatchReview')

const RankerVersionOut = z
  .object({
    version: z.string(),
    promoted: z.boolean().openapi({ description: 'ranks new matches now (one per platform at most)' }),
    reviews: z.number().int().openapi({ description: 'reviews on the platform when it was fitted' }),
    held_out: z.number().int().openapi({ description: 'reviews held out from the fit (a fifth of the reviewed needs)' }),
    auc_base: z.number().nullable().openapi({ description: 'the ranking in use on the held-out reviews: share of (confirmed, rejected) pairs of one need ordered right' }),
    auc_learned: z.number().nullable().openapi({ description: 'this version on the same held-out reviews' }),
    features: z.array(z.string()),
    created_at: z.string(),
  })
  .openapi('RankerVersion')

const Match = z
  .object({
    id: z.uuid(),
    need_id: z.uuid(),
    need_title: z.string(),
    item_kind: z.enum(['achievement', 'patent']),
    item_id: z.uuid(),
    item_state: z.enum(['active', 'withdrawn', 'deleted']).openapi({ description: 'withdrawn: the item is no longer active (draft, archived, lapsed); deleted: it is gone' }),
    item_title: z.string().nullable().openapi({ description: 'null when the item is deleted or the caller may not read it' }),
    item_status: z.string().nullable(),
    item_org_id: z.uuid().nullable(),
    item_org_name: z.string().nullable(),
    snippet: z.string().nullable().openapi({ description: 'the start of the item\'s summary or abstract' }),
    score: z.number().openapi({ description: 'ranking score within the need\'s list' }),
    strength: z.number().nullable().openapi({ description: 'calibrated strength 0-1, comparable across needs' }),
    band: z.enum(['强', '中', '弱']).nullable(),
    state: z.enum(['suggested', 'confirmed', 'rejected']),
    is_new: z.boolean().openapi({ description: 'first suggested by the latest run' }),
    components: z.record(z.string(), z.unknown()).openapi({ description: 'relevance, RRF, per-source ranks and scores, features, ranker version' }),
    explanation: z.object({
      shared_terms: z.array(z.string()), ipc_overlap: z.array(z.string()), indicators: z.array(IndicatorCheck), reasons: z.array(z.string()), summary: z.string(),
    }),
    model: MatchModel.nullable(),
    reviews: z.array(ReviewOut).optional().openapi({ description: 'review history, oldest first (staff only)' }),
    reviewed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Match')

const reviewOut = (r: ReviewRow) => ({
  id: r.id, match_id: r.match_id, need_id: r.need_id, item_kind: r.item_kind, item_id: r.item_id, decision: r.decision, reason_code: r.reason_code,
  note: r.note, reviewer_key_id: r.reviewer_key_id, reviewer_org_id: r.reviewer_org_id, reviewer_name: r.reviewer_name, score: r.score, explanation: r.explanation, created_at: iso(r.created_at)!,
})

const out = (m: MatchView): z.infer<typeof Match> => ({
  id: m.id, need_id: m.need_id, need_title: m.need_title, item_kind: m.item_kind, item_id: m.item_id, item_state: m.item_state,
  item_title: m.item_title, item_status: m.item_status, item_org_id: m.item_org_id, item_org_name: m.item_org_name, snippet: m.snippet,
  score: m.score, strength: m.strength, band: m.band, state: m.state, is_new: m.is_new, components: m.components,
  explanation: { shared_terms: m.explanation.shared_terms ?? [], ipc_overlap: m.explanation.ipc_overlap ?? [], indicators: (m.explanation.indicators ?? []) as z.infer<typeof IndicatorCheck>[], reasons: m.explanation.reasons ?? [], summary: m.explanation.summary ?? '' },
  model: m.model && m.prompt_version && m.input_hash ? { model: m.model, prompt_version: m.prompt_version, input_hash: m.input_hash, rationale: m.model_rationale ?? '' } : null,
  ...(m.reviews ? { reviews: m.reviews.map(reviewOut) } : {}),
  reviewed_at: iso(m.reviewed_at), created_at: iso(m.created_at)!, updated_at: iso(m.updated_at)!,
})

const ListQuery = z.object({
  kind: z.enum(['achievement', 'patent']).optional(),
  state: z.enum(['suggested', 'confirmed', 'rejected']).optional(),
  new: z.enum(['true', 'false']).optional().openapi({ description: 'true: only pairs first suggested by the latest run' }),
  min_score: z.coerce.number().min(-10).max(10).optional().openapi({ description: 'a need\'s or item\'s list: least score; the queue: least strength' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(300).optional().openapi({ description: 'opaque cursor from the previous page (next_cursor)' }),
})
type ListQueryIn = z.infer<typeof ListQuery>
const listInput = ({ new: isNew, ...q }: ListQueryIn) => ({ ...q, new: isNew === undefined ? undefined : isNew === 'true' })

const Page = z.object({ items: z.array(Match), next_cursor: z.string().nullable() })

const Review = z.object({
  decision: z.enum(['confirmed', 'rejected']),
  reason_code: z.enum(REVIEW_REASONS).nullish().openapi({ description: REVIEW_REASONS.join(' / ') }),
  note: safeText().trim().max(2000).nullish(),
})

const ReviewsQuery = z.object({
  need_id: z.uuid().optional(),
  reviewer: z.uuid().optional().openapi({ description: 'the reviewer\'s API key id' }),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(300).optional(),
})

const Search = z.object({
  query: safeText().trim().min(1).max(20_000),
  title: safeText().trim().max(200).optional().openapi({ description: 'optional title; its words weigh more' }),
  kinds: z.array(z.enum(['achievement', 'patent', 'need'])).min(1).default(['achievement', 'patent']),
  mode: z.enum(['hybrid', 'dense', 'lexical']).default('hybrid'),
  limit: z.number().int().min(1).max(200).default(20),
})

export function registerMatchingRoutes(app: App, { services }: AppDeps) {
  const matching = services.matching
  const tags = ['matching 匹配']

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/needs/{id}/match', tags, summary: 'Run matching for an open need now (a job)',
      request: { params: IdParam },
      responses: { 202: json(z.object({ job_id: z.string() }), 'queued'), 401: P[401], 403: P[403], 404: P[404], 409: P[409], 503: P[503] },
    }),
    async (c) => c.json(await matching.runNeed({ ctx: c.get('caller'), input: c.req.valid('param') }), 202),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/needs/{id}/matches', tags,
      summary: 'Ranked matches of a need (enterprises see only confirmed matches of their own needs)',
      request: { params: IdParam, query: ListQuery },
      responses: { 200: json(Page, 'matches, best first'), 400: P[400], 401: P[401], 404: P[404] },
    }),
    async (c) => {
      const r = await matching.listNeedMatches({ ctx: c.get('caller'), input: { ...listInput(c.req.valid('query')), id: c.req.valid('param').id } })
      return c.json({ items: r.items.map(out), next_cursor: r.next_cursor }, 200)
    },
  )

  for (const kind of ['achievement', 'patent'] as const) {
    app.openapi(
      createRoute({
        method: 'get', path: `/v1/${KIND_DEFS[kind].path}/{id}/matches`, tags,
        summary: `Needs matched with a ${kind} (universities see only confirmed matches of their own items)`,
        request: { params: IdParam, query: ListQuery.omit({ kind: true }) },
        responses: { 200: json(Page, 'matches, best first'), 400: P[400], 401: P[401], 404: P[404] },
      }),
      async (c) => {
        const r = await matching.listItemMatches({ ctx: c.get('caller'), input: { ...listInput(c.req.valid('query')), kind, id: c.req.valid('param').id } })
        return c.json({ items: r.items.map(out), next_cursor: r.next_cursor }, 200)
      },
    )
  }

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/matches', tags,
      summary: 'Matches across needs, strongest first; the review queue is state=suggested&new=true (managers)',
      request: { query: ListQuery.extend({ need_id: z.uuid().optional() }) },
      responses: { 200: json(Page, 'matches, strongest first'), 400: P[400], 401: P[401] },
    }),
    async (c) => {
      const r = await matching.listMatches({ ctx: c.get('caller'), input: listInput(c.req.valid('query')) })
      return c.json({ items: r.items.map(out), next_cursor: r.next_cursor }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/matches/{id}', tags, summary: 'One match with its explanation (and, for staff, its review history)',
      request: { params: IdParam },
      responses: { 200: json(Match, 'the match'), 401: P[401], 404: P[404] },
    }),
    async (c) => c.json(out(await matching.getMatch({ ctx: c.get('caller'), input: c.req.valid('param') })), 200),
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/matches/{id}/review', tags,
      summary: 'Confirm or reject a match (managers); every review is kept and audited',
      request: { params: IdParam, body: jsonBody(Review) },
      responses: { 200: json(Match, 'reviewed, with its review history'), 400: P[400], 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
    }),
    async (c) => c.json(out(await matching.reviewMatch({ ctx: c.get('caller'), input: { ...c.req.valid('json'), id: c.req.valid('param').id } })), 200),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/reviews', tags, summary: 'Review history across matches, newest first (managers and admins)',
      request: { query: ReviewsQuery },
      responses: { 200: json(z.object({ items: z.array(ReviewOut), next_cursor: z.string().nullable() }), 'reviews'), 400: P[400], 401: P[401], 403: P[403] },
    }),
    async (c) => {
      const r = await matching.listReviews({ ctx: c.get('caller'), input: c.req.valid('query') })
      return c.json({ items: r.items.map(reviewOut), next_cursor: r.next_cursor }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/rankers', tags,
      summary: 'Learned ranker versions fitted from reviews, newest first, and which one ranks now (managers and admins)',
      description: 'A version is fitted by the matching.fit-ranker job once enough new reviews exist (RANKER_MIN_REVIEWS, RANKER_MIN_NEW_REVIEWS) and promoted only if it orders the reviews held out from its fit better than the ranking in use (auc_learned > auc_base). New matches record the version that scored them in components.ranker; with no promoted version the hand-set weights rank (hand-set/1).',
      responses: { 200: json(z.object({ items: z.array(RankerVersionOut) }), 'versions'), 401: P[401], 403: P[403] },
    }),
    async (c) => c.json({ items: await matching.rankerVersions({ ctx: c.get('caller'), input: {} }) }, 200),
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/search', tags, summary: 'Rank the catalogue for free text over what the caller may see (same pipeline as matching)',
      request: { body: jsonBody(Search) },
      responses: {
        200: json(z.object({
          items: z.array(z.object({
            kind: z.string(), id: z.uuid(), title: z.string(), score: z.number(), strength: z.number().nullable(), band: z.enum(['强', '中', '弱']).nullable(),
            components: z.unknown(), explanation: z.unknown(),
          })),
          nothing_strong: z.boolean().openapi({ description: 'no item reached the 强 band (calibrated strength): the best results share words rather than solve the query' }),
          note: z.string().nullable(),
        }), 'ranked'),
        400: P[400], 401: P[401],
      },
    }),
    async (c) => {
      const items = await matching.search(c.get('caller'), c.req.valid('json'))
      const nothingStrong = !items.some((i) => i.band === '强')
      return c.json({ items, nothing_strong: nothingStrong, note: nothingStrong ? '未找到强匹配，结果仅供参考 / Nothing strong was found' : null }, 200)
    },
  )
}
