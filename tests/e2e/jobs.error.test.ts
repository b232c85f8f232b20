// Jobs that used to fail on odd input, seen through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('matching a need with no indexable word', () => {
  it('completes with nothing to match instead of failing on NaN', async () => {
    const ent = await t.tenant('enterprise', 'enterprise')
    const r = await t.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '!!! ???' } })
    expect(r.status).toBe(201)
    const need = await r.json()
    await t.settle()
    const run = await t.request(`/v1/needs/${need.id}/match`, { method: 'POST', key: ent.key })
    expect(run.status).toBe(202)
    const job = await t.job((await run.json()).job_id)
    expect(job).toMatchObject({ state: 'completed', failed_reason: null })
    const viaApi = await (await t.request(`/v1/jobs/${job.id}`, { key: ent.key })).json()
    expect(viaApi).toMatchObject({ state: 'completed', attempts_made: 1 })
    const matches = await (await t.request(`/v1/needs/${need.id}/matches`, { key: t.adminKey })).json()
    expect(matches.items).toEqual([])
  })
})
