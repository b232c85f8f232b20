// Escaping for every render and export of stored text (user input and model output alike are untrusted data).
//
//   escapeHtml(v)      text -> safe inside HTML element content and quoted attribute values
//   safeCell(v)        a spreadsheet cell value (CSV and XLSX): text starting with = + - @ tab or CR gets a leading
//                      apostrophe so Excel/WPS/LibreOffice show it as text instead of evaluating it as a formula
//                      (=HYPERLINK(...), @SUM(...), -2+3); numbers, booleans and dates pass through unchanged
//   csvLine(values)    one CSV record: each value through safeCell, quoted when needed, no line terminator
//   csvDocument(rows)  a whole CSV file: UTF-8 BOM (Excel then reads Chinese correctly), CRLF line ends
//
// Use safeCell for every XLSX cell you write with exceljs (`row.values = values.map(safeCell)`) and csvDocument /
// csvLine for every CSV. Never build HTML from stored text without escapeHtml.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' }

/** Text for HTML (element content or a quoted attribute). null/undefined -> ''. */
export function escapeHtml(v: unknown): string {
  const s = v == null ? '' : typeof v === 'string' ? v : String(v)
  return s.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!)
}

/** Characters that make a spreadsheet treat a text cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/

export type CellValue = string | number | boolean | Date | null

/**
 * A value for a spreadsheet cell: text that would start a formula is prefixed with an apostrophe; objects become JSON
 * text (then neutralised); null/undefined -> null. Numbers, booleans and dates are data, not text, and pass through.
 */
export function safeCell(v: unknown): CellValue {
  if (v == null) return null
  if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  return FORMULA_START.test(s) ? `'${s}` : s
}

/** One CSV record (RFC 4180 quoting), every value neutralised with safeCell. */
export function csvLine(values: readonly unknown[]): string {
  return values
    .map((v) => {
      const c = safeCell(v)
      const s = c == null ? '' : c instanceof Date ? c.toISOString() : String(c)
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
    })
    .join(',')
}

/** A CSV file: BOM + header + rows, CRLF-terminated. */
export function csvDocument(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return '\ufeff' + [header, ...rows].map(csvLine).join('\r\n') + '\r\n'
}
