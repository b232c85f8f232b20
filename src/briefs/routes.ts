// HTTP for challenge briefs (企业出题榜单): draft from a need, read, edit, versions and diffs, confirm, publish, lifecycle, export.
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, json, jsonBody } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses as P } from '../api/errors'
import { BRIEF_STAGES, BRIEF_STATUS, BriefContent, Clarity, STAGE_LABELS, WRITERS } from './schema'

const Brief = z
  .object({
    id: z.uuid(),
    need_id: z.uuid(),
    status: z.enum(BRIEF_STATUS).openapi({ description: 'drafting -> draft -> edited -> confirmed -> published (failed: drafting failed)' }),
    stage: z.enum(BRIEF_STAGES).nullable().openapi({ description: `once published: ${BRIEF_STAGES.map((s) => `${s} ${STAGE_LABELS[s]}`).join(' -> ')}` }),
    stage_label: z.string().nullable(),
    version: z.number().int().openapi({ description: 'current version (0 while drafting); every edit adds one' }),
    content: BriefContent.nullable(),
    clarity: Clarity.nullable(),
    writer: z.enum(['template', 'model', 'person']).nullable().openapi({ description: 'who wrote the current version' }),
    model: z.string().nullable(),
    prompt_version: z.string().nullable(),
    input_hash: z.string().nullable(),
    notes: z.record(z.string(), z.unknown()).openapi({ description: 'how a machine draft was made: fallbacks, repairs, values marked 待确认' }),
    job_id: z.string(),
    failure: z.string().nullable(),
    confirmed_version: z.number().int().nullable(),
    confirmed_at: z.string().nullable(),
    published_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Brief')

const Version = z.object({
  version: z.number().int(), writer: z.string(), model: z.string().nullable(), prompt_version: z.string().nullable(), input_hash: z.string().nullable(),
  clarity_score: z.number().int(), author_role: z.string().nullable(), notes: z.record(z.string(), z.unknown()), created_at: z.string(),
})

const VersionParam = IdParam.extend({
  version: z.coerce.number().int().min(1).max(1_000_000).openapi({ param: { name: 'version', in: 'path' } }),
})

const Draft = z.object({
  writer: z.enum(WRITERS).default('auto').openapi({ description: 'auto: the chat model when one is configured (never for a private need), else the template; template; model' }),
  navigation: z.enum(['auto', 'build', 'none']).default('auto').openapi({
    description: "auto: draw on the need's newest built navigation report the caller may read; build: order a report for the need first (the draft waits for it); none",
  }),
})
const Edit = z.object({
  base_version: z.number().int().min(1).openapi({ description: 'the version you edited (409 when the brief has changed since)' }),
  content: z.record(z.string(), z.unknown()).openapi({ description: 'fields of the brief to replace (any subset of BriefContent)' }),
})
const tags = ['briefs 企业出题']

export function registerBriefRoutes(app: App, { services }: AppDeps) {
  const briefs = services.briefs

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/needs/{id}/briefs', tags, summary: 'Draft a challenge brief from a need (a job) / 由需求起草榜单',
      request: { params: IdParam, body: { required: false, content: { 'application/json': { schema: Draft } } } },
      responses: {
        202: json(z.object({ id: z.uuid(), job_id: z.string(), status: z.enum(BRIEF_STATUS), created: z.boolean() }), 'queued (or the same unedited draft, when asked again for unchanged need text)'),
        400: P[400], 401: P[401], 403: P[403], 404: P[404], 503: P[503],
      },
    }),
    async (c) => {
      const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : Draft.parse({})
      const r = await briefs.draftBrief({ ctx: c.get('caller'), input: { needId: c.req.valid('param').id, writer: body?.writer ?? 'auto', navigation: body?.navigation ?? 'auto' } })
      return c.json({ id: r.brief.id, job_id: r.jobId, status: r.brief.status, created: r.created }, 202)
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/needs/{id}/briefs', tags, summary: 'Briefs of a need that the caller may see',
      request: { params: IdParam },
      responses: { 200: json(z.object({ items: z.array(Brief) }), 'briefs, newest first'), 401: P[401], 404: P[404] },
    }),
    async (c) => c.json({ items: await briefs.listBriefsForNeed({ ctx: c.get('caller'), input: { needId: c.req.valid('param').id } }) }, 200),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/briefs/{id}', tags, summary: 'A brief: current version, clarity check, and how it was written',
      request: { params: IdParam },
      responses: { 200: json(Brief, 'the brief'), 401: P[401], 404: P[404] },
    }),
    async (c) => c.json((await briefs.getBrief({ ctx: c.get('caller'), input: { id: c.req.valid('param').id } })), 200),
  )

  app.openapi(
    createRoute({
      method: 'patch', path: '/v1/briefs/{id}', tags, summary: 'Edit a brief: a new version (the need\'s enterprise or a manager)',
      request: { params: IdParam, body: jsonBody(Edit) },
      responses: { 200: json(Brief, 'the new version'), 400: P[400], 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
    }),
    async (c) => {
      const b = c.req.valid('json')
      return c.json((await briefs.editBrief({ ctx: c.get('caller'), input: { id: c.req.valid('param').id, baseVersion: b.base_version, content: b.content } })), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/briefs/{id}/versions', tags, summary: 'Every version of a brief (who wrote it, clarity score)',
      request: { params: IdParam },
      responses: { 200: json(z.object({ items: z.array(Version) }), 'versions, oldest first'), 401: P[401], 404: P[404] },
    }),
    async (c) => c.json({ items: await briefs.listBriefVersions({ ctx: c.get('caller'), input: { id: c.req.valid('param').id } }) }, 200),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/briefs/{id}/versions/{version}', tags, summary: 'One version of a brief',
      request: { params: VersionParam },
      responses: { 200: json(Version.omit({ clarity_score: true, author_role: true }).extend({ content: BriefContent, clarity: Clarity }), 'the version'), 400: P[400], 401: P[401], 404: P[404] },
    }),
    async (c) => {
      const p = c.req.valid('param')
      return c.json((await briefs.getBriefVersion({ ctx: c.get('caller'), input: { id: p.id, version: p.version } })), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/briefs/{id}/diff', tags, summary: 'Field-by-field differences between two versions',
      request: {
        params: IdParam,
        query: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
      },
      responses: {
        200: json(z.object({ from: z.number(), to: z.number(), clarity: z.object({ from: z.number(), to: z.number() }), changes: z.array(z.record(z.string(), z.unknown())) }), 'the differences'),
        400: P[400], 401: P[401], 404: P[404],
      },
    }),
    async (c) => {
      const q = c.req.valid('query')
      return c.json((await briefs.diffBriefVersions({ ctx: c.get('caller'), input: { id: c.req.valid('param').id, from: q.from, to: q.to } })), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/briefs/{id}/confirm', tags, summary: 'Confirm the current version (the need\'s enterprise or a manager)',
      request: { params: IdParam, body: jsonBody(z.object({ version: z.number().int().min(1).openapi({ description: 'the version you read and confirm' }) })) },
      responses: { 200: json(Brief, 'confirmed'), 400: P[400], 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
    }),
    async (c) => c.json((await briefs.confirmBrief({ ctx: c.get('caller'), input: { id: c.req.valid('param').id, version: c.req.valid('json').version } })), 200),
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/briefs/{id}/publish', tags, summary: 'Publish a confirmed brief (visible to whoever may see the need)',
      request: { params: IdParam },
      responses: { 200: json(Brief, 'published'), 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
    }),
    async (c) => c.json((await briefs.publishBrief({ ctx: c.get('caller'), input: { id: c.req.valid('param').id } })), 200),
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/briefs/{id}/stage', tags, summary: 'Move a published brief to its next stage (已发布 -> 待揭榜 -> 攻关中 -> 验收中 -> 已结束)',
      request: { params: IdParam, body: jsonBody(z.object({ stage: z.enum(BRIEF_STAGES) })) },
      responses: { 200: json(Brief, 'moved'), 400: P[400], 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
    }),
    async (c) => c.json((await briefs.advanceBriefStage({ ctx: c.get('caller'), input: { id: c.req.valid('param').id, stage: c.req.valid('json').stage } })), 200),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/briefs/{id}/export', tags, summary: 'Export as Markdown or printable HTML',
      request: {
        params: IdParam,
        query: z.object({ format: z.enum(['md', 'html']).default('md'), version: z.coerce.number().int().min(1).optional() }),
      },
      responses: {
        200: { description: 'the brief', content: { 'text/markdown': { schema: z.string() }, 'text/html': { schema: z.string() } } },
        400: P[400], 401: P[401], 404: P[404], 409: P[409],
      },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const id = c.req.valid('param').id
      const text = await briefs.exportBrief({ ctx: c.get('caller'), input: { id, format: q.format, version: q.version } })
      return c.body(text, 200, {
        'content-type': q.format === 'md' ? 'text/markdown; charset=utf-8' : 'text/html; charset=utf-8',
        'content-disposition': `inline; filename="brief-${id}.${q.format}"`,
        'x-content-type-options': 'nosniff',
        ...(q.format === 'html' ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" } : {}),
      })
    },
  )
}
