// /docs serves only the pinned Swagger UI assets: no other file of node_modules, no traversal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

const ORIGIN = 'http://app.test'
let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => {
  await t?.close()
})

describe('/docs assets', () => {
  it('serves nothing else from node_modules: other files, traversal and unknown names are 404 problem+json', async () => {
    for (const p of ['/docs/assets/package.json', '/docs/assets/swagger-ui-bundle.js.map', '/docs/assets/..%2fpackage.json',
      '/docs/assets/..%2F..%2F..%2Fpackage.json', '/docs/assets/%2e%2e/index.js', '/docs/assets/constructor', '/docs/assets/']) {
      const r = await t.request(`${ORIGIN}${p}`)
      expect(r.status, p).toBe(404)
      expect(r.headers.get('content-type'), p).toMatch(/^application\/problem\+json/)
    }
  })
})
