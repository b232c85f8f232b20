// The optional chat-model re-rank, against a loopback server speaking the chat completions API (real SDK, real HTTP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemoData } from '../helpers/demo'
import { createTestApp, type TestApp } from '../helpers/app'
import { loopbackServer } from '../helpers/loopback'

let server: Awaited<ReturnType<typeof loopbackServer>>
let t: TestApp
let mgr: { orgId: string; key: string }
/** what the model answers, given the candidate ids it was sent */
let answer: (ids: string[]) => string
const calls: { model: string; system: string; user: { query: { title: string }; candidates: { id: string; title: string }[] } }[] = []

beforeAll(async () => {
  server = await loopbackServer((body, res) => {
    const user = JSON.parse(body.messages[1].content)
    calls.push({ model: body.model, system: body.messages[0].content, user })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({
      id: 'x', object: 'chat.completion', created: 0, model: body.model,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: answer(user.candidates.map((c: { id: string }) => c.id)) } }],
    }))
  })
  const base = server.base
  // the model prefers the last candidate it is shown; an id it was not shown is ignored
  answer = (ids) => JSON.stringify({
    results: [...ids.map((id, i) => ({ id, score: i === ids.length - 1 ? 10 : 0, rationale: `候选${id}\u0007的理由` })), { id: 'c999', score: 10, rationale: '不存在' }],
  })
  // no strength floor, and the judgement at full weight (x0 to x2): scores are absolute cosines now, so at the default
  // weight (x0.5 to x1.5) a 10/10 fifth candidate need not pass a far closer first; what is tested is that it re-orders
  t = await createTestApp({ CHAT_MODEL: 'test-chat', OPENAI_BASE_URL: base, OPENAI_API_KEY: 'sk-test', RERANK_TOP_N: '5', MATCH_STRENGTH_FLOOR: '0', MATCH_WEIGHTS: '{"model":1}' }, { isolated: true })
  await loadDemoData(t.rt)
  await t.settle()
  mgr = await t.tenant('transfer_center', 'manager')
})
afterAll(async () => {
  await t?.close()
  await server.close()
})

const NEED = '储能电站电池健康状态在线评估'
const needId = async () => (await t.db.query<{ id: string }>('SELECT id FROM needs WHERE title = $1', [NEED])).rows[0]!.id
const matches = async (id: string) => (await (await t.request(`/v1/needs/${id}/matches?limit=100`, { key: mgr.key })).json()).items

// One fixture (an isolated catalogue with the demo data, judged by the loopback model) serves all three groups, in
// this order: the error case changes the model's answer last.
describe('model re-rank: happy path', () => {
  it('sends the need and its top candidates, and lets the judgement re-order them, recorded with model, prompt version and input hash', async () => {
    const call = calls.find((c) => c.user.query.title === NEED)!
    expect(call.model).toBe('test-chat')
    expect(call.system).toContain('JSON')
    expect(call.user.candidates).toHaveLength(5)
    const favourite = call.user.candidates[4]!.title
    const items = await matches(await needId())
    expect(items[0].item_title).toBe(favourite)
    expect(items[0]).toMatchObject({ model: { model: 'openai:test-chat', prompt_version: 'match-rerank/v1' }, state: 'suggested' })
    expect(items[0].model.input_hash).toMatch(/^[0-9a-f]{32}$/)
    expect(items[0].components.model).toEqual({ score: 1, weight: 1 })
    expect(items[0].model.rationale).toBe('候选c5 的理由') // control characters stripped
    // only the top five were judged; those judged 0 of 10 fell down the list (out of the MATCH_MAX_SUGGESTIONS kept)
    const judged = items.filter((m: { model: unknown }) => m.model)
    expect(judged.length).toBeGreaterThanOrEqual(1)
    expect(judged.length).toBeLessThanOrEqual(5)
    expect(judged.slice(1).every((m: { model: { rationale: string } }) => m.model.rationale !== '候选c5 的理由')).toBe(true)
    expect(items[10].model).toBeNull()
  })

  it('reuses a stored judgement when nothing changed instead of calling the model again', async () => {
    const before = calls.length
    const r = await t.request(`/v1/needs/${await needId()}/match`, { key: mgr.key, method: 'POST' })
    expect(r.status).toBe(202)
    await t.job((await r.json()).job_id)
    expect(calls.length).toBe(before)
  })
})

describe('model re-rank: security', () => {
  it('never sends a private need to the model, as query or as candidate', async () => {
    const priv = (await t.db.query<{ title: string }>("SELECT title FROM needs WHERE visibility = 'private'")).rows.map((r) => r.title)
    expect(priv.length).toBeGreaterThan(0)
    const sent = calls.flatMap((c) => [c.user.query.title, ...c.user.candidates.map((x) => x.title)])
    for (const title of priv) expect(sent).not.toContain(title)
  })
})

describe('model re-rank: errors', () => {
  it('keeps the feature ranking when the model answers nonsense', async () => {
    answer = () => '{"results": [{"id": "c1", "score": 99}]}' // out of range: the whole answer is refused
    await t.db.query('DELETE FROM model_outputs')
    const id = await needId()
    const r = await t.request(`/v1/needs/${id}/match`, { key: mgr.key, method: 'POST' })
    await t.job((await r.json()).job_id)
    const items = await matches(id)
    expect(items.every((m: { model: unknown }) => m.model === null)).toBe(true)
    expect(items[0].components.model_error).toMatch(/too_big/)
    expect(items[0].item_title).toBe('锂离子动力电池健康状态在线估计技术') // the ranking without the model
  })
})
