// Property-based: every route of the OpenAPI document, hit with generated query strings, path ids and JSON bodies
// (NUL, lone surrogates, huge numbers, wrong types, deep nesting, forged cursors, out-of-range dates), never answers
// a 5xx; a 400 is always problem+json. Seeded and kept small so the suite stays fast; FUZZ_RUNS raises the count.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATA_EXCEPTION_DETAIL } from '../../src/api/app'
import { createTestApp, type TestApp } from '../helpers/app'

const SEED = 20261129
const RUNS = Number(process.env.FUZZ_RUNS ?? 250)

let t: TestApp
const keys: string[] = []
const ids: string[] = []

interface Op {
  method: string
  path: string
  query: { name: string; enum?: unknown[] }[]
  body?: { kind: 'json' | 'multipart'; props: { name: string; enum?: unknown[] }[] }
}
let ops: Op[] = []

// `any` on purpose: the OpenAPI document is read loosely
type Schema = any

function resolve(doc: Schema, s: Schema): Schema {
  while (s && s.$ref) s = doc.components.schemas[s.$ref.split('/').pop()]
  return s ?? {}
}
const enumOf = (doc: Schema, s: Schema): unknown[] | undefined => {
  const r = resolve(doc, s)
  return r.enum ?? r.items?.enum ?? r.anyOf?.flatMap((x: Schema) => resolve(doc, x).enum ?? [])
}

beforeAll(async () => {
  t = await createTestApp()
  const ent = await t.tenant('enterprise', 'enterprise')
  const uni = await t.tenant('university', 'university')
  const mgr = await t.tenant('transfer_center', 'manager')
  keys.push(t.adminKey, ent.key, uni.key, mgr.key)
  const need = await t.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '模糊测试需求', description: '锂电池健康状态' } })
  const ach = await t.request('/v1/achievements', { method: 'POST', key: uni.key, json: { title: '模糊测试成果', summary: '锂电池健康状态估计' } })
  const pat = await t.request('/v1/patents', { method: 'POST', key: uni.key, json: { publication_number: 'CN119000001A', title: '模糊测试专利' } })
  for (const r of [need, ach, pat]) ids.push((await r.json()).id)
  ids.push(ent.orgId, uni.orgId)
  await t.settle()

  const doc = await (await t.request('/openapi.json')).json()
  for (const [path, methods] of Object.entries<Schema>(doc.paths)) {
    for (const [method, op] of Object.entries<Schema>(methods)) {
      const query = (op.parameters ?? []).filter((p: Schema) => p.in === 'query').map((p: Schema) => ({ name: p.name, enum: enumOf(doc, p.schema) }))
      const content = op.requestBody?.content ?? {}
      const ct = Object.keys(content)[0]
      const schema = ct ? resolve(doc, content[ct].schema) : undefined
      const propsOf = (s: Schema): Schema => ({ ...(s?.properties ?? {}), ...Object.assign({}, ...(s?.allOf ?? []).map((x: Schema) => resolve(doc, x).properties ?? {})) })
      const body = schema
        ? { kind: ct === 'multipart/form-data' ? ('multipart' as const) : ('json' as const), props: Object.entries<Schema>(propsOf(schema)).map(([name, s]) => ({ name, enum: enumOf(doc, s) })) }
        : undefined
      ops.push({ method: method.toUpperCase(), path, query, body })
    }
  }
})
afterAll(() => t?.close())

const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
const ZERO = '00000000-0000-4000-8000-000000000000'

/** Strings that broke or could break something downstream. */
const nasty = fc.constantFrom(
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00', '\ud83d', '😀', '\u202e', '%00', '0000-01-01', '9999-12-31',
  '2025-02-30', '0000-01-01T00:00:00Z', '-1', '0', '1e309', 'NaN', 'Infinity', '-0', '99999999999999999999', "' OR 1=1 --",
  '<script>alert(1)</script>', '=HYPERLINK("x")', '../../etc/passwd', 'x'.repeat(5000), ZERO, 'not-a-uuid',
  enc({ at: 'x', id: ZERO }), enc({ at: '0000-01-01T00:00:00Z', id: ZERO }), enc({ rank: 1e308, id: ZERO }), enc({ id: -1 }),
  enc({ id: 1e300 }), enc([]), 'eyJ', '!!!',
)
const anyString = fc.oneof(nasty, fc.string({ maxLength: 30 }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 }))
const hugeNumber = fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -(2 ** 63), 1e21, 0.1, -1, 0, 5e-324)
const leaf = fc.oneof(anyString, hugeNumber, fc.integer(), fc.boolean(), fc.constant(null))
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(anyString, tie('v'), { maxKeys: 4 })),
})).v

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)

/** A percent-encoding that survives lone surrogates (encodeURIComponent throws on them). */
function pct(s: string): string {
  try {
    return encodeURIComponent(s)
  } catch {
    return [...s].map((ch) => (/[A-Za-z0-9]/.test(ch) ? ch : [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).padStart(2, '0')).join(''))).join('')
  }
}

function requestFor(op: Op) {
  const pathArb = fc.oneof(fc.constantFrom(...ids), fc.uuid(), anyString)
  const queryArb = fc.array(
    fc.tuple(op.query.length ? fc.oneof(fc.constantFrom(...op.query.map((q) => q.name)), anyString) : anyString, fc.oneof(anyString, hugeNumber.map(String))),
    { maxLength: 4 },
  )
  const propValue = (p: { enum?: unknown[] }) => (p.enum?.length ? fc.oneof(fc.constantFrom(...p.enum), value) : value)
  const jsonBody: fc.Arbitrary<string | undefined> = op.body?.kind === 'json'
    ? fc.oneof(
        { weight: 6, arbitrary: fc.record(Object.fromEntries(op.body.props.map((p) => [p.name, propValue(p)])), { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
        { weight: 2, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
        { weight: 1, arbitrary: fc.constantFrom(deep(100_000), deepObject(50_000), '{"title":', '\u0000', '{"title":"\\ud800"}', '{"title":"a\\u0000b"}', '1e99999', '"x"', '[]') },
      )
    : fc.constant(undefined)
  return fc.record({
    key: fc.constantFrom(...keys),
    id: pathArb,
    query: queryArb,
    body: jsonBody,
    form: fc.record({ kind: fc.oneof(fc.constantFrom('need', 'patent', 'achievement'), anyString), map: anyString, name: fc.oneof(anyString, fc.constantFrom('a.csv', 'x\u0000.csv', '\ud800.jsonl')), org_id: fc.oneof(anyString, fc.constantFrom(...ids)) }),
  })
}

describe('every route of the OpenAPI document under generated input', () => {
  it('never answers a 5xx; every 400 is problem+json', async () => {
    expect(ops.length).toBeGreaterThan(20)
    const perOp = Math.max(3, Math.ceil(RUNS / ops.length))
    for (const [i, op] of ops.entries()) {
      await fc.assert(
        fc.asyncProperty(requestFor(op), async (r) => {
          const path = op.path.replace(/\{[^}]+\}/g, pct(r.id))
          const qs = r.query.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')
          const init: RequestInit & { key: string } = { method: op.method, key: r.key }
          if (op.body?.kind === 'json' && r.body !== undefined) {
            init.body = r.body
            init.headers = { 'content-type': 'application/json' }
          } else if (op.body?.kind === 'multipart') {
            const form = new FormData()
            form.set('file', new File(['标题\n' + r.form.map], r.form.name))
            form.set('kind', r.form.kind)
            form.set('map', r.form.map)
            form.set('org_id', r.form.org_id)
            init.body = form
          }
          const res = await t.request(qs ? `${path}?${qs}` : path, init)
          const text = await res.text()
          if (res.status >= 500) throw new Error(`${op.method} ${path}?${qs} -> ${res.status} ${text.slice(0, 300)}`)
          if (res.status === 400) {
            expect(res.headers.get('content-type')).toContain('application/problem+json')
            // refused by validation (naming the field), not by the database's last-line-of-defence mapping
            if (text.includes(DATA_EXCEPTION_DETAIL)) throw new Error(`${op.method} ${path}?${qs} reached the database: ${text.slice(0, 300)}`)
          }
        }),
        { seed: SEED + i, numRuns: perOp, endOnFailure: true },
      )
    }
    await t.settle()
  })
})

describe('text rules reach every area', () => {
  it('NUL and lone surrogates in a navigation report body are a 400 naming the field', async () => {
    const mgr = keys[3]!
    const r = await t.request('/v1/navigation-reports', { method: 'POST', key: mgr, json: { title: 'a\u0000', scope: { keywords: ['电池'] } } })
    expect(r.status).toBe(400)
    expect((await r.json()).errors.map((e: { field: string }) => e.field)).toContain('body.title')
    const r2 = await t.request('/v1/navigation-reports', {
      method: 'POST', key: mgr, headers: { 'content-type': 'application/json' }, body: '{"scope":{"keywords":["\\ud800"]}}',
    })
    expect(r2.status).toBe(400)
    expect((await r2.json()).errors.map((e: { field: string }) => e.field)).toContain('body.scope.keywords.0')
  })
})

describe('API errors: problem+json for unknown routes, invalid and oversized input', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT_BYTES: '2048' })
  })
  afterAll(() => t.close())

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
})
