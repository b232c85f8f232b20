// Escaping of untrusted text (patent titles, applicant names, model output) for HTML and Markdown.
// Stand-in until the shared escape module (src/text/escape.ts) lands on main; then this module goes.

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text for an HTML element or a quoted attribute. Control characters (but newlines and tabs) are dropped. */
export function escapeHtml(s: unknown): string {
  return String(s ?? '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/[&<>"']/g, (c) => HTML[c]!)
}

/** Text for Markdown (also safe inside a table cell): HTML and Markdown syntax characters escaped, line breaks folded. */
export function escapeMarkdown(s: unknown): string {
  // Markdown first, then HTML: entities made by the second step must not be escaped again
  return escapeHtml(
    String(s ?? '')
      .replace(/[\r\n]+/g, ' ')
      .replace(/[\\`*_{}[\]()#+\-!|~]/g, (c) => '\\' + c),
  )
}
