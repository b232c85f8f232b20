// Challenge briefs, what goes wrong: bad input is a 400 naming the field, workflow rules are 409s, nothing is a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { CLEAR_NEED, draft, postNeed } from '../helpers/briefs'

let t: TestApp
let ent: { orgId: string; key: string }
let needId: string
let brief: { id: string; version: number }

beforeAll(async () => {
  t = await createTestApp()
  ent = await t.tenant('enterprise', 'enterprise')
  needId = await postNeed(t, ent.key, CLEAR_NEED)
  await t.settle()
  brief = await draft(t, ent.key, needId, { writer: 'template' })
})
afterAll(() => t.close())

// `any` on purpose: problem bodies are read loosely
const problem = async (r: Response, status: number, field?: string): Promise<any> => {
  expect(r.status).toBe(status)
  expect(r.headers.get('content-type')).toContain('application/problem+json')
  const body = (await r.json()) as { errors: { field: string }[] }
  if (field) expect(body.errors.map((e: { field: string }) => e.field)).toContain(field)
  return body
}

describe('briefs: errors', () => {
  it('refuses bad input with a 400 naming the field', async () => {
    await problem(await t.request(`/v1/needs/${needId}/briefs`, { method: 'POST', key: ent.key, json: { writer: 'poet' } }), 400, 'body.writer')
    await problem(await t.request('/v1/needs/not-a-uuid/briefs', { method: 'POST', key: ent.key, json: {} }), 400, 'param.id')
    // no chat model configured here: asking for the model writer says so
    await problem(await t.request(`/v1/needs/${needId}/briefs`, { method: 'POST', key: ent.key, json: { writer: 'model' } }), 400, 'body.writer')
    await problem(await t.request(`/v1/briefs/${brief.id}`, { method: 'PATCH', key: ent.key, json: { content: { budget: '100万元' } } }), 400, 'body.base_version')
    await problem(await t.request(`/v1/briefs/${brief.id}`, { method: 'PATCH', key: ent.key, json: { base_version: 1, content: { secret_field: 1 } } }), 400)
    await problem(await t.request(`/v1/briefs/${brief.id}`, { method: 'PATCH', key: ent.key, json: { base_version: 1, content: { indicators: [{ target: '≥1' }] } } }), 400, 'body.content.indicators.0.name')
    await problem(await t.request(`/v1/briefs/${brief.id}`, { method: 'PATCH', key: ent.key, json: { base_version: 1, content: { title: 'x'.repeat(201) } } }), 400, 'body.content.title')
    await problem(await t.request(`/v1/briefs/${brief.id}`, { method: 'PATCH', key: ent.key, json: { base_version: 1, content: { budget: (await (await t.request(`/v1/briefs/${brief.id}`, { key: ent.key })).json()).content.budget } } }), 400, 'body.content')
    await problem(await t.request(`/v1/briefs/${brief.id}/stage`, { method: 'POST', key: ent.key, json: { stage: '已发布' } }), 400, 'body.stage')
    await problem(await t.request(`/v1/briefs/${brief.id}/diff?from=0&to=1`, { key: ent.key }), 400, 'query.from')
    await problem(await t.request(`/v1/briefs/${brief.id}/export?format=pdf`, { key: ent.key }), 400, 'query.format')
    await problem(await t.request(`/v1/briefs/${brief.id}/confirm`, { method: 'POST', key: ent.key, body: '{"version":', headers: { 'content-type': 'application/json' } }), 400)
  })

  it('answers 404 for missing briefs and versions', async () => {
    await problem(await t.request('/v1/briefs/00000000-0000-4000-8000-000000000000', { key: ent.key }), 404)
    await problem(await t.request(`/v1/briefs/${brief.id}/versions/9`, { key: ent.key }), 404)
    await problem(await t.request(`/v1/briefs/${brief.id}/diff?from=1&to=9`, { key: ent.key }), 404)
    await problem(await t.request('/v1/needs/00000000-0000-4000-8000-000000000000/briefs', { method: 'POST', key: ent.key, json: {} }), 404)
  })

  it('keeps the workflow: stale edits, confirming an old version, publishing unconfirmed, skipping stages, editing a published brief', async () => {
    const edited = await (await t.request(`/v1/briefs/${brief.id}`, { method: 'PATCH', key: ent.key, json: { base_version: 1, content: { duration: '10个月' } } })).json()
    expect(edited.version).toBe(2)
    const stale = await problem(await t.request(`/v1/briefs/${brief.id}`, { method: 'PATCH', key: ent.key, json: { base_version: 1, content: { duration: '8个月' } } }), 409)
    expect(stale.current_version).toBe(2)
    expect((await problem(await t.request(`/v1/briefs/${brief.id}/publish`, { method: 'POST', key: ent.key }), 409)).brief_status).toBe('edited')
    const old = await problem(await t.request(`/v1/briefs/${brief.id}/confirm`, { method: 'POST', key: ent.key, json: { version: 1 } }), 409)
    expect(old.current_version).toBe(2)
    await problem(await t.request(`/v1/briefs/${brief.id}/stage`, { method: 'POST', key: ent.key, json: { stage: 'awaiting' } }), 409)
    expect((await t.request(`/v1/briefs/${brief.id}/confirm`, { method: 'POST', key: ent.key, json: { version: 2 } })).status).toBe(200)
    await problem(await t.request(`/v1/briefs/${brief.id}/confirm`, { method: 'POST', key: ent.key, json: { version: 2 } }), 409)

    // an edit after confirmation takes the confirmation back
    const reedit = await (await t.request(`/v1/briefs/${brief.id}`, { method: 'PATCH', key: ent.key, json: { base_version: 2, content: { duration: '9个月' } } })).json()
    expect(reedit).toMatchObject({ status: 'edited', version: 3, confirmed_version: null })
    await problem(await t.request(`/v1/briefs/${brief.id}/publish`, { method: 'POST', key: ent.key }), 409)
    await t.request(`/v1/briefs/${brief.id}/confirm`, { method: 'POST', key: ent.key, json: { version: 3 } })
    expect((await t.request(`/v1/briefs/${brief.id}/publish`, { method: 'POST', key: ent.key })).status).toBe(200)

    const skip = await problem(await t.request(`/v1/briefs/${brief.id}/stage`, { method: 'POST', key: ent.key, json: { stage: 'in_progress' } }), 409)
    expect(skip.next_stage).toBe('awaiting')
    await problem(await t.request(`/v1/briefs/${brief.id}/stage`, { method: 'POST', key: ent.key, json: { stage: 'published' } }), 409)
    await problem(await t.request(`/v1/briefs/${brief.id}`, { method: 'PATCH', key: ent.key, json: { base_version: 3, content: { duration: '6个月' } } }), 409)
    await problem(await t.request(`/v1/briefs/${brief.id}/publish`, { method: 'POST', key: ent.key }), 409)
    for (const stage of ['awaiting', 'in_progress', 'acceptance', 'closed']) {
      expect((await t.request(`/v1/briefs/${brief.id}/stage`, { method: 'POST', key: ent.key, json: { stage } })).status).toBe(200)
    }
    const closed = await problem(await t.request(`/v1/briefs/${brief.id}/stage`, { method: 'POST', key: ent.key, json: { stage: 'closed' } }), 409)
    expect(closed.next_stage).toBeNull()
    // versions are all still there
    expect((await (await t.request(`/v1/briefs/${brief.id}/versions`, { key: ent.key })).json()).items.map((v: { version: number }) => v.version)).toEqual([1, 2, 3])
  })

  it('needs a key', async () => {
    expect((await t.request(`/v1/briefs/${brief.id}`)).status).toBe(401)
    expect((await t.request(`/v1/needs/${needId}/briefs`, { method: 'POST', json: {} })).status).toBe(401)
  })
})
