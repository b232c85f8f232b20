// HTTP for judges' scoring links: the organiser's side (/v1/roadshows/{id}/judges, an API key) and the judge's side
// (/v1/judging/*, the judge's token from the link; see src/api/auth.ts judgeMiddleware).
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, json, jsonBody } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses as P } from '../api/errors'
import { safeText } from '../validation'
import { ENTRY_KINDS } from './schema'

const Judge = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'the start of the token, to tell links apart' }),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi('RoadshowJudge')
const JudgeCreated = Judge.extend({
  token: z.string().openapi({ description: 'the judge\'s token, shown only in this response: the scoring link is /console/judge#<token>' }),
  link: z.string().openapi({ description: 'the scoring page, with the token in the fragment (never sent to a server or into logs)' }),
})
const JudgeParams = IdParam.extend({
  judge_id: z.uuid({ message: 'must be a UUID' }).openapi({ param: { name: 'judge_id', in: 'path' } }),
})
const JudgeEntry = z.object({
  position: z.number().int(), kind: z.enum(ENTRY_KINDS), id: z.uuid(), title: z.string(), org_name: z.string(), field: z.string().nullable(),
  starts_at: z.string().nullable(), ends_at: z.string().nullable(), my_score: z.number().nullable(),
})
const JudgeView = z
  .object({
    roadshow: z.object({ id: z.uuid(), title: z.string(), status: z.string(), version: z.number().int(), starts_at: z.string().nullable(), slot: z.object({ pitch: z.number(), qa: z.number() }) }),
    judge: z.object({ name: z.string() }),
    entries: z.array(JudgeEntry).openapi({ description: 'the confirmed programme (empty before confirmation)' }),
    breaks: z.array(z.object({ after: z.number().int(), minutes: z.number().int(), label: z.string(), starts_at: z.string().nullable(), ends_at: z.string().nullable(), shown: z.boolean() })),
  })
  .openapi('JudgeView')
const JudgeScore = z.object({
  kind: z.enum(ENTRY_KINDS),
  id: z.uuid(),
  score: z.number().min(0).max(100).multipleOf(0.01).openapi({ description: '0-100' }),
})

export function registerJudgeRoutes(app: App, { services }: AppDeps) {
  const judges = services.judges
  const tags = ['roadshows 路演']

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/roadshows/{id}/judges', tags, summary: 'Give a judge a scoring link (organisers); the token is shown once',
      request: { params: IdParam, body: jsonBody(z.object({ name: safeText().trim().min(1).max(60).openapi({ description: '评委 name, unique in the roadshow' }) })) },
      responses: { 201: json(JudgeCreated, 'the judge and the link'), 400: P[400], 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
    }),
    async (c) => {
      const j = await judges.addJudge({ ctx: c.get('caller'), input: { id: c.req.valid('param').id, name: c.req.valid('json').name } })
      // the token is in this body only: no cache may keep it
      return c.json({ ...j, link: `/console/judge#${j.token}` }, 201, { 'cache-control': 'no-store' })
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/roadshows/{id}/judges', tags, summary: 'The judges with scoring links (never their tokens)',
      request: { params: IdParam },
      responses: { 200: json(z.object({ items: z.array(Judge) }), 'judges'), 401: P[401], 403: P[403], 404: P[404] },
    }),
    async (c) => c.json({ items: await judges.listJudges({ ctx: c.get('caller'), input: { id: c.req.valid('param').id } }) }, 200),
  )

  app.openapi(
    createRoute({
      method: 'delete', path: '/v1/roadshows/{id}/judges/{judge_id}', tags, summary: 'Revoke a judge\'s link (its scores stay unless discard_scores=true)',
      request: {
        params: JudgeParams,
        query: z.object({ discard_scores: z.enum(['true', 'false']).default('false').openapi({ description: 'true: also drop the scores recorded under this judge\'s name (a leaked link)' }) }),
      },
      responses: { 204: { description: 'revoked' }, 400: P[400], 401: P[401], 403: P[403], 404: P[404] },
    }),
    async (c) => {
      const p = c.req.valid('param')
      await judges.revokeJudge({ ctx: c.get('caller'), input: { id: p.id, judgeId: p.judge_id, discardScores: c.req.valid('query').discard_scores === 'true' } })
      return c.body(null, 204)
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/judging/roadshow', tags, summary: 'A judge: the programme to score and the judge\'s own scores (judge token)',
      responses: { 200: json(JudgeView, 'the programme'), 401: P[401] },
    }),
    async (c) => c.json(await judges.judgeView(c.get('judge')), 200),
  )

  app.openapi(
    createRoute({
      method: 'put', path: '/v1/judging/scores', tags, summary: 'A judge: score an entry of the confirmed programme (scoring again replaces it)',
      request: { body: jsonBody(JudgeScore) },
      responses: { 200: json(JudgeView, 'the programme with this score'), 400: P[400], 401: P[401], 409: P[409] },
    }),
    async (c) => c.json(await judges.judgeScore(c.get('judge'), c.req.valid('json')), 200),
  )
}
