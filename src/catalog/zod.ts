// zod building blocks for catalogue fields (used by the API and by the importers, so both validate alike).
import { z } from '@hono/zod-openapi'
import { isoDate, safeText } from '../validation'
import { normalizeIpc, normalizePublicationNumber } from './fields'

export { isoDate }

export const MAX_TITLE = 200
export const MAX_TEXT = 20_000

// Every text field starts from safeText (no NUL, no lone surrogates), so no stored string can make the database fail.
export const title = () => safeText().trim().min(1, 'must not be empty').max(MAX_TITLE, `at most ${MAX_TITLE} characters`)
export const longText = () => safeText().trim().max(MAX_TEXT, `at most ${MAX_TEXT} characters`)
export const shortText = (max = 100) => safeText().trim().max(max, `at most ${max} characters`)
export const tags = (maxItems = 30, maxLen = 50) => z.array(safeText().trim().min(1).max(maxLen)).max(maxItems)
export const money = () => z.number().min(0).max(1e13).openapi({ description: 'CNY (元)' })

export const ipcCode = () =>
  safeText()
    .trim()
    .transform((v, ctx) => {
      const c = normalizeIpc(v)
      if (!c) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not an IPC code (e.g. H01M10/42) / 不是有效的 IPC 分类号` })
        return z.NEVER
      }
      return c
    })
    .openapi({ type: 'string', example: 'H01M10/42' })

export const publicationNumber = () =>
  safeText()
    .trim()
    .min(1)
    .max(40)
    .transform((v, ctx) => {
      const n = normalizePublicationNumber(v)
      if (!/^[A-Z0-9/]{4,40}$/.test(n)) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not a publication number (e.g. CN114123456A) / 公开号格式无效` })
        return z.NEVER
      }
      return n
    })
    .openapi({ type: 'string', example: 'CN114123456A' })

/** min <= max for ranges. */
export function rangeOk(min: number | null | undefined, max: number | null | undefined): boolean {
  return min == null || max == null || min <= max
}

/**
 * The PATCH form of a record schema: every field optional and without its default, so a field left out of a
 * patch stays as stored (zod 4 applies defaults even inside .partial()).
 */
export function patchOf<T extends z.ZodRawShape>(obj: z.ZodObject<T>) {
  const shape: Record<string, z.ZodType> = {}
  for (const [k, v] of Object.entries(obj.shape)) {
    const inner = v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : (v as z.ZodType)
    shape[k] = inner.optional()
  }
  return z.object(shape) as unknown as z.ZodObject<{ [K in keyof T]: z.ZodOptional<T[K]> }>
}
