// The model-written summary of a navigation report, against a loopback server speaking the chat completions API:
// accepted when every number it states is in the statistics (stored with model, prompt version, input hash, a draft),
// refused otherwise (the template stands and the reason is kept); a private need's report never goes to the model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { loopbackServer } from '../helpers/loopback'
import { loadNavFixture } from '../fixtures/navigation'

let server: Awaited<ReturnType<typeof loopbackServer>>
let t: TestApp
let mgr: { orgId: string; key: string }
let answer: (facts: { patents: number }) => unknown
const calls: { system: string; facts: Record<string, unknown> }[] = []

beforeAll(async () => {
  server = await loopbackServer((body, res) => {
    const facts = JSON.parse(body.messages[1].content)
    calls.push({ system: body.messages[0].content, facts })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({
      id: 'x', object: 'chat.completion', created: 0, model: body.model,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify(answer(facts)) } }],
    }))
  })
  t = await createTestApp({ CHAT_MODEL: 'test-chat', OPENAI_BASE_URL: server.base, OPENAI_API_KEY: 'sk-test' }, { isolated: true })
  await loadNavFixture(t)
  mgr = await t.tenant('transfer_center', 'manager')
})
afterAll(async () => {
  await t?.close()
  await server.close()
})

async function build(scope: Record<string, unknown>) {
  const r = await t.request('/v1/navigation-reports', { key: mgr.key, method: 'POST', json: { scope } })
  const created = await r.json()
  await t.job(created.job_id)
  return (await t.request(`/v1/navigation-reports/${created.id}`, { key: mgr.key })).json()
}

describe('model-written summary', () => {
  it('uses a narrative whose numbers all come from the statistics, recorded with model, prompt version and input hash', async () => {
    answer = (f) => ({ summary: `检索范围内共有专利 ${f.patents} 件，近3年申请增长较快。`, recommendations: ['与清华大学洽谈许可。'] })
    const r = await build({ keywords: ['固态电解质'], ipc: ['H01M'] })
    expect(calls.at(-1)!.system).toContain('每一个数字都必须与数据中的某个数字完全一致')
    expect(calls.at(-1)!.facts).toMatchObject({ patents: 10, window_years: 3 })
    expect(r.summary).toMatchObject({
      source: 'model', model: 'openai:test-chat', prompt_version: 'navigation-summary/v1',
      text: '检索范围内共有专利 10 件，近3年申请增长较快。\n\n建议：\n- 与清华大学洽谈许可。',
    })
    expect(r.summary.input_hash).toMatch(/^[0-9a-f]{32}$/)
    expect(r.summary_state).toBe('draft')
  })

  it('rejects a narrative stating a number that is not in the statistics and keeps the template', async () => {
    answer = (f) => ({ summary: `共有专利 ${f.patents} 件，预计明年增长 85%。` })
    const r = await build({ keywords: ['固态电解质'], ipc: ['H01M10'] })
    expect(r.summary.source).toBe('template')
    expect(r.summary.fallback_reason).toBe('numbers not in the statistics: 85')
    expect(r.summary.text).toContain('共检得专利')
    expect(r.summary.model).toBe('openai:test-chat') // the attempt is recorded
  })

  it('keeps the template when the model answers something that is not the expected JSON', async () => {
    answer = () => ({ text: 'hello' })
    const r = await build({ keywords: ['固态电解质'], ipc: ['H01M4'] })
    expect(r.summary.source).toBe('template')
    expect(r.summary.fallback_reason).toMatch(/schema/)
  })

  it('never sends the report of a private need to the model', async () => {
    const ent = await t.tenant('enterprise', 'enterprise')
    const n = await t.request('/v1/needs', { key: ent.key, method: 'POST', json: { title: '机密固态电池项目', description: '固态电解质', visibility: 'private' } })
    const before = calls.length
    const r = await t.request('/v1/navigation-reports', { key: ent.key, method: 'POST', json: { scope: { need_id: (await n.json()).id, need_min_relevance: 0 } } })
    const created = await r.json()
    expect((await t.job(created.job_id)).state).toBe('completed')
    expect(calls.length).toBe(before)
    const got = await (await t.request(`/v1/navigation-reports/${created.id}`, { key: ent.key })).json()
    expect(got.summary).toMatchObject({ source: 'template', model: null })
  })
})
