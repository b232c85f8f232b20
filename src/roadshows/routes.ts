// HTTP for roadshow shortlists (路演短名单): suggest from a theme, read, edit the programme, confirm, export, judges' scores.
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, json, jsonBody } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses as P } from '../api/errors'
import { MATURITY } from '../catalog/fields'
import { PROGRAMME_FORMATS } from './render'
import { ENTRY_KINDS, ROADSHOW_KINDS, ROADSHOW_STATUS, RoadshowCreate, RoadshowEdit, ScoreIn, Theme } from './schema'

const Entry = z.object({
  position: z.number().int().nullable().openapi({ description: 'slot in the programme (1 = first); null for an alternate' }),
  kind: z.enum(ENTRY_KINDS),
  id: z.uuid(),
  title: z.string(),
  org_name: z.string(),
  field: z.string().nullable(),
  maturity: z.enum(MATURITY).nullable(),
  maturity_label: z.string().nullable(),
  region: z.string().nullable(),
  source: z.enum(['suggested', 'organizer']).openapi({ description: 'suggested by the service, or added by the organiser' }),
  score: z.number().nullable().openapi({ description: 'the matching score (achievements) or keyword coverage (briefs) when suggested' }),
  reasons: z.array(z.string()).openapi({ description: '推荐理由: shared keywords, field, maturity, region; for an alternate, why it was left out' }),
  available: z.boolean().openapi({ description: 'false when the item was archived or the brief closed since it was listed' }),
  starts_at: z.string().nullable(),
  ends_at: z.string().nullable(),
})

const Roadshow = z
  .object({
    id: z.uuid(),
    kind: z.enum(ROADSHOW_KINDS),
    kind_label: z.string(),
    title: z.string(),
    theme: Theme,
    size: z.number().int(),
    per_org_max: z.number().int(),
    slot: z.object({ pitch: z.number().int(), qa: z.number().int() }),
    starts_at: z.string().nullable(),
    breaks: z.array(z.object({ after: z.number().int(), minutes: z.number().int(), label: z.string(), starts_at: z.string().nullable(), ends_at: z.string().nullable(), shown: z.boolean() }))
      .openapi({ description: 'every break, `after` in this reader\'s numbering; `shown` when it falls between two entries this reader sees (then with its times); send them back whole in an edit' }),
    status: z.enum(ROADSHOW_STATUS).openapi({ description: 'draft until an organiser confirms a version; any edit makes a new draft version' }),
    version: z.number().int(),
    confirmed_version: z.number().int().nullable(),
    confirmed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    entries: z.array(Entry).openapi({ description: 'the programme, in order' }),
    alternates: z.array(Entry).openapi({ description: 'next best candidates (and those the per-organisation cap left out)' }),
    withdrawn: z.number().int().openapi({ description: 'programme entries you can no longer see (withdrawn by their owner): edit them out before confirming' }),
  })
  .openapi('Roadshow')

const Summary = Roadshow.pick({ id: true, kind: true, kind_label: true, title: true, size: true, status: true, version: true, starts_at: true, created_at: true, updated_at: true })

const Result = z.object({
  id: z.uuid(), title: z.string(), status: z.enum(ROADSHOW_STATUS),
  items: z.array(z.object({
    rank: z.number().int().nullable(), position: z.number().int().nullable(), kind: z.enum(ENTRY_KINDS), id: z.uuid(), title: z.string(), org_name: z.string(),
    judges: z.number().int(), scores: z.array(z.object({ judge: z.string(), score: z.number() })),
    mean: z.number().nullable(), trimmed_mean: z.number().nullable().openapi({ description: 'mean after dropping the highest and the lowest score (three judges or more)' }),
    dropped: z.object({ lowest: z.number(), highest: z.number() }).nullable(),
  })),
}).openapi('RoadshowResults')

const tags = ['roadshows 路演']

export function registerRoadshowRoutes(app: App, { services }: AppDeps) {
  const roadshows = services.roadshows

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/roadshows', tags, summary: 'Suggest a roadshow shortlist for a theme (organisers and managers) / 生成路演短名单',
      description: 'Ranks what the caller may see through the matching pipeline (achievements) or by keyword coverage (published briefs, reverse roadshow), keeps what fits the theme, and caps each organisation at per_org_max. The shortlist is a draft until an organiser confirms it.',
      request: { body: jsonBody(RoadshowCreate) },
      responses: { 201: json(Roadshow, 'the suggested shortlist'), 400: P[400], 401: P[401], 403: P[403] },
    }),
    async (c) => c.json(await roadshows.createRoadshow({ ctx: c.get('caller'), input: c.req.valid('json') }), 201),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/roadshows', tags, summary: 'Roadshows of the caller\'s organisation (all for staff), newest first',
      responses: { 200: json(z.object({ items: z.array(Summary) }), 'roadshows'), 401: P[401] },
    }),
    async (c) => c.json({ items: await roadshows.listRoadshows({ ctx: c.get('caller'), input: {} }) }, 200),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/roadshows/{id}', tags, summary: 'A roadshow: its programme with slot times, and alternates',
      request: { params: IdParam },
      responses: { 200: json(Roadshow, 'the roadshow'), 401: P[401], 404: P[404] },
    }),
    async (c) => c.json(await roadshows.getRoadshow({ ctx: c.get('caller'), input: { id: c.req.valid('param').id } }), 200),
  )

  app.openapi(
    createRoute({
      method: 'patch', path: '/v1/roadshows/{id}', tags, summary: 'Edit the programme (order, swap in alternates, add items), title, slots or start: a new draft version',
      request: { params: IdParam, body: jsonBody(RoadshowEdit) },
      responses: { 200: json(Roadshow, 'the new version'), 400: P[400], 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
    }),
    async (c) => c.json(await roadshows.editRoadshow({ ctx: c.get('caller'), input: { id: c.req.valid('param').id, edit: c.req.valid('json') } }), 200),
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/roadshows/{id}/confirm', tags, summary: 'Confirm the version you read (every entry must still be presentable)',
      request: { params: IdParam, body: jsonBody(z.object({ version: z.number().int().min(1) })) },
      responses: { 200: json(Roadshow, 'confirmed'), 400: P[400], 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
    }),
    async (c) => c.json(await roadshows.confirmRoadshow({ ctx: c.get('caller'), input: { id: c.req.valid('param').id, version: c.req.valid('json').version } }), 200),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/roadshows/{id}/export', tags, summary: 'The programme (节目单) as Markdown, printable HTML or CSV',
      request: { params: IdParam, query: z.object({ format: z.enum(PROGRAMME_FORMATS).default('html') }) },
      responses: {
        200: { description: 'the programme', content: { 'text/markdown': { schema: z.string() }, 'text/html': { schema: z.string() }, 'text/csv': { schema: z.string() } } },
        400: P[400], 401: P[401], 404: P[404],
      },
    }),
    async (c) => {
      const format = c.req.valid('query').format
      const id = c.req.valid('param').id
      const text = await roadshows.exportRoadshow({ ctx: c.get('caller'), input: { id, format } })
      const type = { md: 'text/markdown', html: 'text/html', csv: 'text/csv' }[format]
      return c.body(text, 200, {
        'content-type': `${type}; charset=utf-8`,
        'content-disposition': `${format === 'csv' ? 'attachment' : 'inline'}; filename="roadshow-${id}.${format}"`,
        'x-content-type-options': 'nosniff',
        ...(format === 'html' ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" } : {}),
      })
    },
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/roadshows/{id}/scores', tags, summary: 'Record a judge\'s score of a programme entry (once confirmed; scoring again replaces it)',
      request: { params: IdParam, body: jsonBody(ScoreIn) },
      responses: { 200: json(Result, 'the results with this score'), 400: P[400], 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
    }),
    async (c) => c.json(await roadshows.scoreEntry({ ctx: c.get('caller'), input: { id: c.req.valid('param').id, score: c.req.valid('json') } }), 200),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/roadshows/{id}/results', tags, summary: 'Results: entries by their judges\' mean with the highest and lowest scores dropped',
      request: { params: IdParam },
      responses: { 200: json(Result, 'the results'), 401: P[401], 404: P[404] },
    }),
    async (c) => c.json(await roadshows.resultsOf({ ctx: c.get('caller'), input: { id: c.req.valid('param').id } }), 200),
  )
}
