// Authentication under attack: failed attempts are limited per address (429 + Retry-After), an oversized body gets its
// 413 over a real socket, and the displayed key prefix is never part of the secret.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app'
import { failedAuthLimiter } from '../../src/api/auth'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createLogger } from '../../src/log'
import { hashKey } from '../../src/orgs/service'
import { orgStore } from '../../src/orgs/store'
import { createTestApp, type TestApp } from '../helpers/app'
import { testConfig } from '../helpers/env'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ AUTH_FAIL_LIMIT: '5', AUTH_FAIL_WINDOW_SECONDS: '120', TRUST_PROXY: 'true' })
})
afterAll(() => t.close())

const from = (addr: string, key: string) => t.request('/v1/me', { key, headers: { 'x-forwarded-for': `203.0.113.9, ${addr}` } })

describe('failed authentication limit', () => {
  it('answers 429 with Retry-After after 5 bad keys from one address, even for a good key; other addresses are unaffected', async () => {
    for (let i = 0; i < 5; i++) expect((await from('10.0.0.1', `tt_guess_${i}`)).status).toBe(401)
    const limited = await from('10.0.0.1', 'tt_guess_6')
    expect(limited.status).toBe(429)
    const retry = Number(limited.headers.get('retry-after'))
    expect(retry).toBeGreaterThan(0)
    expect(retry).toBeLessThanOrEqual(120)
    const body = await limited.json()
    expect(body).toMatchObject({ type: '/problems/too_many_requests', status: 429, retry_after: retry })
    expect((await from('10.0.0.1', t.adminKey)).status).toBe(429) // no oracle: a right guess is not confirmed now
    expect((await from('10.0.0.2', t.adminKey)).status).toBe(200)
    expect((await from('10.0.0.2', 'tt_guess_x')).status).toBe(401)
  })

  it('counts per window and forgets after it (injected clock)', () => {
    let now = 1_000_000
    const l = failedAuthLimiter(3, 60, () => now)
    for (let i = 0; i < 3; i++) l.fail('a')
    expect(l.retryAfter('a')).toBe(60)
    expect(l.retryAfter('b')).toBe(0)
    now += 59_500
    expect(l.retryAfter('a')).toBe(1)
    now += 1000
    expect(l.retryAfter('a')).toBe(0)
    l.fail('a')
    expect(l.retryAfter('a')).toBe(0)
  })
})

describe('oversized bodies over a real socket', () => {
  it('a 2 MB body gets its 413 (10 tries with Node fetch), and the next request works', async () => {
    const app = createApp({ config: testConfig(), db: t.db, services: t.services }, createLogger('silent'))
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
    await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const big = JSON.stringify({ title: 'x', description: 'y'.repeat(2 * 1024 * 1024) })
      const statuses: number[] = []
      for (let i = 0; i < 10; i++) {
        const r = await fetch(`${base}/v1/needs`, {
          method: 'POST', body: big,
          headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
        })
        statuses.push(r.status)
        expect(r.headers.get('connection')).toBe('close')
        expect(((await r.json()) as { type: string }).type).toBe('/problems/payload_too_large')
        const next = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${t.adminKey}` } })
        expect(next.status).toBe(200)
        await next.text()
      }
      expect(statuses).toEqual(Array(10).fill(413))
      // chunked, without a length: the same answer
      const stream = new ReadableStream({
        start(ctrl) {
          for (let i = 0; i < 32; i++) ctrl.enqueue(new Uint8Array(64 * 1024).fill(0x20))
          ctrl.close()
        },
      })
      const chunked = await fetch(`${base}/v1/needs`, {
        method: 'POST', body: stream, duplex: 'half',
        headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
      } as RequestInit)
      expect(chunked.status).toBe(413)
      // a body under the limit still arrives whole
      const ok = await fetch(`${base}/v1/needs`, {
        method: 'POST', body: JSON.stringify({ title: 'x' }),
        headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
      })
      expect(ok.status).toBe(400) // an admin must name the org: the body was read and validated
      expect(((await ok.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('body.org_id')
    } finally {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
})

describe('displayed key prefix', () => {
  const listed = async (orgId: string) =>
    (await (await t.request(`/v1/orgs/${orgId}/keys`, { key: t.adminKey })).json()).items as { id: string; name: string; prefix: string }[]

  it('an ADMIN_BOOTSTRAP_KEY gets a random public id: no part of the secret is stored or listed', async () => {
    const key = `operator-chosen-${Math.random().toString(36).slice(2)}-secret-value`
    const r = await t.services.orgs.bootstrapAdmin({ key, name: 'ADMIN_BOOTSTRAP_KEY' })
    const stored = (await t.db.query<{ id: string; prefix: string }>('SELECT id, prefix FROM api_keys WHERE key_hash = $1', [hashKey(key)])).rows[0]!
    expect(stored.prefix).toHaveLength(8)
    expect(key).not.toContain(stored.prefix)
    expect((await listed(r.orgId)).find((k) => k.id === stored.id)!.prefix).toBe(stored.prefix)
    expect((await t.request('/v1/me', { key })).status).toBe(200)
  })

  it('a generated key lists its public id, which is not part of the 192-bit secret after it', async () => {
    const org = await t.tenant('enterprise', 'enterprise')
    const k = (await listed(org.orgId))[0]!
    const [, id, secret] = /^tt_([A-Za-z0-9_-]{8})_(.+)$/.exec(org.key)!
    expect(k.prefix).toBe(id)
    expect(secret).toHaveLength(32)
    expect(secret).not.toContain(k.prefix)
  })

  it('keys registered before (prefix = start of the secret) are fixed by migration 0009 and at boot, and keep working', async () => {
    const platform = (await t.db.query<{ id: string }>("SELECT id FROM organizations WHERE kind = 'platform' LIMIT 1")).rows[0]!.id
    const legacy = `legacy-bootstrap-${Math.random().toString(36).slice(2)}-key`
    const row = await orgStore.insertKey(t.db, { orgId: platform, name: 'ADMIN_BOOTSTRAP_KEY', role: 'admin', prefix: legacy.slice(0, 8), keyHash: hashKey(legacy) })
    await t.db.exec(readFileSync(path.resolve(__dirname, '../../migrations/0009_key_prefix_not_secret.sql'), 'utf8'))
    const after = (await listed(platform)).find((k) => k.id === row.id)!
    expect(after.prefix).not.toBe(legacy.slice(0, 8))
    expect(legacy).not.toContain(after.prefix)
    expect((await t.request('/v1/me', { key: legacy })).status).toBe(200)

    // a legacy key under another name: fixed when the operator's ADMIN_BOOTSTRAP_KEY is registered again at boot
    const renamed = `renamed-bootstrap-${Math.random().toString(36).slice(2)}-key`
    const row2 = await orgStore.insertKey(t.db, { orgId: platform, name: 'ops key', role: 'admin', prefix: renamed.slice(0, 8), keyHash: hashKey(renamed) })
    const again = await t.services.orgs.bootstrapAdmin({ key: renamed })
    expect(again.created).toBe(false)
    const fixed = (await listed(platform)).find((k) => k.id === row2.id)!
    expect(renamed).not.toContain(fixed.prefix)
    expect((await t.request('/v1/me', { key: renamed })).status).toBe(200)
  })
})
