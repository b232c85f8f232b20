// Keyset cursors and ISO dates: shared by services (which page through stores) and routes (which answer with them).
import { z } from 'zod'
import { InvalidError } from './errors'

/** Opaque keyset cursor: base64url JSON of the sort key of the last row. */
export function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v), 'utf8').toString('base64url')
}

/** Strictly parses a cursor this API issued; anything else is a 400 naming query.cursor. */
export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (!cursor) return undefined
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
  } catch {
    throw new InvalidError([{ field: 'query.cursor', message: 'not a cursor returned by this API' }], 'Invalid cursor / 游标无效')
  }
}

/** Dates out of the database as ISO strings. */
export const iso = (d: Date | string | null | undefined): string | null =>
  d == null ? null : d instanceof Date ? d.toISOString() : String(d)
