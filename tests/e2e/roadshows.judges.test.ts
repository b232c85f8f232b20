// Judges' scoring links over HTTP: an organiser gives each judge a link (token shown once, stored hashed); a judge
// scores the confirmed programme under the organiser's name for them; the results drop the extremes. A judge token
// opens nothing but its own roadshow's judging routes, an API key opens none of them, and a revoked link stops at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
type Tenant = { orgId: string; key: string }
let org: Tenant, otherOrg: Tenant, uni: Tenant, ent: Tenant
const TAG = '声学超材料'
const RUN = Math.random().toString(36).slice(2, 8)
const items: string[] = []

const req = (path: string, key: string, init: { method?: string; json?: unknown } = {}) => t.request(path, { ...init, key })
const ok = async (r: Response | Awaited<ReturnType<typeof req>>, status = 200) => {
  expect(r.status, await r.clone().text()).toBe(status)
  return r.json()
}

/** A confirmed roadshow of this run's achievements. */
async function confirmedRoadshow(key = org.key) {
  const rs = await ok(await req('/v1/roadshows', key, { method: 'POST', json: { title: `降噪专场${RUN}`, theme: { keywords: [TAG] }, size: 3, per_org_max: 3, starts_at: '2026-12-10T06:00:00Z' } }), 201)
  expect(rs.entries.length).toBe(3)
  await ok(await req(`/v1/roadshows/${rs.id}/confirm`, key, { method: 'POST', json: { version: rs.version } }))
  return rs
}
const addJudge = async (id: string, name: string, key = org.key) => ok(await req(`/v1/roadshows/${id}/judges`, key, { method: 'POST', json: { name } }), 201)
const judgeReq = (path: string, token: string, init: { method?: string; json?: unknown } = {}) => t.request(path, { ...init, key: token })

beforeAll(async () => {
  t = await createTestApp()
  org = await t.tenant('organizer', 'organizer')
  otherOrg = await t.tenant('organizer', 'organizer')
  uni = await t.tenant('university', 'university')
  ent = await t.tenant('enterprise', 'enterprise')
  for (const [i, title] of ['薄板低频降噪结构', '管道消声器设计', '建筑隔声窗'].entries()) {
    const r = await req('/v1/achievements', uni.key, { method: 'POST', json: { title: `${TAG}${title}${RUN}`, summary: `${TAG}用于${title}，低频吸声系数0.9。`, maturity: 'pilot', external_id: `judge-${RUN}-${i}` } })
    items.push((await ok(r, 201)).id)
  }
  await t.settle()
})
afterAll(() => t.close())

describe('judges: happy path', () => {
  it('gives three judges links; each scores the programme; the results drop the extremes', async () => {
    const rs = await confirmedRoadshow()
    const [a, b, c] = [await addJudge(rs.id, '评委甲'), await addJudge(rs.id, '评委乙'), await addJudge(rs.id, '评委丙')]
    expect(a.token).toMatch(/^rj_[\w-]{8}_[\w-]{32}$/)
    expect(a.link).toBe(`/console/judge#${a.token}`)
    const view = await ok(await judgeReq('/v1/judging/roadshow', a.token))
    expect(view.judge).toEqual({ name: '评委甲' })
    expect(view.roadshow).toMatchObject({ id: rs.id, status: 'confirmed' })
    expect(view.entries.map((e: { id: string }) => e.id)).toEqual(rs.entries.map((e: { id: string }) => e.id))
    expect(view.entries[0]).toMatchObject({ position: 1, starts_at: '2026-12-10T06:00:00.000Z', my_score: null })
    const first = rs.entries[0]
    for (const [j, score] of [[a, 90], [b, 70], [c, 80]] as const) {
      const after = await ok(await judgeReq('/v1/judging/scores', j.token, { method: 'PUT', json: { kind: first.kind, id: first.id, score } }))
      expect(after.entries[0].my_score).toBe(score)
    }
    // scoring again replaces the judge's score
    await ok(await judgeReq('/v1/judging/scores', a.token, { method: 'PUT', json: { kind: first.kind, id: first.id, score: 95 } }))
    const results = await ok(await req(`/v1/roadshows/${rs.id}/results`, org.key))
    const row = results.items.find((x: { id: string }) => x.id === first.id)
    expect(row).toMatchObject({ judges: 3, trimmed_mean: 80, rank: 1 })
    expect(row.scores.map((s: { judge: string }) => s.judge).sort()).toEqual(['评委丙', '评委乙', '评委甲'].sort())

    const list = await ok(await req(`/v1/roadshows/${rs.id}/judges`, org.key))
    expect(list.items.map((j: { name: string }) => j.name)).toEqual(['评委甲', '评委乙', '评委丙'])
    expect(list.items[0].last_used_at).not.toBeNull()
    expect(JSON.stringify(list)).not.toContain(a.token.slice(12))
    // only the hash is stored
    const stored = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM roadshow_judges WHERE roadshow_id = $1', [rs.id])
    expect(stored.rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true)
    expect(JSON.stringify(stored.rows)).not.toContain(a.token)
    // the trail names the judge of each score, as a judge (no key, not the system)
    const audit = await t.db.query<{ actor_kind: string; digest: { note?: { judge?: string } } }>("SELECT actor_kind, digest FROM audit_events WHERE object_id = $1 AND action = 'roadshow.score'", [rs.id])
    expect(audit.rows.map((r) => r.digest.note?.judge)).toContain('评委乙')
    expect(new Set(audit.rows.map((r) => r.actor_kind))).toEqual(new Set(['judge']))
  })
})

describe('judges: errors', () => {
  it('refuses scores before confirmation, out of range, or of an entry not on the programme; names are unique', async () => {
    const draft = await ok(await req('/v1/roadshows', org.key, { method: 'POST', json: { title: `草稿专场${RUN}`, theme: { keywords: [TAG] }, size: 2, per_org_max: 2 } }), 201)
    const j = await addJudge(draft.id, '评委甲')
    // before confirmation a judge sees the roadshow but no programme, and cannot score
    expect((await ok(await judgeReq('/v1/judging/roadshow', j.token))).entries).toEqual([])
    const early = await judgeReq('/v1/judging/scores', j.token, { method: 'PUT', json: { kind: 'achievement', id: draft.entries[0].id, score: 80 } })
    expect(early.status).toBe(409)

    const rs = await confirmedRoadshow()
    const k = await addJudge(rs.id, '评委甲')
    const bad = await judgeReq('/v1/judging/scores', k.token, { method: 'PUT', json: { kind: 'achievement', id: rs.entries[0].id, score: 101 } })
    expect(bad.status).toBe(400)
    expect((await bad.json()).errors[0].field).toBe('body.score')
    const off = await judgeReq('/v1/judging/scores', k.token, { method: 'PUT', json: { kind: 'achievement', id: '00000000-0000-4000-8000-000000000000', score: 80 } })
    expect(off.status).toBe(400)
    expect((await off.json()).errors[0].field).toBe('body.id')
    expect((await req(`/v1/roadshows/${rs.id}/judges`, org.key, { method: 'POST', json: { name: '评委甲' } })).status).toBe(409)
    const empty = await req(`/v1/roadshows/${rs.id}/judges`, org.key, { method: 'POST', json: { name: '  ' } })
    expect(empty.status).toBe(400)
    expect((await empty.json()).errors[0].field).toBe('body.name')
    expect((await req(`/v1/roadshows/${rs.id}/judges/not-a-uuid`, org.key, { method: 'DELETE' })).status).toBe(400)
    expect((await req(`/v1/roadshows/${rs.id}/judges/00000000-0000-4000-8000-000000000000`, org.key, { method: 'DELETE' })).status).toBe(404)
  })
})

describe('judges: security', () => {
  it('a judge token is not an API key, an API key is not a judge token, and a revoked link stops at once', async () => {
    const rs = await confirmedRoadshow()
    const j = await addJudge(rs.id, '评委甲')
    for (const path of ['/v1/me', `/v1/roadshows/${rs.id}`, `/v1/roadshows/${rs.id}/results`, '/v1/needs']) expect((await judgeReq(path, j.token)).status).toBe(401)
    for (const k of [org.key, t.adminKey]) expect((await req('/v1/judging/roadshow', k)).status).toBe(401)
    expect((await t.request('/v1/judging/roadshow')).status).toBe(401)
    expect((await judgeReq('/v1/judging/roadshow', `${j.token.slice(0, -1)}x`)).status).toBe(401)
    // a path that leaves /v1/judging is judged by the key middleware, never by the judge token
    expect((await judgeReq('/v1/judging/../me', j.token)).status).toBe(401)

    expect((await req(`/v1/roadshows/${rs.id}/judges/${j.id}`, org.key, { method: 'DELETE' })).status).toBe(204)
    expect((await judgeReq('/v1/judging/roadshow', j.token)).status).toBe(401)
    expect((await ok(await req(`/v1/roadshows/${rs.id}/judges`, org.key))).items[0].revoked_at).not.toBeNull()
  })

  it('a leaked link: revoked with its scores discarded, and the name given a new link; the token is never cached', async () => {
    const rs = await confirmedRoadshow()
    const res = await req(`/v1/roadshows/${rs.id}/judges`, org.key, { method: 'POST', json: { name: '评委丁' } })
    expect(res.headers.get('cache-control')).toBe('no-store')
    const leaked = await ok(res, 201)
    const e = rs.entries[0]
    await ok(await judgeReq('/v1/judging/scores', leaked.token, { method: 'PUT', json: { kind: e.kind, id: e.id, score: 1 } }))
    // nobody overwrites a linked judge's score on their behalf
    const forged = await req(`/v1/roadshows/${rs.id}/scores`, org.key, { method: 'POST', json: { kind: e.kind, id: e.id, judge: '评委丁', score: 99 } })
    expect(forged.status).toBe(409)
    expect((await req(`/v1/roadshows/${rs.id}/judges/${leaked.id}?discard_scores=maybe`, org.key, { method: 'DELETE' })).status).toBe(400)
    expect((await req(`/v1/roadshows/${rs.id}/judges/${leaked.id}?discard_scores=true`, org.key, { method: 'DELETE' })).status).toBe(204)
    const results = await ok(await req(`/v1/roadshows/${rs.id}/results`, org.key))
    expect(results.items.find((x: { id: string }) => x.id === e.id).judges).toBe(0)
    const fresh = await addJudge(rs.id, '评委丁')
    expect(fresh.token).not.toBe(leaked.token)
    expect((await judgeReq('/v1/judging/roadshow', leaked.token)).status).toBe(401)
    expect((await ok(await judgeReq('/v1/judging/roadshow', fresh.token))).judge.name).toBe('评委丁')
    // a judge without a link is still scored by the organiser, and the trail names them
    await ok(await req(`/v1/roadshows/${rs.id}/scores`, org.key, { method: 'POST', json: { kind: e.kind, id: e.id, judge: '现场评委', score: 77 } }))
    const audit = await t.db.query<{ digest: { note?: { judge?: string } } }>("SELECT digest FROM audit_events WHERE object_id = $1 AND action = 'roadshow.score' AND actor_kind = 'key'", [rs.id])
    expect(audit.rows.map((r) => r.digest.note?.judge)).toEqual(['现场评委'])
  })

  it('a judge scores only its own roadshow; other organisations and roles cannot give or list links', async () => {
    const a = await confirmedRoadshow()
    const b = await confirmedRoadshow()
    const ja = await addJudge(a.id, '评委甲')
    // b's entries are a's too (same theme), so ask for an item that is on neither programme: a draft of this run
    const hidden = await ok(await req('/v1/achievements', uni.key, { method: 'POST', json: { title: `${TAG}未发布方案${RUN}`, summary: `${TAG}草稿。`, status: 'draft' } }), 201)
    const r = await judgeReq('/v1/judging/scores', ja.token, { method: 'PUT', json: { kind: 'achievement', id: hidden.id, score: 50 } })
    expect(r.status).toBe(400)
    expect(JSON.stringify(await r.json())).not.toContain('未发布方案')
    for (const k of [otherOrg, ent, uni]) {
      expect((await req(`/v1/roadshows/${b.id}/judges`, k.key, { method: 'POST', json: { name: '冒名评委' } })).status).toBe(404)
      expect((await req(`/v1/roadshows/${b.id}/judges`, k.key)).status).toBe(404)
    }
  })

  it('an achievement withdrawn after confirmation leaves the judge view and cannot be scored', async () => {
    const rs = await confirmedRoadshow()
    const j = await addJudge(rs.id, '评委甲')
    const gone = rs.entries[1]
    await ok(await req(`/v1/achievements/${gone.id}`, uni.key, { method: 'PATCH', json: { status: 'draft' } }))
    const view = await ok(await judgeReq('/v1/judging/roadshow', j.token))
    expect(view.entries.map((e: { id: string }) => e.id)).not.toContain(gone.id)
    expect(view.entries.map((e: { position: number }) => e.position)).toEqual([1, 2])
    expect(JSON.stringify(view)).not.toContain(gone.title)
    expect((await judgeReq('/v1/judging/scores', j.token, { method: 'PUT', json: { kind: 'achievement', id: gone.id, score: 60 } })).status).toBe(400)
    await ok(await req(`/v1/achievements/${gone.id}`, uni.key, { method: 'PATCH', json: { status: 'active' } }))
  })
})
