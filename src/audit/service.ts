// Reading the audit trail back: admins only. Writes happen in each area's own transactions through recordAudit.
import type { Db } from '../db'
import { type Caller, requireRole } from '../orgs/access'
import { type AuditFilter, listAudit } from './store'

export interface ListAuditInput extends Omit<AuditFilter, 'beforeId' | 'limit'> {
  limit: number
  cursor?: number
}

export function createAuditService(db: Db) {
  return {
    async listAuditEvents({ ctx, input }: { ctx: Caller; input: ListAuditInput }) {
      requireRole(ctx, 'admin')
      const rows = await listAudit(db, { ...input, beforeId: input.cursor, limit: input.limit + 1 })
      const items = rows.slice(0, input.limit)
      return { items, next: rows.length > input.limit ? items[items.length - 1]!.id : null }
    },
  }
}
