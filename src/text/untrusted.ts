// Model output is data, never markup or instructions. Every model-written text goes through inertText when it is
// ingested (before it is stored or returned); it is still escaped wherever it is rendered (src/text/escape.ts).

/** A UTF-16 surrogate without its partner (cannot be stored or encoded as UTF-8). */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
/** Bidirectional controls and invisible format characters that can reorder or hide what a reader sees. */
const BIDI_AND_INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g
/** C0 and C1 control characters (tabs and newlines included: a rationale is one line). */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]+/g
/** An HTML/XML tag, comment or declaration; [^<>]* stops at the next angle bracket, so this is linear in the length. */
const TAGS = /<[/!?]?[a-zA-Z!?][^<>]*>/g
/** Script-carrying URL schemes, with any spacing a browser would forgive. */
const SCHEMES = /\b(?:java\s*script|vb\s*script|data)\s*:/gi
/** Characters that start a spreadsheet formula, at the start of the text. */
const FORMULA_LEAD = /^[=+\-@\s]+/

/**
 * Model text made inert: tags, script URL schemes, bidirectional and invisible controls, control characters and lone
 * surrogates removed; whitespace collapsed; a leading formula character dropped; clipped to `max` code points.
 */
export function inertText(s: string, max: number): string {
  let t = s.length > max * 20 ? s.slice(0, max * 20) : s // bound the work: nothing past this can survive the clip
  t = t.replace(LONE_SURROGATE, '').replace(TAGS, ' ').replace(SCHEMES, '').replace(BIDI_AND_INVISIBLE, '').replace(CONTROLS, ' ')
  t = t.replace(/\s+/g, ' ').trim().replace(FORMULA_LEAD, '')
  const cps = Array.from(t)
  return cps.length > max ? cps.slice(0, max).join('').trimEnd() : t
}

/**
 * The JSON object inside a model answer: surrounding whitespace and a Markdown code fence (```json ... ```) removed.
 * Plain index scans, no backtracking regular expression: linear in the length of the answer.
 */
export function unfence(text: string): string {
  let s = text.trim()
  if (s.startsWith('```')) {
    s = s.slice(3)
    if (/^json/i.test(s)) s = s.slice(4)
    s = s.trim()
    if (s.endsWith('```')) s = s.slice(0, -3).trimEnd()
  }
  return s
}
