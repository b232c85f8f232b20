// Reads a versioned prompt file (prompts/<name>/v<N>.md at the top of the repository) with its id and content hash.
// Stand-in until the shared prompt loader (src/prompts/) lands on main; then this module goes.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const cache = new Map<string, { id: string; text: string; hash: string }>()

export function loadPrompt(name: string, version: number): { id: string; text: string; hash: string } {
  const id = `${name}/v${version}`
  let p = cache.get(id)
  if (!p) {
    const text = readFileSync(path.join(ROOT, 'prompts', name, `v${version}.md`), 'utf8')
    p = { id, text, hash: createHash('sha256').update(text).digest('hex') }
    cache.set(id, p)
  }
  return p
}
