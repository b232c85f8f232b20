// `npm run bench -- parse [--json]`: parsing whitespace-padded model answers. The fence-stripping regular expression
// parseRerank used before was quadratic in the padding; today the answer is capped and unfenced by index scans.
// Prints, per padding size, the old expression's time (skipped above 64 KiB: minutes) and parseRerank's.
import { parseArgs } from 'node:util'
import { parseRerank } from '../src/matching/rerank'

const OLD_FENCE = /^\s*```(?:json)?\s*|\s*```\s*$/g

export async function benchParse(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } })
  const body = JSON.stringify({ results: [{ id: 'c1', score: 7, rationale: '对口' }] })
  const rows = []
  for (const pad of [8 * 1024, 32 * 1024, 64 * 1024, 200 * 1024, 20 * 1024 * 1024]) {
    const answer = body + ' '.repeat(pad) // valid JSON; the old expression rescans the padding from every space
    let oldMs: number | null = null
    if (pad <= 64 * 1024) {
      const t0 = performance.now()
      answer.replace(OLD_FENCE, '')
      oldMs = Math.round((performance.now() - t0) * 10) / 10
    }
    const t1 = performance.now()
    let outcome = 'parsed'
    try {
      parseRerank(answer, ['c1'])
    } catch (err) {
      outcome = (err as Error).message.slice(0, 40)
    }
    rows.push({ padding_bytes: pad, old_regex_ms: oldMs, parse_ms: Math.round((performance.now() - t1) * 10) / 10, outcome })
  }
  if (values.json) for (const r of rows) console.log(JSON.stringify(r))
  else console.table(rows)
}
