// Escaping of untrusted text (patent titles, applicant names, model output) in the report renderings: HTML through the
// shared module (src/text/escape.ts), Markdown here (its syntax characters, then HTML), control characters dropped.
import { escapeHtml as shared } from '../text/escape'

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g

/** Text for an HTML element or a quoted attribute. */
export const escapeHtml = (s: unknown): string => shared(String(s ?? '').replace(CONTROL, ''))

/** Text for Markdown (also safe inside a table cell): Markdown syntax escaped, then HTML; line breaks folded. */
export function escapeMarkdown(s: unknown): string {
  // Markdown first, then HTML: the entities of the second step must not be escaped again (a backtick becomes an
  // entity there, which Markdown never reads as a code span)
  return escapeHtml(
    String(s ?? '')
      .replace(/[\r\n]+/g, ' ')
      .replace(/[\\*_{}[\]()#+\-!|~]/g, (c) => '\\' + c),
  )
}
