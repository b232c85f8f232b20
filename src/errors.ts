// Domain errors: what went wrong, in the domain's words. No HTTP here; src/api/errors.ts maps each code to a
// problem+json type and status in one place, and job runners decide retry vs permanent failure on the class.

export const DOMAIN_ERROR_CODES = ['invalid', 'bad_file', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'too_large', 'rate_limited', 'unavailable'] as const
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number]

export interface FieldError {
  field: string
  message: string
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(message)
    this.name = 'DomainError'
  }
  /** A retry cannot help (bad input, missing object, no permission); only `unavailable` is worth retrying. */
  get permanent(): boolean {
    return this.code !== 'unavailable'
  }
}

export class InvalidError extends DomainError {
  constructor(errors: FieldError[], message = 'The request has invalid fields / 请求字段无效') {
    super('invalid', message, errors)
  }
}
export class BadFileError extends DomainError {
  constructor(message: string, errors?: FieldError[]) {
    super('bad_file', message, errors)
  }
}
export class UnauthorizedError extends DomainError {
  constructor(message: string) {
    super('unauthorized', message)
  }
}
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', message)
  }
}
export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} not found / 未找到`)
  }
}
export class ConflictError extends DomainError {
  constructor(message: string, extra?: Record<string, unknown>) {
    super('conflict', message, undefined, extra)
  }
}
export class TooLargeError extends DomainError {
  constructor(message: string) {
    super('too_large', message)
  }
}
export class RateLimitedError extends DomainError {
  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limited', message, undefined, { retry_after: retryAfterSeconds })
  }
}
export class UnavailableError extends DomainError {
  constructor(message: string) {
    super('unavailable', message)
  }
}

/** True when retrying the same work cannot succeed. */
export function isPermanent(err: unknown): boolean {
  return err instanceof DomainError && err.permanent
}

/** zod issues -> per-field errors ("body.title": "Too big: expected string to have <=200 characters"). */
export function zodFieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[], prefix = ''): FieldError[] {
  return issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: i.message,
  }))
}
