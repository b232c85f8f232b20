import type { Context, MiddlewareHandler } from 'hono'
import type { IncomingMessage } from 'node:http'
import type { OrgService } from '../orgs/service'
import type { JudgeService } from '../roadshows/judges'
import { RateLimitedError, UnauthorizedError } from '../errors'
import type { AppEnv } from './env'

/**
 * Failed authentications per client address in a fixed window. Past the limit the address gets 429 with Retry-After,
 * whatever key it sends, until the window ends. In memory, per process (each API replica counts its own).
 */
export function failedAuthLimiter(limit: number, windowSeconds: number, now: () => number = Date.now) {
  const windows = new Map<string, { failures: number; resetAt: number }>()
  const MAX_TRACKED = 50_000
  return {
    /** Seconds until the address may try again; 0 when it may now. */
    retryAfter(addr: string): number {
      const w = windows.get(addr)
      if (!w) return 0
      const left = w.resetAt - now()
      if (left <= 0) {
        windows.delete(addr)
        return 0
      }
      return w.failures >= limit ? Math.ceil(left / 1000) : 0
    },
    fail(addr: string): void {
      const t = now()
      const w = windows.get(addr)
      if (w && w.resetAt > t) {
        w.failures++
        return
      }
      if (windows.size >= MAX_TRACKED) {
        // forget expired windows, then the oldest ones: memory stays bounded under address spraying
        for (const [k, v] of windows) if (v.resetAt <= t) windows.delete(k)
        for (const k of windows.keys()) {
          if (windows.size < MAX_TRACKED * 0.9) break
          windows.delete(k)
        }
      }
      windows.set(addr, { failures: 1, resetAt: t + windowSeconds * 1000 })
    },
  }
}
export type FailedAuthLimiter = ReturnType<typeof failedAuthLimiter>

/** The client's address: the socket's peer, or with trustProxy the last X-Forwarded-For hop (the one our proxy added). */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean)
    if (hops.length) return hops[hops.length - 1]!
  }
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  return incoming?.socket?.remoteAddress ?? 'unknown'
}

/**
 * A bearer-token check: the token from `Authorization: Bearer`, failures limited per client address, and what the
 * token names put on the context. API keys and judges' links share this, each with its own lookup and messages.
 */
function bearer<T>(
  opts: { authenticate: (token: string) => Promise<T | null>; put: (c: Context<AppEnv>, found: T) => void; missing: string; unknown: string },
  limiter: FailedAuthLimiter,
  trustProxy: boolean,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')
    if (!m) throw new UnauthorizedError(opts.missing)
    const addr = clientAddress(c, trustProxy)
    const wait = limiter.retryAfter(addr)
    if (wait > 0) throw new RateLimitedError(`Too many failed authentications from this address; retry in ${wait} s / 认证失败次数过多，请 ${wait} 秒后重试`, wait)
    const found = await opts.authenticate(m[1]!)
    if (!found) {
      limiter.fail(addr)
      throw new UnauthorizedError(opts.unknown)
    }
    opts.put(c, found)
    await next()
  }
}

/** Requires `Authorization: Bearer <key>` and puts the caller on the context. */
export function authMiddleware(orgs: OrgService, limiter: FailedAuthLimiter, trustProxy = false): MiddlewareHandler<AppEnv> {
  return bearer({
    authenticate: (key) => orgs.authenticate(key), put: (c, caller) => c.set('caller', caller),
    missing: 'Missing bearer API key / 缺少 API 密钥 (Authorization: Bearer <key>)', unknown: 'Unknown or revoked API key / API 密钥无效或已吊销',
  }, limiter, trustProxy)
}

/**
 * Requires `Authorization: Bearer <judge token>` (a roadshow judge's scoring link) and puts the judge on the context.
 * Only the judging routes use it; an API key is not a judge token, and a judge token is not an API key.
 */
export function judgeMiddleware(judges: JudgeService, limiter: FailedAuthLimiter, trustProxy = false): MiddlewareHandler<AppEnv> {
  return bearer({
    authenticate: (token) => judges.authenticate(token), put: (c, judge) => c.set('judge', judge),
    missing: 'Missing judge token / 缺少评委评分令牌 (Authorization: Bearer <token>)', unknown: 'Unknown or revoked judge link / 评分链接无效或已撤销',
  }, limiter, trustProxy)
}
