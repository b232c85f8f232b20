// RFC 9457 problem+json: one fixed catalogue of error types, each with a status and a Chinese/English title.
import { z } from '@hono/zod-openapi'
import type { DomainError, DomainErrorCode } from '../errors'

// A missing required field says so, in both languages, wherever zod validates (API bodies, import rows, config).
z.config({
  customError: (iss) => (iss.code === 'invalid_type' && iss.input === undefined ? 'required / 必填' : undefined),
})

export const ERROR_TYPES = {
  validation_error: { status: 400, title: '请求参数无效 (Invalid request)' },
  bad_file: { status: 400, title: '文件无法读取 (Unreadable file)' },
  unauthorized: { status: 401, title: '未认证 (Authentication required)' },
  forbidden: { status: 403, title: '无权执行此操作 (Forbidden)' },
  not_found: { status: 404, title: '资源不存在 (Not found)' },
  method_not_allowed: { status: 405, title: '方法不被允许 (Method not allowed)' },
  conflict: { status: 409, title: '资源冲突 (Conflict)' },
  payload_too_large: { status: 413, title: '请求体过大 (Payload too large)' },
  unsupported_media_type: { status: 415, title: '不支持的内容类型 (Unsupported media type)' },
  unprocessable: { status: 422, title: '无法处理的请求 (Unprocessable request)' },
  too_many_requests: { status: 429, title: '请求过于频繁 (Too many requests)' },
  service_unavailable: { status: 503, title: '服务暂不可用 (Service unavailable)' },
  internal_error: { status: 500, title: '服务器内部错误 (Internal server error)' },
} as const

export type ErrorType = keyof typeof ERROR_TYPES

export { type FieldError, zodFieldErrors } from '../errors'

const CODE_TO_TYPE: Record<DomainErrorCode, ErrorType> = {
  invalid: 'validation_error',
  bad_file: 'bad_file',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
  too_large: 'payload_too_large',
  rate_limited: 'too_many_requests',
  unavailable: 'service_unavailable',
}

/** The one place where a domain error becomes an HTTP problem type (and so a status). */
export function problemTypeOf(err: DomainError): ErrorType {
  return CODE_TO_TYPE[err.code]
}

/**
 * Headers that go with a domain error's problem response: Retry-After (seconds) on a 429; Connection: close on a 413,
 * so a client that sent an oversized body gets a fresh connection for its next request.
 */
export function problemHeaders(err: DomainError): Record<string, string> {
  const headers: Record<string, string> = {}
  const retry = err.extra?.retry_after
  if (err.code === 'rate_limited' && typeof retry === 'number') headers['retry-after'] = String(Math.max(1, Math.ceil(retry)))
  if (err.code === 'too_large') headers.connection = 'close'
  return headers
}

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/not_found' }),
    title: z.string().openapi({ example: '资源不存在 (Not found)' }),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    request_id: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem')

export type Problem = z.infer<typeof ProblemSchema>

export function problemBody(type: ErrorType, detail: string, extras: Partial<Problem> & Record<string, unknown> = {}): Problem {
  const def = ERROR_TYPES[type]
  return { type: `/problems/${type}`, title: def.title, status: def.status, detail, ...extras }
}

/** Standard error responses to declare on OpenAPI routes. */
export const problemResponses = Object.fromEntries(
  ([400, 401, 403, 404, 409, 413, 503] as const).map((s) => [
    s,
    {
      description: Object.values(ERROR_TYPES).find((e) => e.status === s)!.title,
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  ]),
) as Record<400 | 401 | 403 | 404 | 409 | 413 | 503, { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }>
