// HTTP for the three catalogues: /v1/achievements, /v1/patents, /v1/needs (CRUD + filtered, paginated lists).
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, iso, json, jsonBody, PageQuery, pageOf } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses as P } from '../api/errors'
import { KINDS, KIND_DEFS, type Row } from './kinds'

const Meta = {
  id: z.uuid(),
  org_id: z.uuid(),
  terms: z.array(z.object({ term: z.string(), weight: z.number() })).openapi({ description: 'top tf-idf keywords' }),
  indexed: z.boolean().openapi({ description: 'analysed and embedded for the current text' }),
  embedding_model: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
}

/** A stored row as the API returns it. */
export function rowOut(row: Row): Record<string, unknown> {
  const { content_hash: _c, natural_key: _n, ...rest } = row
  return { ...rest, created_at: iso(row.created_at as Date), updated_at: iso(row.updated_at as Date) }
}

export function registerCatalogRoutes(app: App, { services }: AppDeps) {
  const catalog = services.catalog
  for (const kind of KINDS) {
    const def = KIND_DEFS[kind]
    const tags = [def.label]
    const name = kind[0]!.toUpperCase() + kind.slice(1)
    const Item = (def.fields as unknown as z.ZodObject)
      .extend(Meta)
      .extend(kind === 'need' ? { unreviewed_suggestions: z.number().int().optional().openapi({ description: 'unreviewed match suggestions (staff only)' }) } : {})
      .openapi(name)
    const Written = Item.extend({ job_id: z.string().nullable().openapi({ description: 'the index job (GET /v1/jobs/{id}); null when the text did not change' }) })
    const base = `/v1/${def.path}`

    app.openapi(
      createRoute({
        method: 'post', path: base, tags, summary: `Create a ${def.label}`,
        request: { body: jsonBody(def.create) },
        responses: { 201: json(Written, 'created; analysis and embedding run as a job'), 400: P[400], 401: P[401], 403: P[403], 409: P[409] },
      }),
      async (c) => {
        const r = await catalog.create(c.get('caller'), kind, c.req.valid('json') as Record<string, unknown>)
        return c.json({ ...rowOut(r.row), job_id: r.jobId } as never, 201)
      },
    )

    app.openapi(
      createRoute({
        method: 'get', path: base, tags, summary: `List ${def.label} (filters, keyword query q, cursor pagination)`,
        request: { query: PageQuery.extend(def.listFilters.shape) },
        responses: { 200: json(pageOf(Item), 'a page, newest first'), 400: P[400], 401: P[401] },
      }),
      async (c) => {
        const r = await catalog.list(c.get('caller'), kind, c.req.valid('query') as never)
        return c.json({ items: r.items.map(rowOut), next_cursor: r.next_cursor } as never, 200)
      },
    )

    app.openapi(
      createRoute({
        method: 'get', path: `${base}/{id}`, tags, summary: `Get a ${def.label}`,
        request: { params: IdParam },
        responses: { 200: json(Item, 'the item'), 401: P[401], 404: P[404] },
      }),
      async (c) => c.json(rowOut(await catalog.get(c.get('caller'), kind, c.req.valid('param').id)) as never, 200),
    )

    app.openapi(
      createRoute({
        method: 'patch', path: `${base}/{id}`, tags, summary: `Update a ${def.label} (a text change re-analyses and re-embeds)`,
        request: { params: IdParam, body: jsonBody(def.update) },
        responses: { 200: json(Written, 'updated'), 400: P[400], 401: P[401], 403: P[403], 404: P[404] },
      }),
      async (c) => {
        const r = await catalog.update(c.get('caller'), kind, c.req.valid('param').id, c.req.valid('json') as Record<string, unknown>)
        return c.json({ ...rowOut(r.row), job_id: r.jobId } as never, 200)
      },
    )

    app.openapi(
      createRoute({
        method: 'delete', path: `${base}/{id}`, tags, summary: `Delete a ${def.label}`,
        request: { params: IdParam },
        responses: { 204: { description: 'deleted' }, 401: P[401], 403: P[403], 404: P[404] },
      }),
      async (c) => {
        await catalog.remove(c.get('caller'), kind, c.req.valid('param').id)
        return c.body(null, 204)
      },
    )
  }
}
