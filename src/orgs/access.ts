// Who is calling, and the object-level checks every handler that takes an id goes through.
import { ForbiddenError, NotFoundError } from '../errors'

export const ROLES = ['admin', 'manager', 'enterprise', 'university', 'organizer'] as const
export type Role = (typeof ROLES)[number]

export type Caller =
  | { kind: 'key'; keyId: string; role: Role; orgId: string; orgKind: OrgKind }
  | { kind: 'system'; role: 'system' } // background jobs and CLI

export const ORG_KINDS = ['platform', 'transfer_center', 'university', 'institute', 'enterprise', 'organizer'] as const
export type OrgKind = (typeof ORG_KINDS)[number]

/** Which organisation kinds may hold a key of each role. */
export const ROLE_ORG_KINDS: Record<Role, readonly OrgKind[]> = {
  admin: ['platform'],
  manager: ['platform', 'transfer_center'],
  enterprise: ['enterprise'],
  university: ['university', 'institute'],
  organizer: ['platform', 'transfer_center', 'organizer'],
}

export const SYSTEM: Caller = { kind: 'system', role: 'system' }

/** Admins, managers and system jobs act across organisations. */
export function isStaff(caller: Caller): boolean {
  return caller.kind === 'system' || caller.role === 'admin' || caller.role === 'manager'
}

export function requireRole(caller: Caller, ...roles: Role[]): void {
  if (caller.kind === 'system') return
  if (!roles.includes(caller.role)) {
    throw new ForbiddenError(`This action needs one of the roles: ${roles.join(', ')} / 需要角色：${roles.join('、')}`)
  }
}

/** True when the caller belongs to the organisation, or is staff. */
export function ownsOrStaff(caller: Caller, orgId: string | null): boolean {
  return isStaff(caller) || (caller.kind === 'key' && caller.orgId === orgId)
}

/**
 * Object-level authorisation: returns the object when the caller may see it.
 * Anything else is a 404, never a 403, so ids of other organisations' objects leak nothing.
 */
export function visibleOr404<T>(obj: T | null | undefined, maySee: (o: T) => boolean, what: string): T {
  if (obj == null || !maySee(obj)) throw new NotFoundError(what)
  return obj
}
