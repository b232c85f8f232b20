// Prompt files under prompts/: pinned by content hash, parsed strictly, rendered with @langchain/core templates.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  PROMPTS_DIR, compilePrompt, loadPrompt, parsePromptFile, promptHash, promptPath, promptVersionProblems, readVersions,
} from '../../src/prompts/registry'

const tmp = mkdtempSync(path.join(tmpdir(), 'prompts-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const file = (o: { head?: string; system?: string; user?: string; inputs?: string } = {}) =>
  `---\nname: demo\nversion: 1\n${o.head ?? ''}inputs:\n${o.inputs ?? '  topic: 主题 / the topic\n'}---\n\n## system\n\n${o.system ?? '只输出 JSON：{"a":[{"b":1}]}'}\n\n## user\n\n${o.user ?? '主题：{{topic}}'}\n`

describe('prompt versions', () => {
  it('every prompt file in prompts/ is pinned in versions.json with its exact content, and every entry has a file', () => {
    expect(promptVersionProblems()).toEqual([])
    expect(Object.keys(readVersions()).length).toBeGreaterThan(0)
  })

  it('every pinned prompt loads: front matter, parts and variables agree', () => {
    for (const id of Object.keys(readVersions())) {
      const [name, v] = id.split('/v') as [string, string]
      const p = loadPrompt(name, Number(v))
      expect(p.id).toBe(id)
      expect(p.sha256).toBe(readVersions()[id])
    }
  })

  it('finds a changed file, a file without an entry and an entry without a file', () => {
    const dir = path.join(tmp, 'versions')
    mkdirSync(path.join(dir, 'demo'), { recursive: true })
    writeFileSync(path.join(dir, 'demo', 'v1.md'), file())
    const pinned = { 'demo/v1': promptHash(file()) }
    expect(promptVersionProblems(dir, pinned)).toEqual([])

    writeFileSync(path.join(dir, 'demo', 'v1.md'), file({ system: '只输出 JSON，不要解释。' }))
    expect(promptVersionProblems(dir, pinned)).toEqual([expect.stringMatching(/^demo\/v1: text changed without a new version file/)])

    writeFileSync(path.join(dir, 'demo', 'v1.md'), file())
    writeFileSync(path.join(dir, 'demo', 'v2.md'), file({ head: '' }).replace('version: 1', 'version: 2'))
    expect(promptVersionProblems(dir, pinned)).toEqual(['demo/v2: no entry in versions.json'])

    expect(promptVersionProblems(dir, { ...pinned, 'demo/v2': promptHash(readFileSync(path.join(dir, 'demo', 'v2.md'), 'utf8')), 'gone/v1': 'x' }))
      .toEqual(['gone/v1: pinned in versions.json but there is no file'])
  })

  it('hashes CRLF and LF checkouts alike', () => {
    expect(promptHash(file().replace(/\n/g, '\r\n'))).toBe(promptHash(file()))
  })

  it('resolves prompts/ from the repository root, not the working directory', () => {
    expect(PROMPTS_DIR).toBe(path.resolve(__dirname, '../../prompts'))
    expect(promptPath('match-rerank', 1)).toBe(path.join(PROMPTS_DIR, 'match-rerank', 'v1.md'))
  })

  it('refuses names that are not plain (no path traversal) and versions that are not positive integers', () => {
    expect(() => loadPrompt('../package', 1)).toThrow(/bad prompt name/)
    expect(() => loadPrompt('match-rerank', 0)).toThrow(/bad prompt version/)
    expect(() => loadPrompt('match-rerank', 1.5)).toThrow(/bad prompt version/)
    expect(() => loadPrompt('no-such-prompt', 1)).toThrow(/no such prompt file/)
  })
})

describe('match-rerank/v1', () => {
  const p = loadPrompt('match-rerank', 1)

  it('declares its input and is stored as match-rerank/v1', () => {
    expect(p.id).toBe('match-rerank/v1')
    expect(p.inputVariables).toEqual(['input'])
    expect(p.inputs.input).toMatch(/JSON/)
    expect(p.templateFormat).toBe('mustache')
  })

  it('renders the system text with its JSON example intact and the input verbatim (no escaping, no re-templating)', async () => {
    const input = JSON.stringify({ query: { title: '储能 <BMS> & "SOC" {{x}} {y}' }, candidates: [{ id: 'c1', title: '电池' }] })
    const { system, user } = await p.render({ input })
    expect(system.startsWith('你是高校科技成果转化平台的技术经理人助手。')).toBe(true)
    expect(system).toContain('{"results":[{"id":"c1","score":0到10的整数,"rationale":"不超过80字的中文理由"}]}')
    expect(system.endsWith('0 = 无关。')).toBe(true)
    expect(system).not.toMatch(/^---|## /m)
    expect(user).toBe(input)
    const messages = await p.formatMessages({ input })
    expect(messages.map((m) => m.getType())).toEqual(['system', 'human'])
    expect(messages[0]!.text).toBe(system)
  })

  it('refuses missing, unknown or non-text inputs instead of rendering them empty', async () => {
    await expect(p.render({})).rejects.toThrow(/missing input\(s\) input/)
    await expect(p.render({ input: '{}', extra: 'x' })).rejects.toThrow(/unknown input\(s\) extra/)
    await expect(p.render({ input: { a: 1 } as unknown as string })).rejects.toThrow(/must be a string/)
  })
})

describe('prompt file format', () => {
  it('renders mustache and f-string templates; f-string braces are escaped by doubling', async () => {
    const m = compilePrompt(file(), 'demo', 1)
    expect(await m.render({ topic: '钠离子电池' })).toEqual({ system: '只输出 JSON：{"a":[{"b":1}]}', user: '主题：钠离子电池' })
    const f = compilePrompt(file({ head: 'template_format: f-string\n', system: '只输出 JSON：{{"a":1}}', user: '主题：{topic}' }), 'demo', 1)
    expect(await f.render({ topic: 3 })).toEqual({ system: '只输出 JSON：{"a":1}', user: '主题：3' })
    // an unescaped JSON example in an f-string prompt is caught when the file is read, not when a model is called
    expect(() => compilePrompt(file({ head: 'template_format: f-string\n', user: '主题：{topic}' }), 'demo', 1)).toThrow(/not a valid f-string template/)
  })

  it('checks declared inputs against the variables the template uses', () => {
    expect(() => compilePrompt(file({ user: '{{topic}} {{other}}' }), 'demo', 1)).toThrow(/undeclared input\(s\) other/)
    expect(() => compilePrompt(file({ inputs: '  topic: t\n  unused: u\n' }), 'demo', 1)).toThrow(/declared input\(s\) unused not used/)
    expect(() => compilePrompt(file({ inputs: '  constructor: c\n', user: '{{topic}}' }), 'demo', 1)).toThrow(/undeclared input\(s\) topic/)
  })

  it('checks the front matter against the file name and version', () => {
    expect(() => compilePrompt(file(), 'other', 1)).toThrow(/name "demo" is not "other"/)
    expect(() => compilePrompt(file(), 'demo', 2)).toThrow(/version "1" is not 2/)
    expect(() => compilePrompt(file({ head: 'template_format: jinja2\n' }), 'demo', 1)).toThrow(/template_format must be/)
  })

  it('refuses malformed files with the reason', () => {
    expect(() => parsePromptFile('## system\nx\n## user\ny')).toThrow(/front matter/)
    expect(() => parsePromptFile('---\nname: a\n')).toThrow(/not closed/)
    expect(() => parsePromptFile('---\n---\nhello\n## system\nx\n## user\ny')).toThrow(/text before the first/)
    expect(() => parsePromptFile('---\n---\n## user\ny\n## system\nx')).toThrow(/must come before/)
    expect(() => parsePromptFile('---\n---\n## system\nx\n')).toThrow(/needs a "## system" and a "## user"/)
    expect(() => parsePromptFile('---\n---\n## system\nx\n## user\ny\n## user\nz')).toThrow(/appears twice/)
    expect(() => parsePromptFile('---\n  topic: x\n---\n## system\nx\n## user\ny')).toThrow(/outside "inputs:"/)
  })

  it('keeps the parts exactly, minus the blank lines around them', () => {
    const { sections, meta, inputs } = parsePromptFile(file({ system: '第一行\n\n  第三行（缩进保留）' }))
    expect(sections.get('system')).toBe('第一行\n\n  第三行（缩进保留）')
    expect(meta).toMatchObject({ name: 'demo', version: '1' })
    expect({ ...inputs }).toEqual({ topic: '主题 / the topic' })
  })
})
