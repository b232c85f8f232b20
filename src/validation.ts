// Edge validation shared by every schema (API bodies, query filters, JSON columns, import rows): text the database can
// store, dates it can store. A value that passes here never makes the database fail; anything else is a 400 naming the
// field, never a 500.
import { z } from '@hono/zod-openapi'

/** A UTF-16 surrogate without its partner (not Unicode; PostgreSQL refuses it in jsonb). Non-global: safe for .test. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Why a string cannot be stored as text, or null when it can. */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain the NUL character (\\u0000) / 不能包含空字符'
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (a lone surrogate was found) / 含有无效的 Unicode 字符'
  return null
}

/** z.string() that refuses NUL and lone surrogates; chain .trim(), .min(), .max() on it as on any string. */
export const safeText = () =>
  z.string().superRefine((s, ctx) => {
    const problem = textProblem(s)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })

/** The years a stored date may fall in (PostgreSQL accepts far more; no real date of ours is outside these). */
export const YEAR_MIN = 1900
export const YEAR_MAX = 2200
const yearOk = (s: string) => {
  const y = Number(s.slice(0, 4))
  return y >= YEAR_MIN && y <= YEAR_MAX
}
const yearMsg = `must be between ${YEAR_MIN} and ${YEAR_MAX} / 日期须在 ${YEAR_MIN}-${YEAR_MAX} 年之间`

/** A calendar date YYYY-MM-DD in the years above. */
export const isoDate = () => z.iso.date({ message: 'must be a date YYYY-MM-DD' }).refine(yearOk, yearMsg)

/** An ISO 8601 date-time with an offset (or Z), in the years above. */
export const isoDateTime = () =>
  z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2025-01-31T08:00:00Z' })
    .refine((s) => yearOk(s) && Number.isFinite(Date.parse(s)), yearMsg)

/** Today's date in China (UTC+8), YYYY-MM-DD: what "in the past" means for deadlines. */
export function todayInChina(now = Date.now()): string {
  return new Date(now + 8 * 3600e3).toISOString().slice(0, 10)
}
