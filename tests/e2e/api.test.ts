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

  it('answers unknown routes with 404 problem+json, not HTML', async () => {
    const r = await t.request('/no/such/route')
    expect(r.status).toBe(404)
    expect(r.headers.get('content-type')).toContain('application/problem+json')
    const body = await r.json()
    expect(body).toMatchObject({ type: '/problems/not_found', status: 404, title: expect.stringContaining('Not found') })
    expect(body.title).toMatch(/资源不存在/)
    expect(body.request_id).toBe(r.headers.get('x-request-id'))
  })

  it('answers invalid input with 400 problem+json naming each field', async () => {
    const r = await t.request('/v1/orgs', { method: 'POST', key: t.adminKey, json: { name: '', kind: 'bank' } })
    expect(r.status).toBe(400)
    expect(r.headers.get('content-type')).toContain('application/problem+json')
    const body = await r.json()
    expect(body.type).toBe('/problems/validation_error')
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.kind', 'body.name'])
    expect(body.errors.every((e: { message: string }) => e.message.length > 0)).toBe(true)
  })

  it('answers malformed JSON with 400 problem+json', async () => {
    const r = await t.request('/v1/orgs', {
      method: 'POST', key: t.adminKey, body: '{"name": ', headers: { 'content-type': 'application/json' },
    })
    expect(r.status).toBe(400)
    expect((await r.json()).type).toBe('/problems/validation_error')
  })

  it('answers an oversized body with 413 problem+json', async () => {
    const r = await t.request('/v1/orgs', {
      method: 'POST', key: t.adminKey, json: { name: '大'.repeat(3000), kind: 'enterprise' },
    })
    expect(r.status).toBe(413)
    expect((await r.json()).type).toBe('/problems/payload_too_large')
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
