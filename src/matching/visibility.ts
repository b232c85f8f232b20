// Who sees a match: a caller who may read both ends (each end by the catalogue's own read rule). The same rule as SQL
// conditions for lists (scopeOf) and as a check of one row (maySee); view() blanks an item end the caller may not read.
import { KIND_DEFS } from '../catalog/kinds'
import { type Caller, isStaff } from '../orgs/access'
import { bandOf } from './calibrate'
import type { MatchRow, MatchScope, ReviewRow } from './store'

/** A match as a caller may see it: the item end blanked when the caller may not read it (or it is gone). */
export type MatchView = MatchRow & { band: ReturnType<typeof bandOf>; reviews?: ReviewRow[] }

/** The read rule of the need end, from the catalogue's own rule. */
const needReadable = (c: Caller, m: MatchRow) =>
  KIND_DEFS.need.maySee(c, { org_id: m.need_org_id, status: m.need_status, visibility: m.need_visibility })
/** The read rule of the item end (a deleted item cannot be read). */
const itemReadable = (c: Caller, m: MatchRow) =>
  m.item_state !== 'deleted' && (m.item_kind === 'patent' || KIND_DEFS.achievement.maySee(c, { org_id: m.item_org_id, status: m.item_status }))

/**
 * Staff see every match. Otherwise only confirmed ones: an enterprise those of its own needs; a university those of
 * its own achievements and patents whose need it may read (never a draft or private need's).
 */
export function scopeOf(c: Caller): MatchScope {
  if (isStaff(c)) return { kind: 'all' }
  if (c.kind !== 'key') return { kind: 'none' }
  if (c.role === 'enterprise') return { kind: 'confirmed', needOrgId: c.orgId }
  if (c.role === 'university') return { kind: 'confirmed', itemOrgId: c.orgId, needVisibilities: ['public', 'platform'] }
  return { kind: 'none' }
}

export function maySee(c: Caller, m: MatchRow): boolean {
  if (isStaff(c)) return true
  if (c.kind !== 'key' || m.state !== 'confirmed' || !needReadable(c, m)) return false
  if (c.role === 'enterprise') return m.need_org_id === c.orgId
  if (c.role === 'university') return m.item_org_id === c.orgId
  return false
}

export function view(c: Caller, m: MatchRow): MatchView {
  const v: MatchView = { ...m, band: bandOf(m.strength) }
  if (!itemReadable(c, m)) Object.assign(v, { item_title: null, item_org_id: null, item_org_name: null, item_status: null, snippet: null })
  return v
}
