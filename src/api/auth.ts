import type { MiddlewareHandler } from 'hono'
import type { OrgService } from '../orgs/service'
import { UnauthorizedError } from '../errors'
import type { AppEnv } from './env'

/** Requires `Authorization: Bearer <key>` and puts the caller on the context. */
export function authMiddleware(orgs: OrgService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? ''
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    if (!m) throw new UnauthorizedError('Missing bearer API key / 缺少 API 密钥 (Authorization: Bearer <key>)')
    const caller = await orgs.authenticate(m[1]!)
    if (!caller) throw new UnauthorizedError('Unknown or revoked API key / API 密钥无效或已吊销')
    c.set('caller', caller)
    await next()
  }
}
