// Assembles the HTTP API: request ids, logging, body limits, auth, routes, OpenAPI document, problem+json errors.
import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ping } from '../db'
import { migrationStatus } from '../db/migrate'
import { registerCatalogRoutes } from '../catalog/routes'
import { registerImportRoutes } from '../imports/routes'
import { registerJobRoutes } from '../jobs/routes'
import { registerMatchingRoutes } from '../matching/routes'
import { registerNavigationRoutes } from '../navigation/routes'
import { registerOrgRoutes } from '../orgs/routes'
import { authMiddleware, failedAuthLimiter, judgeMiddleware } from './auth'
import { bodyLimit } from './body-limit'
import { registerDocs } from './docs'
import type { AppDeps, AppEnv } from './env'
import { registerAuditRoutes } from '../audit/routes'
import { registerBriefRoutes } from '../briefs/routes'
import { registerRoadshowRoutes } from '../roadshows/routes'
import { registerJudgeRoutes } from '../roadshows/judge-routes'
import { registerConsole } from '../console/routes'
import { DomainError, InvalidError } from '../errors'
import { type ErrorType, type Problem, problemBody, problemHeaders, problemTypeOf, zodFieldErrors } from './errors'
import { createLogger, type Logger } from '../log'

export function createApp(deps: AppDeps, logger: Logger = createLogger(deps.config.LOG_LEVEL)) {
  const app = new OpenAPIHono<AppEnv>({
    // Every validation failure becomes one problem+json with per-field details.
    defaultHook: (result) => {
      if (!result.success) {
        throw new InvalidError(zodFieldErrors(result.error.issues, result.target === 'json' ? 'body' : result.target))
      }
    },
  })

  app.use('*', requestId({ headerName: 'X-Request-Id' }))
  app.use('*', async (c, next) => {
    await next()
    // while draining, every answer closes its connection, so clients reconnect to a replica that stays
    if (deps.draining?.()) c.header('Connection', 'close')
  })
  app.use('*', async (c, next) => {
    const start = performance.now()
    await next()
    const caller = c.get('caller')
    logger.info('request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 10) / 10,
      role: caller?.role,
      org_id: caller?.kind === 'key' ? caller.orgId : undefined,
    })
  })
  // Uploads get their own, larger limit; everything else the general body limit.
  app.use('/v1/*', bodyLimit((c) => (c.req.path === '/v1/imports' ? deps.config.UPLOAD_LIMIT_BYTES : deps.config.BODY_LIMIT_BYTES)))
  const limiter = failedAuthLimiter(deps.config.AUTH_FAIL_LIMIT, deps.config.AUTH_FAIL_WINDOW_SECONDS)
  const keys = authMiddleware(deps.services.orgs, limiter, deps.config.TRUST_PROXY)
  // a judge's scoring link authenticates the judging routes, and nothing else does
  app.use('/v1/*', (c, next) => (c.req.path.startsWith('/v1/judging/') ? next() : keys(c, next)))
  // judges' failures count apart: at a venue everyone shares one address, and stale judge pages must not lock out the organiser
  const judgeLimiter = failedAuthLimiter(deps.config.AUTH_FAIL_LIMIT, deps.config.AUTH_FAIL_WINDOW_SECONDS)
  app.use('/v1/judging/*', judgeMiddleware(deps.services.judges, judgeLimiter, deps.config.TRUST_PROXY))

  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    if (deps.draining?.()) return c.json({ status: 'draining', checks: {} }, 503)
    const checks: Record<string, { ok: boolean; degraded?: boolean; detail?: string }> = {}
    try {
      await ping(deps.db)
      checks.database = { ok: true, detail: deps.db.engine }
      const m = await migrationStatus(deps.db)
      checks.migrations = m.current ? { ok: true } : { ok: false, detail: `pending: ${m.pending.join(', ')}` }
    } catch (err) {
      checks.database = { ok: false, detail: (err as Error).message }
    }
    if (deps.queuePing) {
      try {
        await deps.queuePing()
        checks.queue = { ok: true, detail: 'redis' }
      } catch (err) {
        // Writes never depend on Redis (their jobs wait in the database's outbox and are relayed when it answers), so an
        // unreachable Redis leaves the service ready to take traffic: degraded, reported, not a reason to pull it.
        checks.queue = { ok: true, degraded: true, detail: `redis unreachable (${(err as Error).message}); jobs are recorded and relayed when it answers / Redis 不可用：任务已记录，恢复后投递` }
      }
    } else {
      checks.queue = { ok: true, detail: 'inline' }
    }
    const ok = Object.values(checks).every((x) => x.ok)
    const degraded = Object.entries(checks).filter(([, x]) => x.degraded).map(([k]) => k)
    return c.json({ status: ok ? 'ready' : 'not_ready', ...(degraded.length ? { degraded } : {}), checks }, ok ? 200 : 503)
  })

  registerOrgRoutes(app, deps)
  registerCatalogRoutes(app, deps)
  registerImportRoutes(app, deps)
  registerJobRoutes(app, deps)
  registerMatchingRoutes(app, deps)
  registerNavigationRoutes(app, deps)
  registerAuditRoutes(app, deps)
  registerBriefRoutes(app, deps)
  registerRoadshowRoutes(app, deps)
  registerJudgeRoutes(app, deps)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' })
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: '科技成果转化智能撮合 API (Technology-transfer matchmaking)',
      version: '0.1.0',
      description: 'Errors are RFC 9457 problem+json. Authenticate with `Authorization: Bearer <api key>`.',
    },
    security: [{ bearer: [] }],
  })
  registerDocs(app)
  registerConsole(app)

  app.notFound((c) =>
    problemResponse(c, problemBody('not_found', `No route for ${c.req.method} ${c.req.path} / 路径不存在`, {
      instance: c.req.path,
      request_id: c.get('requestId'),
    })),
  )

  app.onError((err, c) => {
    const rid = c.get('requestId')
    let type: ErrorType
    let detail: string
    let extra: Record<string, unknown> = {}
    let headers: Record<string, string> = {}
    if (err instanceof DomainError) {
      type = problemTypeOf(err)
      headers = problemHeaders(err)
      detail = err.message
      if (err.errors) extra.errors = err.errors
      if (err.extra) extra = { ...extra, ...err.extra }
    } else if (err instanceof HTTPException) {
      type = statusToType(err.status)
      detail = err.message || 'HTTP error'
    } else if (isDataException(err)) {
      // Last line of defence: edge validation should have refused this value; log it so the schema gets fixed.
      type = 'validation_error'
      detail = `${DATA_EXCEPTION_DETAIL} (${(err as unknown as { code: string }).code})`
      logger.warn('value refused by the database, not by validation', { request_id: rid, path: c.req.path, error: (err as Error).message })
    } else if (isMalformedBody(err)) {
      type = 'validation_error'
      detail = 'Malformed request body / 请求体格式错误'
    } else {
      type = 'internal_error'
      detail = 'An unexpected error occurred; quote the request id when reporting it / 发生意外错误，请提供请求编号'
      logger.error('unhandled error', { request_id: rid, error: (err as Error).stack ?? String(err) })
    }
    return problemResponse(c, problemBody(type, detail, { instance: c.req.path, request_id: rid, ...extra }), headers)
  })

  return app
}

function problemResponse(c: Context, body: Problem, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), body.status as ContentfulStatusCode, {
    ...headers,
    'content-type': 'application/problem+json; charset=utf-8',
  })
}

/** PostgreSQL data exceptions a request value can cause (bad text, dates or numbers the database cannot store). */
const DATA_EXCEPTIONS = new Set(['22001', '22003', '22007', '22008', '22021', '22P02', '22P05', '2202E', '22025'])
export const DATA_EXCEPTION_DETAIL = 'A value in the request cannot be stored / 请求中的值无法保存'
function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  return typeof code === 'string' && DATA_EXCEPTIONS.has(code)
}

function isMalformedBody(err: unknown): boolean {
  return err instanceof SyntaxError || (err as { name?: string })?.name === 'SyntaxError'
}

function statusToType(status: number): ErrorType {
  switch (status) {
    case 400: return 'validation_error'
    case 401: return 'unauthorized'
    case 403: return 'forbidden'
    case 404: return 'not_found'
    case 405: return 'method_not_allowed'
    case 409: return 'conflict'
    case 413: return 'payload_too_large'
    case 415: return 'unsupported_media_type'
    case 503: return 'service_unavailable'
    default: return status >= 500 ? 'internal_error' : 'validation_error'
  }
}
