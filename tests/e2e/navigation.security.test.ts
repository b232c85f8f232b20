// Patent-navigation reports, who may do what: managers, admins and organisers order any scope; an enterprise only for
// its own needs; a university not at all. A report (and its job) is read by staff and by the organisation that ordered
// it; another organisation learns nothing about it. Only managers confirm a summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { loadNavFixture } from '../fixtures/navigation'

let t: TestApp
let mgr: { orgId: string; key: string }
let ent: { orgId: string; key: string }
let other: { orgId: string; key: string }
let org: { orgId: string; key: string }
let uni: { orgId: string; key: string }
let ownNeed: string
let otherPublic: string
let otherPrivate: string

const need = async (key: string, title: string, visibility: string) => {
  const r = await t.request('/v1/needs', { key, method: 'POST', json: { title, description: `${title}，寻求高校合作开发固态电解质相关技术，提高电池安全性。`, visibility } })
  expect(r.status).toBe(201)
  return (await r.json()).id as string
}
const order = (key: string, json: unknown) => t.request('/v1/navigation-reports', { key, method: 'POST', json })

beforeAll(async () => {
  t = await createTestApp({}, { isolated: true })
  await loadNavFixture(t)
  mgr = await t.tenant('transfer_center', 'manager')
  ent = await t.tenant('enterprise', 'enterprise')
  other = await t.tenant('enterprise', 'enterprise')
  org = await t.tenant('organizer', 'organizer')
  uni = await t.tenant('university', 'university')
  ownNeed = await need(ent.key, '硫化物固态电解质量产工艺', 'private')
  otherPublic = await need(other.key, '固态电池安全性提升', 'public')
  otherPrivate = await need(other.key, '固态电池模组热管理', 'private')
  await t.settle()
})
afterAll(async () => {
  await t?.close()
})

describe('who may order a report', () => {
  it('an enterprise orders one for its own need; it is built from the patents matching pipeline finds for that need', async () => {
    const r = await order(ent.key, { scope: { need_id: ownNeed, need_min_relevance: 0, need_limit: 50 } })
    expect(r.status).toBe(202)
    const created = await r.json()
    const job = await t.job(created.job_id)
    expect(job.state).toBe('completed')
    const got = await (await t.request(`/v1/navigation-reports/${created.id}`, { key: ent.key })).json()
    expect(got.status).toBe('completed')
    expect(got.report.need).toEqual({ id: ownNeed, title: '硫化物固态电解质量产工艺' })
    expect(got.report.query).toMatch(/^NEED=\("硫化物固态电解质量产工艺"/)
    expect(got.report.counts.patents).toBeGreaterThan(0)
    expect(got.report.counts.patents).toBeLessThanOrEqual(12)
    for (const k of got.report.key_patents) expect(k.reasons[0]).toMatch(/^与需求的相关度/)
    // its own job is readable by it, not by another enterprise
    expect((await t.request(`/v1/jobs/${created.job_id}`, { key: ent.key })).status).toBe(200)
    expect((await t.request(`/v1/jobs/${created.job_id}`, { key: other.key })).status).toBe(404)
  })

  it('an enterprise may not order a keyword scope, nor one for another enterprise\'s need', async () => {
    expect((await order(ent.key, { scope: { keywords: ['固态电解质'] } })).status).toBe(403)
    expect((await order(ent.key, { scope: { need_id: otherPublic } })).status).toBe(403)
    // a private need of another enterprise is not even known to exist
    expect((await order(ent.key, { scope: { need_id: otherPrivate } })).status).toBe(404)
  })

  it('a university may not order a report; an organiser may, for any scope', async () => {
    expect((await order(uni.key, { scope: { keywords: ['固态电解质'] } })).status).toBe(403)
    const r = await order(org.key, { scope: { keywords: ['固态电解质'] } })
    expect(r.status).toBe(202)
    await t.job((await r.json()).job_id)
  })

  it('a manager may scope a report by any need, private ones included', async () => {
    const r = await order(mgr.key, { scope: { need_id: otherPrivate, need_min_relevance: 0 } })
    expect(r.status).toBe(202)
    expect((await t.job((await r.json()).job_id)).state).toBe('completed')
  })
})

describe('who may read, rebuild and confirm', () => {
  it('lists and reads only the reports of the caller\'s organisation (staff: all); others get 404', async () => {
    const mine = await order(mgr.key, { scope: { ipc: ['H01M'] } })
    const report = await mine.json()
    await t.job(report.job_id)
    const ids = async (key: string) => (await (await t.request('/v1/navigation-reports?limit=100', { key })).json()).items.map((x: { id: string }) => x.id)
    expect(await ids(mgr.key)).toContain(report.id)
    expect(await ids(ent.key)).not.toContain(report.id)
    expect(await ids(org.key)).not.toContain(report.id)
    for (const key of [ent.key, other.key, org.key, uni.key]) {
      for (const q of ['', '?format=html', '?format=md']) expect((await t.request(`/v1/navigation-reports/${report.id}${q}`, { key })).status).toBe(404)
      expect((await t.request(`/v1/navigation-reports/${report.id}/rebuild`, { key, method: 'POST' })).status).toBe(404)
      expect((await t.request(`/v1/navigation-reports/${report.id}/confirm`, { key, method: 'POST' })).status).toBe(404)
      expect((await t.request(`/v1/jobs/${report.job_id}`, { key })).status).toBe(404)
    }
    const entIds = await ids(ent.key)
    expect(entIds.length).toBe(1)
  })

  it('only a manager confirms a summary; the ordering enterprise may rebuild but not confirm', async () => {
    const [entReport] = (await (await t.request('/v1/navigation-reports', { key: ent.key })).json()).items
    expect((await t.request(`/v1/navigation-reports/${entReport.id}/confirm`, { key: ent.key, method: 'POST' })).status).toBe(403)
    const rb = await t.request(`/v1/navigation-reports/${entReport.id}/rebuild`, { key: ent.key, method: 'POST' })
    expect(rb.status).toBe(202)
    await t.job((await rb.json()).job_id)
    const ok = await t.request(`/v1/navigation-reports/${entReport.id}/confirm`, { key: mgr.key, method: 'POST' })
    expect(ok.status).toBe(200)
    expect((await ok.json()).summary_state).toBe('confirmed')
    // the enterprise now reads the confirmed summary
    const html = await (await t.request(`/v1/navigation-reports/${entReport.id}?format=html`, { key: ent.key })).text()
    expect(html).toContain('已确认')
  })
})
