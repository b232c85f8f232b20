import { createRoute, z } from '@hono/zod-openapi'
import { decodeCursor, encodeCursor, json, PageQuery, pageOf } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses as P } from '../api/errors'
import { isoDateTime, safeText } from '../validation'

const AuditEvent = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor_kind: z.enum(['key', 'system', 'judge']),
    actor_key_id: z.string().nullable(),
    actor_org_id: z.string().nullable(),
    actor_role: z.string().nullable(),
    action: z.string(),
    object_kind: z.string(),
    object_id: z.string().nullable(),
    org_id: z.string().nullable(),
    digest: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEvent')

const Query = PageQuery.extend({
  action: safeText().max(100).optional().openapi({ description: 'e.g. achievement.create, match.review, key.revoke' }),
  object_kind: safeText().max(50).optional(),
  object_id: safeText().max(100).optional(),
  actor_key_id: z.uuid().optional(),
  org_id: z.uuid().optional().openapi({ description: 'the organisation that owns the object' }),
  since: isoDateTime().optional(),
  until: isoDateTime().optional(),
})

export function registerAuditRoutes(app: App, { services }: AppDeps) {
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/audit', tags: ['audit 审计'], summary: 'Audit events, newest first (admins) / 审计日志',
      request: { query: Query },
      responses: { 200: json(pageOf(AuditEvent), 'a page of events'), 400: P[400], 401: P[401], 403: P[403] },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const cursor = decodeCursor(q.cursor, z.object({ id: z.number().int().positive() }))
      const page = await services.audit.listAuditEvents({
        ctx: c.get('caller'),
        input: {
          limit: q.limit, cursor: cursor?.id, action: q.action, objectKind: q.object_kind, objectId: q.object_id,
          actorKeyId: q.actor_key_id, orgId: q.org_id, since: q.since, until: q.until,
        },
      })
      return c.json({ items: page.items, next_cursor: page.next == null ? null : encodeCursor({ id: page.next }) }, 200)
    },
  )
}
