// HTTP for the three catalogues: /v1/achievements, /v1/patents, /v1/needs (CRUD + filtered, paginated lists).
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, iso, json, jsonBody, PageQuery, pageOf } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses as P } from '../api/errors'
import { type CatalogRow, KINDS, kindDef } from './kinds'

/** A stored row as the API returns it: without its hashes, times as ISO strings. */
export function rowOut({ content_hash: _c, natural_key: _n, ...row }: CatalogRow & { unreviewed_suggestions?: number }) {
  return { ...row, created_at: iso(row.created_at)!, updated_at: iso(row.updated_at)! }
}

export function registerCatalogRoutes(app: App, { services }: AppDeps) {
  const catalog = services.catalog
  for (const kind of KINDS) {
    const def = kindDef(kind)
    const tags = [def.label]
    const { item: Item, written: Written } = def
    const base = `/v1/${def.path}`

    app.openapi(
      createRoute({
        method: 'post', path: base, tags, summary: `Create a ${def.label}`,
        request: { body: jsonBody(def.create) },
        responses: { 201: json(Written, 'created; analysis and embedding run as a job'), 400: P[400], 401: P[401], 403: P[403], 409: P[409] },
      }),
      async (c) => {
        const r = await catalog.createItem({ ctx: c.get('caller'), input: { kind, fields: c.req.valid('json') } })
        return c.json({ ...rowOut(r.row), job_id: r.jobId }, 201)
      },
    )

    app.openapi(
      createRoute({
        method: 'get', path: base, tags, summary: `List ${def.label} (filters, keyword query q, cursor pagination)`,
        request: { query: z.object({ ...PageQuery.shape, ...def.listFilters.shape }) },
        responses: { 200: json(pageOf(Item), 'a page, newest first'), 400: P[400], 401: P[401] },
      }),
      async (c) => {
        const r = await catalog.listItems({ ctx: c.get('caller'), input: { kind, query: c.req.valid('query') } })
        return c.json({ items: r.items.map(rowOut), next_cursor: r.next_cursor }, 200)
      },
    )

    app.openapi(
      createRoute({
        method: 'get', path: `${base}/{id}`, tags, summary: `Get a ${def.label}`,
        request: { params: IdParam },
        responses: { 200: json(Item, 'the item'), 401: P[401], 404: P[404] },
      }),
      async (c) => c.json(rowOut(await catalog.getItem({ ctx: c.get('caller'), input: { kind, id: c.req.valid('param').id } })), 200),
    )

    app.openapi(
      createRoute({
        method: 'patch', path: `${base}/{id}`, tags, summary: `Update a ${def.label} (a text change re-analyses and re-embeds)`,
        request: { params: IdParam, body: jsonBody(def.update) },
        responses: { 200: json(Written, 'updated'), 400: P[400], 401: P[401], 403: P[403], 404: P[404] },
      }),
      async (c) => {
        const r = await catalog.updateItem({ ctx: c.get('caller'), input: { kind, id: c.req.valid('param').id, patch: c.req.valid('json') } })
        return c.json({ ...rowOut(r.row), job_id: r.jobId }, 200)
      },
    )

    app.openapi(
      createRoute({
        method: 'delete', path: `${base}/{id}`, tags, summary: `Delete a ${def.label}`,
        request: { params: IdParam },
        responses: { 204: { description: 'deleted' }, 401: P[401], 403: P[403], 404: P[404] },
      }),
      async (c) => {
        await catalog.deleteItem({ ctx: c.get('caller'), input: { kind, id: c.req.valid('param').id } })
        return c.body(null, 204)
      },
    )
  }
}
