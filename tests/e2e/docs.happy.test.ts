// /docs: the API reference is served entirely from this origin (Swagger UI from the pinned swagger-ui-dist package).
import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

const ORIGIN = 'http://app.test'
const dist = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => {
  await t?.close()
})

/** Every URL-valued attribute in the page, however quoted. */
function urlsIn(html: string): string[] {
  const out: string[] = []
  for (const m of html.matchAll(/\s(?:src|href|srcset|action|poster|data|formaction)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
    out.push(m[1] ?? m[2] ?? m[3]!)
  }
  return out
}

describe('/docs offline', () => {
  it('serves a page whose every src/href is on this origin, with a CSP that allows only this origin', async () => {
    const r = await t.request(`${ORIGIN}/docs`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/html/)
    const csp = r.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'self'")
    expect(csp).not.toMatch(/https?:|\*/)
    const html = await r.text()
    const urls = urlsIn(html)
    expect(urls.length).toBeGreaterThanOrEqual(4)
    for (const u of urls) expect(new URL(u, `${ORIGIN}/docs`).origin, u).toBe(ORIGIN)
    // nothing that could reach another host: no absolute or scheme-relative URL anywhere in the page, no inline script
    expect(html).not.toMatch(/https?:\/\/|["'(]\/\//)
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/)
    expect(urls.filter((u) => u.includes('swagger-ui-bundle.js'))).toHaveLength(1)
  })

  it('answers every asset the page references with 200, its content type and the package file itself', async () => {
    const html = await (await t.request(`${ORIGIN}/docs`)).text()
    const want: Record<string, RegExp> = { '.css': /^text\/css/, '.js': /^text\/javascript/, '.png': /^image\/png$/ }
    for (const u of urlsIn(html)) {
      const url = new URL(u, `${ORIGIN}/docs`)
      const r = await t.request(url.href)
      expect(r.status, u).toBe(200)
      const file = path.basename(url.pathname)
      expect(r.headers.get('content-type'), u).toMatch(want[path.extname(file)]!)
      const body = Buffer.from(await r.arrayBuffer())
      if (file !== 'docs-init.js') {
        expect(body.length, u).toBe(statSync(path.join(dist, file)).size)
        expect(body.equals(readFileSync(path.join(dist, file))), u).toBe(true)
      }
    }
  })

  it('answers HEAD for an asset with its headers and no body', async () => {
    const r = await t.request(`${ORIGIN}/docs/assets/swagger-ui.css`, { method: 'HEAD' })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/css/)
    expect(r.headers.get('content-length')).toBe(String(statSync(path.join(dist, 'swagger-ui.css')).size))
    expect((await r.arrayBuffer()).byteLength).toBe(0)
  })

  it('starts Swagger UI on this origin\'s /openapi.json, without the public validator badge', async () => {
    const js = await (await t.request(`${ORIGIN}/docs/assets/docs-init.js`)).text()
    expect(js).toContain("url: '/openapi.json'")
    expect(js).toContain('validatorUrl: null')
    expect(js).not.toMatch(/https?:|\/\//)
    const spec = await t.request(`${ORIGIN}/openapi.json`)
    expect(spec.status).toBe(200)
    expect(Object.keys((await spec.json()).paths).length).toBeGreaterThan(5)
  })
})
