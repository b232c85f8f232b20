// Shared request/response pieces for routes.
import { z } from '@hono/zod-openapi'

export const IdParam = z.object({
  id: z.uuid({ message: 'must be a UUID' }).openapi({ param: { name: 'id', in: 'path' }, example: '6f1c2b1e-2f7a-4c1e-9a55-0d7f7b3f2a10' }),
})

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'page size, 1-100' }),
  cursor: z.string().max(200).optional().openapi({ description: 'opaque cursor from the previous page (next_cursor)' }),
})

export { decodeCursor, encodeCursor, iso } from '../pagination'

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() })

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})
