// Prompts are plain files, `prompts/<name>/v<version>.md` at the top of the repository (format: prompts/README.md),
// rendered with @langchain/core prompt templates. A prompt's id, '<name>/v<version>', is the `prompt_version` stored
// with every model output; `prompts/versions.json` pins each file's sha256, so a stored output always names the exact
// text that made it (a changed file without a new version is refused here and fails tests/unit/prompts.test.ts).
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ChatPromptTemplate, parseTemplate, type TemplateFormat } from '@langchain/core/prompts'
import type { BaseMessage } from '@langchain/core/messages'

/** The repository root: the nearest folder above this file holding package.json and prompts/ (never the cwd). */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'prompts'))) return dir
    const up = path.dirname(dir)
    if (up === dir) throw new Error(`prompts/ not found above ${path.dirname(fileURLToPath(import.meta.url))}`)
    dir = up
  }
}

export const PROMPTS_DIR = path.join(findRoot(), 'prompts')
export const VERSIONS_FILE = path.join(PROMPTS_DIR, 'versions.json')

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
const FORMATS: readonly TemplateFormat[] = ['mustache', 'f-string']

export type PromptVars = Record<string, string | number>

export interface Prompt {
  name: string
  version: number
  /** '<name>/v<version>': stored as prompt_version with the model's output */
  id: string
  description: string
  /** sha256 (hex) of the file, line endings normalised to LF */
  sha256: string
  templateFormat: TemplateFormat
  /** declared in the file's front matter, each with a description */
  inputs: Record<string, string>
  inputVariables: string[]
  /** the raw templates of the two parts */
  system: string
  user: string
  /** LangChain messages [SystemMessage, HumanMessage] */
  formatMessages(vars: PromptVars): Promise<BaseMessage[]>
  /** the two parts as strings, ready for ChatModel.completeJson(system, user) */
  render(vars: PromptVars): Promise<{ system: string; user: string }>
}

export class PromptError extends Error {
  override name = 'PromptError'
}

/** sha256 of a prompt file's text with CRLF normalised, so a Windows checkout hashes the same. */
export const promptHash = (text: string) => createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex')

export const promptPath = (name: string, version: number) => path.join(PROMPTS_DIR, name, `v${version}.md`)

/** The pinned hashes, { '<name>/v<version>': sha256 }. */
export function readVersions(): Record<string, string> {
  return JSON.parse(readFileSync(VERSIONS_FILE, 'utf8')) as Record<string, string>
}

interface Parsed {
  meta: Record<string, string>
  inputs: Record<string, string>
  sections: Map<string, string>
}

/** Front matter (`key: value` lines; `inputs:` followed by indented `variable: description` lines) and `## <role>` parts. */
export function parsePromptFile(text: string, where = 'prompt'): Parsed {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  const fail = (msg: string): never => {
    throw new PromptError(`${where}: ${msg}`)
  }
  if (lines[0] !== '---') fail('must start with a front matter line "---"')
  // no prototype: a key like "constructor" or "__proto__" is just a key
  const meta: Record<string, string> = Object.create(null)
  const inputs: Record<string, string> = Object.create(null)
  let i = 1
  let inInputs = false
  for (; i < lines.length && lines[i] !== '---'; i++) {
    const line = lines[i]!
    if (!line.trim()) continue
    const m = /^(\s*)([A-Za-z_][\w-]*):\s*(.*)$/.exec(line)
    if (!m) fail(`front matter line ${i + 1} is not "key: value"`)
    const [, indent, key, value] = m!
    if (indent) {
      if (!inInputs) fail(`front matter line ${i + 1}: indented line outside "inputs:"`)
      if (!VARIABLE.test(key!)) fail(`input variable name "${key}" is not a plain identifier`)
      inputs[key!] = value!.trim()
    } else {
      inInputs = key === 'inputs'
      if (!inInputs) meta[key!] = value!.trim()
    }
  }
  if (i >= lines.length) fail('front matter is not closed with "---"')
  const sections = new Map<string, string>()
  let role: string | undefined
  let body: string[] = []
  const flush = () => {
    if (role === undefined) {
      if (body.join('').trim()) fail('text before the first "## system" / "## user" heading')
    } else sections.set(role, body.join('\n').replace(/^\n+/, '').replace(/\s+$/, ''))
  }
  for (i++; i < lines.length; i++) {
    const h = /^## (system|user)\s*$/.exec(lines[i]!)
    if (!h) {
      body.push(lines[i]!)
      continue
    }
    flush()
    if (sections.has(h[1]!)) fail(`"## ${h[1]}" appears twice`)
    if (h[1] === 'user' && !sections.has('system')) fail('"## system" must come before "## user"')
    role = h[1]
    body = []
  }
  flush()
  if (!sections.has('system') || !sections.has('user')) fail('needs a "## system" and a "## user" part')
  return { meta, inputs, sections }
}

const cache = new Map<string, Prompt>()

/**
 * Loads `prompts/<name>/v<version>.md` (once per process), checks it against its pinned hash, its front matter and its
 * template variables, and returns it ready to render.
 */
export function loadPrompt(name: string, version: number): Prompt {
  if (!NAME.test(name)) throw new PromptError(`bad prompt name "${name}"`)
  if (!Number.isInteger(version) || version < 1) throw new PromptError(`bad prompt version "${version}" for ${name}`)
  const id = `${name}/v${version}`
  const hit = cache.get(id)
  if (hit) return hit
  const file = promptPath(name, version)
  const where = path.relative(path.dirname(PROMPTS_DIR), file)
  if (!existsSync(file)) throw new PromptError(`${where}: no such prompt file`)
  const text = readFileSync(file, 'utf8')
  const pinned = readVersions()[id]
  if (!pinned) throw new PromptError(`${where} has no entry in prompts/versions.json (add it: npx tsx scripts/prompt-versions.ts)`)
  if (pinned !== promptHash(text)) {
    throw new PromptError(
      `${where} changed after its version was pinned: put the new text in v${version + 1}.md and leave v${version}.md as it was ` +
        '(stored outputs name the exact text that made them)',
    )
  }
  const prompt = compilePrompt(text, name, version, where)
  cache.set(id, prompt)
  return prompt
}

/** Checks a prompt file's text (front matter, parts, variables) and builds its templates. No hash check: see loadPrompt. */
export function compilePrompt(text: string, name: string, version: number, where = `${name}/v${version}`): Prompt {
  const id = `${name}/v${version}`
  const sha256 = promptHash(text)
  const { meta, inputs, sections } = parsePromptFile(text, where)
  if (meta.name !== name) throw new PromptError(`${where}: front matter name "${meta.name}" is not "${name}"`)
  if (meta.version !== String(version)) throw new PromptError(`${where}: front matter version "${meta.version}" is not ${version}`)
  const templateFormat = (meta.template_format ?? 'mustache') as TemplateFormat
  if (!FORMATS.includes(templateFormat)) throw new PromptError(`${where}: template_format must be one of ${FORMATS.join(', ')}`)
  const system = sections.get('system')!
  const user = sections.get('user')!
  // the variables the templates use must be exactly the declared ones: nothing silently rendered empty, nothing unused
  const used = new Set<string>()
  for (const t of [system, user]) {
    let nodes
    try {
      nodes = parseTemplate(t, templateFormat)
    } catch (err) {
      throw new PromptError(`${where}: not a valid ${templateFormat} template (${(err as Error).message})`)
    }
    for (const n of nodes) if (n.type === 'variable') used.add(n.name)
  }
  const inputVariables = Object.keys(inputs)
  const undeclared = [...used].filter((v) => !Object.hasOwn(inputs, v))
  const unused = inputVariables.filter((v) => !used.has(v))
  if (undeclared.length) throw new PromptError(`${where}: template uses undeclared input(s) ${undeclared.join(', ')}`)
  if (unused.length) throw new PromptError(`${where}: declared input(s) ${unused.join(', ')} not used by the template`)

  const template = ChatPromptTemplate.fromMessages([['system', system], ['human', user]], { templateFormat })
  const check = (vars: PromptVars) => {
    const missing = inputVariables.filter((v) => !Object.hasOwn(vars, v))
    const extra = Object.keys(vars).filter((v) => !Object.hasOwn(inputs, v))
    if (missing.length) throw new PromptError(`${id}: missing input(s) ${missing.join(', ')}`)
    if (extra.length) throw new PromptError(`${id}: unknown input(s) ${extra.join(', ')}`)
    for (const v of inputVariables) {
      const t = typeof vars[v]
      if (t !== 'string' && t !== 'number') throw new PromptError(`${id}: input ${v} must be a string or a number`)
    }
  }
  const formatMessages = async (vars: PromptVars) => {
    check(vars)
    return template.formatMessages(vars)
  }
  const prompt: Prompt = {
    name, version, id, sha256, templateFormat, inputs, inputVariables, system, user,
    description: meta.description ?? '',
    formatMessages,
    async render(vars) {
      const [s, u] = await formatMessages(vars)
      return { system: s!.text, user: u!.text }
    },
  }
  return prompt
}

/**
 * What is wrong between a prompts folder and its pinned hashes: a file without an entry, a file whose text changed
 * since it was pinned, an entry without a file. Empty when all is well.
 */
export function promptVersionProblems(dir = PROMPTS_DIR, versions: Record<string, string> = readVersions()): string[] {
  const problems: string[] = []
  const seen = new Set<string>()
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (!d.isDirectory()) continue
    for (const f of readdirSync(path.join(dir, d.name))) {
      const m = /^v(\d+)\.md$/.exec(f)
      if (!m) {
        problems.push(`${d.name}/${f}: not a prompt file name (v<N>.md)`)
        continue
      }
      const id = `${d.name}/v${m[1]}`
      seen.add(id)
      const hash = promptHash(readFileSync(path.join(dir, d.name, f), 'utf8'))
      if (!versions[id]) problems.push(`${id}: no entry in versions.json`)
      else if (versions[id] !== hash) problems.push(`${id}: text changed without a new version file (pinned ${versions[id]!.slice(0, 12)}, now ${hash.slice(0, 12)})`)
    }
  }
  for (const id of Object.keys(versions)) if (!seen.has(id)) problems.push(`${id}: pinned in versions.json but there is no file`)
  return problems
}
