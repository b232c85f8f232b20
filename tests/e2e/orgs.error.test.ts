// Organisations: a name is taken once (409), compared trimmed and case-insensitively, even under concurrent creates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const create = (json: unknown) => t.request('/v1/orgs', { method: 'POST', key: t.adminKey, json })

describe('duplicate organisation names', () => {
  it('POST /v1/orgs with a name that exists answers 409 with the existing id (any kind, any case, extra spaces)', async () => {
    const name = `Lab 测试大学 ${Math.random().toString(36).slice(2, 8)}`
    const first = await create({ name, kind: 'university', region: '江苏' })
    expect(first.status).toBe(201)
    const { id } = await first.json()
    for (const again of [name, `  ${name.toUpperCase()} `, name.toLowerCase()]) {
      const r = await create({ name: again, kind: 'enterprise' })
      expect(r.status).toBe(409)
      const body = await r.json()
      expect(body).toMatchObject({ type: '/problems/conflict', existing_id: id })
      expect(body.detail).toMatch(/已存在/)
    }
    expect((await create({ name: `${name} 分院`, kind: 'institute' })).status).toBe(201)
  })

  it('two concurrent creates of one name: one 201, one 409', async () => {
    const name = `并发机构 ${Math.random().toString(36).slice(2, 8)}`
    const statuses = (await Promise.all([create({ name, kind: 'enterprise' }), create({ name, kind: 'enterprise' })])).map((r) => r.status)
    expect(statuses.sort()).toEqual([201, 409])
  })
})
