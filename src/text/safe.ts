// One rule for text the database must store: no NUL (PostgreSQL text and jsonb refuse U+0000) and well-formed UTF-16
// (a lone surrogate cannot be encoded as UTF-8; jsonb refuses its \ud800 escape). Imports check every value with it
// before writing, so such a row is rejected with its line and field instead of failing a whole batch.

// A high surrogate not followed by a low one, or a low one not preceded by a high one (code units, no `u` flag).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g')

/** Why a string cannot be stored, or null when it can. */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character (U+0000) / 含有空字符 (U+0000)'
  if (LONE_SURROGATE.test(s)) return 'contains an invalid character (a lone UTF-16 surrogate) / 含有无效字符（孤立代理项）'
  return null
}

/** The first value of a record (strings inside arrays and objects too) that cannot be stored: its field and why. */
export function recordTextProblem(record: Record<string, unknown>): { field: string; reason: string } | null {
  for (const [field, v] of Object.entries(record)) {
    const why = valueProblem(v, 0)
    if (why) return { field, reason: why }
  }
  return null
}

function valueProblem(v: unknown, depth: number): string | null {
  if (typeof v === 'string') return textProblem(v)
  if (depth > 8 || v == null || typeof v !== 'object' || v instanceof Date) return null
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const why = textProblem(k) ?? valueProblem(x, depth + 1)
    if (why) return why
  }
  return null
}

/** A storable copy of any text (for reports of rejected rows): NUL and lone surrogates become U+FFFD. */
export function toStorableText(s: string): string {
  return s.replaceAll('\u0000', '\ufffd').replace(LONE_SURROGATES, '\ufffd')
}

/** A storable copy of a JSON-like value (keys and strings, recursively); long strings cut to `maxLen`. */
export function toStorableValue(v: unknown, maxLen = 500, depth = 0): unknown {
  if (typeof v === 'string') return toStorableText(v.length > maxLen ? v.slice(0, maxLen) : v)
  if (v == null || typeof v !== 'object' || v instanceof Date || depth > 8) return v
  if (Array.isArray(v)) return v.slice(0, 100).map((x) => toStorableValue(x, maxLen, depth + 1))
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [toStorableText(k), toStorableValue(x, maxLen, depth + 1)]))
}
