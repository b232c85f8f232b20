import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: '2048' })
})
afterAll(() => t.close())

describe('API skeleton', () => {
  it('answers /healthz and /readyz with the checks', async () => {
    const h = await t.request('/healthz')
    expect(h.status).toBe(200)
    expect(await h.json()).toEqual({ status: 'ok' })
    const r = await t.request('/readyz')
    expect(r.status).toBe(200)
    const body = await r.json()
    expect(body.status).toBe('ready')
    expect(body.checks.database.ok).toBe(true)
    expect(body.checks.migrations.ok).toBe(true)
  })

  it('puts a request id on every response', async () => {
    const a = await t.request('/healthz')
    const b = await t.request('/nope')
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(b.headers.get('x-request-id')).not.toBe(a.headers.get('x-request-id'))
  })

  it('serves the OpenAPI 3.1 document and the browsable reference', async () => {
    const doc = await (await t.request('/openapi.json')).json()
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toContain('/v1/orgs/{id}/keys')
    const docs = await t.request('/docs')
    expect(docs.status).toBe(200)
    expect(await docs.text()).toContain('/openapi.json')
  })
})
