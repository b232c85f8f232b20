// Bad audit filters are a 400 naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('audit trail: bad filters', () => {
  it('refuses bad filters with a 400 naming the field', async () => {
    const r = await t.request('/v1/audit?since=yesterday', { key: t.adminKey })
    expect(r.status).toBe(400)
    expect((await r.json()).errors[0].field).toBe('query.since')
  })
})
