// The brief-draft prompt: a versioned file under prompts/, rendered with @langchain/core's prompt template (mustache,
// no HTML escaping: the output goes to a model, not a page). Every use goes through here, so switching to the shared
// prompt loader is a change in one place.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PromptTemplate } from '@langchain/core/prompts'

export const BRIEF_PROMPT_NAME = 'brief-draft'
export const BRIEF_PROMPT_VERSION = 'brief-draft/v1'
const FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prompts/brief-draft/v1.md')

interface Loaded {
  system: string
  user: PromptTemplate
  /** sha256 of the file, recorded with every draft (and in prompts/versions.json) */
  hash: string
}
let loaded: Loaded | undefined

function load(): Loaded {
  if (loaded) return loaded
  const raw = readFileSync(FILE, 'utf8')
  const m = /^## system\s*\n([\s\S]*?)\n## user\s*\n([\s\S]*)$/m.exec(raw)
  if (!m) throw new Error(`${FILE}: expected "## system" and "## user" sections`)
  loaded = {
    system: m[1]!.trim(),
    user: PromptTemplate.fromTemplate(m[2]!.trim(), { templateFormat: 'mustache' }),
    hash: createHash('sha256').update(raw).digest('hex'),
  }
  return loaded
}

export function briefPromptHash(): string {
  return load().hash
}

export async function renderBriefPrompt(vars: { need: string; quantities: string; references: string; navigation: string }): Promise<{ system: string; user: string }> {
  const p = load()
  return { system: p.system, user: await p.user.format(vars) }
}
