import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, iso, json, jsonBody, pageOf } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses } from '../api/errors'
import { ORG_KINDS, ROLES } from './access'
import type { ApiKeyRow, OrgRow } from './store'
import { safeText } from '../validation'

const Org = z
  .object({ id: z.uuid(), name: z.string(), kind: z.enum(ORG_KINDS), region: z.string().nullable(), created_at: z.string() })
  .openapi('Organization')
const OrgCreate = z.object({
  name: safeText().trim().min(1).max(200),
  kind: z.enum(ORG_KINDS),
  region: safeText().trim().max(50).nullish().openapi({ description: 'province, e.g. 江苏' }),
})
const ApiKey = z
  .object({
    id: z.uuid(),
    org_id: z.uuid(),
    name: z.string(),
    role: z.enum(ROLES),
    prefix: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi('ApiKey')
const ApiKeyCreated = ApiKey.extend({ key: z.string().openapi({ description: 'the secret; shown only in this response' }) })
const KeyCreate = z.object({ name: safeText().trim().min(1).max(100), role: z.enum(ROLES) })
const OrgListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.uuid().optional(),
})
const Me = z.object({ role: z.string(), org_id: z.uuid().nullable(), key_id: z.uuid().nullable() })

const orgOut = (o: OrgRow) => ({ ...o, created_at: iso(o.created_at)! })
const keyOut = (k: ApiKeyRow) => ({
  id: k.id, org_id: k.org_id, name: k.name, role: k.role, prefix: k.prefix,
  created_at: iso(k.created_at)!, last_used_at: iso(k.last_used_at), revoked_at: iso(k.revoked_at),
})

const tags = ['organizations 机构与密钥']

export function registerOrgRoutes(app: App, { services }: AppDeps) {
  const orgs = services.orgs

  app.openapi(
    createRoute({ method: 'get', path: '/v1/me', tags, summary: 'The calling key', responses: { 200: json(Me, 'caller'), 401: problemResponses[401] } }),
    (c) => {
      const caller = c.get('caller')
      return c.json(
        caller.kind === 'key' ? { role: caller.role, org_id: caller.orgId, key_id: caller.keyId } : { role: 'system', org_id: null, key_id: null },
        200,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/orgs', tags, summary: 'Create an organisation (admin); names are unique (409)',
      request: { body: jsonBody(OrgCreate) },
      responses: { 201: json(Org, 'created'), 400: problemResponses[400], 401: problemResponses[401], 403: problemResponses[403], 409: problemResponses[409] },
    }),
    async (c) => c.json(orgOut(await orgs.createOrg(c.get('caller'), c.req.valid('json'))), 201),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/orgs', tags, summary: 'List organisations (admins and managers see all, others their own)',
      request: { query: OrgListQuery },
      responses: { 200: json(pageOf(Org), 'page'), 401: problemResponses[401] },
    }),
    async (c) => {
      const page = await orgs.listOrgs(c.get('caller'), c.req.valid('query'))
      return c.json({ items: page.items.map(orgOut), next_cursor: page.next_cursor }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/orgs/{id}', tags, summary: 'Get an organisation',
      request: { params: IdParam },
      responses: { 200: json(Org, 'organisation'), 401: problemResponses[401], 404: problemResponses[404] },
    }),
    async (c) => c.json(orgOut(await orgs.getOrg(c.get('caller'), c.req.valid('param').id)), 200),
  )

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/orgs/{id}/keys', tags, summary: 'Create an API key for an organisation (admin); the key is shown once',
      request: { params: IdParam, body: jsonBody(KeyCreate) },
      responses: {
        201: json(ApiKeyCreated, 'created'), 400: problemResponses[400], 401: problemResponses[401],
        403: problemResponses[403], 404: problemResponses[404],
      },
    }),
    async (c) => {
      const { row, key } = await orgs.createKey(c.get('caller'), c.req.valid('param').id, c.req.valid('json'))
      return c.json({ ...keyOut(row), key }, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/orgs/{id}/keys', tags, summary: "List an organisation's keys (admin; secrets are never returned)",
      request: { params: IdParam },
      responses: { 200: json(z.object({ items: z.array(ApiKey) }), 'keys'), 401: problemResponses[401], 403: problemResponses[403], 404: problemResponses[404] },
    }),
    async (c) => c.json({ items: (await orgs.listKeys(c.get('caller'), c.req.valid('param').id)).map(keyOut) }, 200),
  )

  app.openapi(
    createRoute({
      method: 'delete', path: '/v1/keys/{id}', tags, summary: 'Revoke an API key (admin)',
      request: { params: IdParam },
      responses: { 200: json(ApiKey, 'revoked'), 401: problemResponses[401], 403: problemResponses[403], 404: problemResponses[404] },
    }),
    async (c) => c.json(keyOut(await orgs.revokeKey(c.get('caller'), c.req.valid('param').id)), 200),
  )
}
