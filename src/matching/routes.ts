// HTTP for matching: run, list, read, review, and free-text search.
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, iso, json, jsonBody } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses as P } from '../api/errors'
import { ForbiddenError } from '../errors'
import { KIND_DEFS } from '../catalog/kinds'
import { jobId } from '../jobs/registry'
import { ownsOrStaff, visibleOr404 } from '../orgs/access'
import { REVIEW_REASONS } from './service'
import type { MatchRow } from './store'
import { safeText } from '../validation'

const Match = z
  .object({
    id: z.uuid(),
    need_id: z.uuid(),
    need_title: z.string(),
    item_kind: z.enum(['achievement', 'patent']),
    item_id: z.uuid(),
    item_title: z.string(),
    score: z.number(),
    state: z.enum(['suggested', 'confirmed', 'rejected']),
    is_new: z.boolean().openapi({ description: 'first suggested by the latest run' }),
    components: z.record(z.string(), z.unknown()).openapi({ description: 'relevance, RRF, per-source ranks and scores, features' }),
    explanation: z.object({
      shared_terms: z.array(z.string()), ipc_overlap: z.array(z.string()), reasons: z.array(z.string()), summary: z.string(),
      model_rationale: z.string().optional().openapi({ description: 'the chat model\'s reason (only when CHAT_MODEL re-ranked this match; a draft until reviewed)' }),
    }),
    model: z.string().nullable(),
    prompt_version: z.string().nullable(),
    input_hash: z.string().nullable(),
    reviewed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Match')

const out = (m: MatchRow) => ({
  id: m.id, need_id: m.need_id, need_title: m.need_title, item_kind: m.item_kind, item_id: m.item_id, item_title: m.item_title,
  score: m.score, state: m.state, is_new: m.is_new, components: m.components, explanation: m.explanation, model: m.model,
  prompt_version: m.prompt_version, input_hash: m.input_hash, reviewed_at: iso(m.reviewed_at), created_at: iso(m.created_at)!, updated_at: iso(m.updated_at)!,
})

const ListQuery = z.object({
  kind: z.enum(['achievement', 'patent']).optional(),
  state: z.enum(['suggested', 'confirmed', 'rejected']).optional(),
  min_score: z.coerce.number().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
})

const Review = z.object({
  decision: z.enum(['confirmed', 'rejected']),
  reason_code: z.enum(REVIEW_REASONS).nullish().openapi({ description: REVIEW_REASONS.join(' / ') }),
  note: safeText().trim().max(2000).nullish(),
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
      method: 'post', path: '/v1/needs/{id}/match', tags, summary: 'Run matching for a need now (a job)',
      request: { params: IdParam },
      responses: { 202: json(z.object({ job_id: z.string() }), 'queued'), 401: P[401], 403: P[403], 404: P[404], 503: P[503] },
    }),
    async (c) => {
      const caller = c.get('caller')
      const id = c.req.valid('param').id
      const need = visibleOr404(await services.catalog.get(caller, 'need', id).catch(() => null), () => true, KIND_DEFS.need.label)
      if (!ownsOrStaff(caller, need.org_id)) throw new ForbiddenError('Only the owning enterprise or a manager may run matching / 仅需求方或技术经理人可发起匹配')
      const runId = `need:${id}:manual-${Date.now()}`
      const job = jobId('match', 'need', id, Date.now())
      await services.queue.enqueue('matching.run', { kind: 'need', id, runId }, { jobId: job, orgId: need.org_id })
      return c.json({ job_id: job }, 202)
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/needs/{id}/matches', tags,
      summary: 'Ranked matches of a need (enterprises see only confirmed matches of their own needs)',
      request: { params: IdParam, query: ListQuery },
      responses: { 200: json(z.object({ items: z.array(Match) }), 'matches'), 401: P[401], 404: P[404] },
    }),
    async (c) => {
      const rows = await matching.listForNeed(c.get('caller'), c.req.valid('param').id, c.req.valid('query'))
      return c.json({ items: rows.map(out) }, 200)
    },
  )

  for (const kind of ['achievement', 'patent'] as const) {
    app.openapi(
      createRoute({
        method: 'get', path: `/v1/${KIND_DEFS[kind].path}/{id}/matches`, tags,
        summary: `Needs matched with a ${kind} (universities see only confirmed matches of their own items)`,
        request: { params: IdParam, query: ListQuery.omit({ kind: true }) },
        responses: { 200: json(z.object({ items: z.array(Match) }), 'matches'), 401: P[401], 404: P[404] },
      }),
      async (c) => {
        const rows = await matching.listForItem(c.get('caller'), kind, c.req.valid('param').id, c.req.valid('query'))
        return c.json({ items: rows.map(out) }, 200)
      },
    )
  }

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/matches/{id}', tags, summary: 'One match with its explanation',
      request: { params: IdParam },
      responses: { 200: json(Match, 'the match'), 401: P[401], 404: P[404] },
    }),
    async (c) => c.json(out(await matching.get(c.get('caller'), c.req.valid('param').id)), 200),
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/matches/{id}/review', tags,
      summary: 'Confirm or reject a suggested match (managers); every review is kept',
      request: { params: IdParam, body: jsonBody(Review) },
      responses: { 200: json(Match.extend({ reviews: z.array(z.record(z.string(), z.unknown())) }), 'reviewed'), 400: P[400], 401: P[401], 403: P[403], 404: P[404] },
    }),
    async (c) => {
      const r = await matching.review(c.get('caller'), c.req.valid('param').id, c.req.valid('json'))
      return c.json({ ...out(r.match), reviews: r.reviews }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/search', tags, summary: 'Rank the catalogue for free text (same pipeline as matching)',
      request: { body: jsonBody(Search) },
      responses: {
        200: json(z.object({ items: z.array(z.object({ kind: z.string(), id: z.uuid(), title: z.string(), score: z.number(), components: z.unknown(), explanation: z.unknown() })) }), 'ranked'),
        400: P[400], 401: P[401],
      },
    }),
    async (c) => c.json({ items: await matching.search(c.get('caller'), c.req.valid('json')) }, 200),
  )
}
