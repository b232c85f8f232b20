import { createRoute, z } from '@hono/zod-openapi'
import { json } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses as P } from '../api/errors'
import { isStaff, visibleOr404 } from '../orgs/access'
import { JOB_STATES } from './registry'
import { safeText } from '../validation'

const Job = z
  .object({
    id: z.string(),
    name: z.string(),
    state: z.enum(JOB_STATES),
    progress: z.unknown(),
    attempts_made: z.number().int(),
    max_attempts: z.number().int(),
    failed_reason: z.string().nullable(),
    result: z.unknown(),
    created_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .openapi('Job')

export function registerJobRoutes(app: App, { services }: AppDeps) {
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/jobs/{id}', tags: ['jobs 任务'], summary: 'State, progress, attempts and failure reason of a job',
      request: { params: z.object({ id: safeText().min(1).max(300).openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 200: json(Job, 'the job'), 401: P[401], 404: P[404], 503: P[503] },
    }),
    async (c) => {
      const caller = c.get('caller')
      const job = visibleOr404(
        await services.queue.get(c.req.valid('param').id),
        (j) => isStaff(caller) || (caller.kind === 'key' && j.org_id === caller.orgId),
        'Job',
      )
      const { org_id: _o, ...out } = job
      return c.json(out, 200)
    },
  )
}
