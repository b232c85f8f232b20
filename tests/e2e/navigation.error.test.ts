// Patent-navigation reports, the error paths: bad input is a 400 naming the field, missing objects 404, reports that
// are not built yet 409, and a build that cannot run is stored as failed with its reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { JobTimeoutError } from '../../src/jobs/registry'
import { navigationStore } from '../../src/navigation/store'

let t: TestApp
let mgr: { orgId: string; key: string }

beforeAll(async () => {
  t = await createTestApp()
  mgr = await t.tenant('transfer_center', 'manager')
})
afterAll(async () => {
  await t?.close()
})

const post = (json: unknown, key = mgr.key) => t.request('/v1/navigation-reports', { key, method: 'POST', json })
const fields = async (r: Response) => ((await (r as never as { json(): Promise<{ errors?: { field: string }[] }> }).json()).errors ?? []).map((e) => e.field)

/** A report row that no job will build (stays queued). */
async function queuedRow() {
  return navigationStore.insert(t.db, {
    orgId: mgr.orgId, caller: { kind: 'key', keyId: '00000000-0000-4000-8000-000000000000', role: 'manager', orgId: mgr.orgId, orgKind: 'transfer_center' },
    title: 'q', scope: { keywords: ['x'], ipc: [], applicants: [], patent_types: [], legal_status: [], need_min_relevance: 0.2, need_limit: 200 }, needId: null,
  })
}

describe('navigation reports: invalid input', () => {
  it('refuses an empty scope, naming it', async () => {
    const r = await post({ scope: {} })
    expect(r.status).toBe(400)
    expect(r.headers.get('content-type')).toContain('application/problem+json')
    expect(await fields(r)).toEqual(['body.scope'])
  })

  it('names the bad field: IPC prefix, unknown scope key, patent type, k, dates', async () => {
    expect(await fields(await post({ scope: { ipc: ['X99'] } }))).toEqual(['body.scope.ipc.0'])
    expect(await fields(await post({ scope: { keywords: ['a'], colour: 'red' } }))).toEqual(['body.scope'])
    expect(await fields(await post({ scope: { patent_types: ['poem'] } }))).toEqual(['body.scope.patent_types.0'])
    expect(await fields(await post({ scope: { keywords: ['a'] }, k: 1000 }))).toEqual(['body.k'])
    expect(await fields(await post({ scope: { date_from: '2020-13-01' } }))).toEqual(['body.scope.date_from'])
    expect(await fields(await post({ scope: { date_from: '2022-01-01', date_to: '2020-01-01' } }))).toEqual(['body.scope.date_to'])
    expect(await fields(await post({ scope: { keywords: ['x'.repeat(51)] } }))).toEqual(['body.scope.keywords.0'])
    const malformed = await t.request('/v1/navigation-reports', { key: mgr.key, method: 'POST', body: '{"scope":', headers: { 'content-type': 'application/json' } })
    expect(malformed.status).toBe(400)
  })

  it('answers 404 for an unknown need in the scope and an unknown report, 400 for a bad id or format', async () => {
    expect((await post({ scope: { need_id: '00000000-0000-4000-8000-000000000001' } })).status).toBe(404)
    expect((await t.request('/v1/navigation-reports/00000000-0000-4000-8000-000000000002', { key: mgr.key })).status).toBe(404)
    expect(await fields(await t.request('/v1/navigation-reports/nope', { key: mgr.key }))).toEqual(['param.id'])
    const row = await queuedRow()
    expect(await fields(await t.request(`/v1/navigation-reports/${row.id}?format=pdf`, { key: mgr.key }))).toEqual(['query.format'])
    expect(await fields(await t.request('/v1/navigation-reports?status=done', { key: mgr.key }))).toEqual(['query.status'])
  })

  it('needs a key', async () => {
    expect((await t.request('/v1/navigation-reports')).status).toBe(401)
  })
})

describe('navigation reports: state conflicts and failures', () => {
  it('answers 409 when a report that is not built is rendered, confirmed or rebuilt', async () => {
    const row = await queuedRow()
    const html = await t.request(`/v1/navigation-reports/${row.id}?format=html`, { key: mgr.key })
    expect(html.status).toBe(409)
    expect((await html.json()).report_status).toBe('queued')
    expect((await t.request(`/v1/navigation-reports/${row.id}/confirm`, { key: mgr.key, method: 'POST' })).status).toBe(409)
    expect((await t.request(`/v1/navigation-reports/${row.id}/rebuild`, { key: mgr.key, method: 'POST' })).status).toBe(409)
    // the JSON form still answers, with the state
    expect(await (await t.request(`/v1/navigation-reports/${row.id}`, { key: mgr.key })).json()).toMatchObject({ status: 'queued', report: null })
  })

  it('stores a build that cannot run as failed, with the reason, and lets it be rebuilt', async () => {
    const row = await queuedRow()
    await t.db.query(`UPDATE navigation_reports SET scope = scope || '{"need_id": "00000000-0000-4000-8000-000000000003"}'::jsonb WHERE id = $1`, [row.id])
    await t.rt.queue.enqueue('navigation.build', { reportId: row.id, build: 1 }, { jobId: `nav-test-${row.id}` })
    const job = await t.job(`nav-test-${row.id}`)
    expect(job.state).toBe('failed')
    const got = await (await t.request(`/v1/navigation-reports/${row.id}`, { key: mgr.key })).json()
    expect(got).toMatchObject({ status: 'failed', report: null })
    expect(got.error).toContain('需求已不存在')
    expect((await t.request(`/v1/navigation-reports/${row.id}/rebuild`, { key: mgr.key, method: 'POST' })).status).toBe(202)
  })

  it('a build given up (its signal aborted) between steps goes no further and stores no report', async () => {
    const row = await queuedRow()
    const ac = new AbortController()
    const steps: unknown[] = []
    const progress = async (p: Record<string, unknown>) => {
      steps.push(p.step)
      if (p.step === 'statistics') ac.abort(new JobTimeoutError('given up'))
    }
    await expect(t.services.navigation.runBuild(row.id, 1, progress, ac.signal)).rejects.toBeInstanceOf(JobTimeoutError)
    expect(steps.at(-1)).toBe('statistics')
    const after = (await navigationStore.get(t.db, row.id))!
    expect(after.report).toBeNull()
    expect(after.status).not.toBe('completed')
  })

  it('an attempt given up that outlives its retry cannot undo the retry: the completed report stays completed', async () => {
    const row = await queuedRow()
    // the old attempt: given up (timed out) after its first step, still running while the retry builds
    const old = new AbortController()
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    const stale = t.services.navigation.runBuild(row.id, 1, async (p) => {
      if (p.step === 'start') {
        old.abort(new JobTimeoutError('given up'))
        await held
      }
    }, old.signal)
    // the retry of the same build runs to the end
    const retry = await t.services.navigation.runBuild(row.id, 1, async () => {})
    expect(retry).toHaveProperty('patents')
    release()
    await expect(stale).rejects.toBeInstanceOf(JobTimeoutError)
    const after = (await navigationStore.get(t.db, row.id))!
    expect(after.status).toBe('completed')
    expect(after.report).not.toBeNull()
    expect(after.error).toBeNull()
  })

  it('a superseded build changes nothing', async () => {
    const row = await queuedRow()
    await t.db.query('UPDATE navigation_reports SET build = 3 WHERE id = $1', [row.id])
    const r = await t.services.navigation.runBuild(row.id, 2, async () => {})
    expect(r).toEqual({ skipped: 'superseded by a newer build' })
    expect((await navigationStore.get(t.db, row.id))!.status).toBe('queued')
  })
})
