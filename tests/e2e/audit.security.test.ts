// Only admins read the audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('audit trail: who may read it', () => {
  it('is for admins only', async () => {
    const mgr = await t.tenant('transfer_center', 'manager')
    const uni = await t.tenant('university', 'university')
    expect((await t.request('/v1/audit', { key: mgr.key })).status).toBe(403)
    expect((await t.request('/v1/audit', { key: uni.key })).status).toBe(403)
    expect((await t.request('/v1/audit')).status).toBe(401)
  })
})
