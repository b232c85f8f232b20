// HTTP for patent-navigation reports: order, read (JSON / Markdown / HTML), list, rebuild, confirm the summary.
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, json, jsonBody, PageQuery, pageOf } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses as P } from '../api/errors'
import { ConfirmBody, REPORT_STATUS, ReportCreate } from './schema'
import type { ReportRow } from './store'

const ReportOut = z
  .object({
    id: z.uuid(),
    org_id: z.uuid(),
    title: z.string(),
    scope: z.record(z.string(), z.unknown()),
    need_id: z.uuid().nullable(),
    status: z.enum(REPORT_STATUS),
    progress: z.record(z.string(), z.unknown()).openapi({ description: '{ step, percent } while it is built' }),
    error: z.string().nullable(),
    build: z.number().int(),
    job_id: z.string().nullable().openapi({ description: 'the build job (GET /v1/jobs/{id})' }),
    summary_state: z.enum(['draft', 'confirmed']),
    summary: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'text, source (template|model), model, prompt_version, input_hash' }),
    confirmed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.string().nullable(),
    report: z.record(z.string(), z.unknown()).nullable().optional().openapi({ description: 'the sections (GET of one report only)' }),
  })
  .openapi('NavigationReport')

const out = (r: ReportRow, withReport = false) => {
  const { caller: _c, report, confirmed_by: _b, ...rest } = r
  return { ...rest, ...(withReport ? { report } : {}) }
}

export function registerNavigationRoutes(app: App, { services }: AppDeps) {
  const nav = services.navigation
  const tags = ['navigation 专利导航']

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/navigation-reports', tags,
      summary: 'Order a patent-navigation report for a scope (a need, keywords, IPC prefixes, applicants, dates, types, legal status); built by a job',
      request: { body: jsonBody(ReportCreate) },
      responses: { 202: json(ReportOut, 'queued'), 400: P[400], 401: P[401], 403: P[403], 404: P[404], 503: P[503] },
    }),
    async (c) => c.json(out(await nav.createReport({ ctx: c.get('caller'), input: c.req.valid('json') })), 202),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/navigation-reports', tags, summary: 'Reports the caller may read, newest first',
      request: { query: PageQuery.extend({ status: z.enum(REPORT_STATUS).optional() }) },
      responses: { 200: json(pageOf(ReportOut), 'a page'), 400: P[400], 401: P[401] },
    }),
    async (c) => {
      const r = await nav.listReports({ ctx: c.get('caller'), input: c.req.valid('query') })
      return c.json({ items: r.items.map((x) => out(x)), next_cursor: r.next_cursor }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/navigation-reports/{id}', tags,
      summary: 'A report: JSON with its sections, or rendered (?format=md | html: self-contained, printable, charts as inline SVG)',
      request: { params: IdParam, query: z.object({ format: z.enum(['json', 'md', 'html']).default('json') }) },
      responses: {
        200: {
          description: 'the report',
          content: { 'application/json': { schema: ReportOut }, 'text/markdown': { schema: z.string() }, 'text/html': { schema: z.string() } },
        },
        400: P[400], 401: P[401], 404: P[404], 409: P[409],
      },
    }),
    async (c) => {
      const ctx = c.get('caller')
      const { id } = c.req.valid('param')
      const { format } = c.req.valid('query')
      if (format === 'json') return c.json(out(await nav.getReport({ ctx, input: { id } }), true), 200)
      const body = await nav.renderReport({ ctx, input: { id, format } })
      return c.body(body, 200, {
        'content-type': format === 'html' ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8',
        // the page carries its own styles and SVG; nothing else may load or run
        ...(format === 'html' ? { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:" } : {}),
        'x-content-type-options': 'nosniff',
      })
    },
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/navigation-reports/{id}/rebuild', tags, summary: 'Build the report again over the current data',
      request: { params: IdParam },
      responses: { 202: json(ReportOut, 'queued'), 401: P[401], 403: P[403], 404: P[404], 409: P[409], 503: P[503] },
    }),
    async (c) => c.json(out(await nav.rebuildReport({ ctx: c.get('caller'), input: c.req.valid('param') })), 202),
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/navigation-reports/{id}/confirm', tags,
      summary: 'Confirm the written summary (managers), optionally as edited; until then it is a draft',
      request: { params: IdParam, body: { required: false, content: { 'application/json': { schema: ConfirmBody } } } },
      responses: { 200: json(ReportOut, 'confirmed'), 400: P[400], 401: P[401], 403: P[403], 404: P[404], 409: P[409] },
    }),
    async (c) => {
      const body = c.req.header('content-type')?.includes('application/json') ? c.req.valid('json') : {}
      return c.json(out(await nav.confirmReport({ ctx: c.get('caller'), input: { id: c.req.valid('param').id, body } }), true), 200)
    },
  )
}
