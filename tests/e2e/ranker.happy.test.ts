// The learned re-ranker from reviews, over HTTP: reviews posted -> the fit job (queued by the reviews themselves) ->
// a version promoted only when it beats the ranking in use on held-out reviews -> new matches record that version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MATCH_WEIGHTS } from '../../src/config'
import { createRankerSource } from '../../src/matching/ranker/learned'
import { rankerStore } from '../../src/matching/ranker/store'
import { loadDemoData } from '../helpers/demo'
import { createTestApp, type TestApp } from '../helpers/app'
import { recordingDb } from '../helpers/db'

let t: TestApp
let mgr: { orgId: string; key: string }
beforeAll(async () => {
  // small thresholds: a first fit after 20 reviews, a further one every 20 new reviews
  t = await createTestApp({ RANKER_MIN_REVIEWS: '20', RANKER_MIN_NEW_REVIEWS: '20' }, { isolated: true })
  await loadDemoData(t.rt)
  await t.settle()
  mgr = await t.tenant('transfer_center', 'manager')
}, 300_000)
afterAll(() => t.close())

interface M {
  id: string
  need_id: string
  score: number
  state: string
  components: { ranker: string; text?: { length: number } }
}

async function suggested(): Promise<M[]> {
  const out: M[] = []
  for (let cursor: string | null = null; ; ) {
    const r = await t.request(`/v1/matches?state=suggested&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { key: mgr.key })
    expect(r.status).toBe(200)
    const body = await r.json()
    out.push(...body.items)
    cursor = body.next_cursor
    if (!cursor) return out
  }
}

describe('learned re-ranker over HTTP', () => {
  it('without enough reviews the hand-set weights rank and no version exists', async () => {
    const r = await t.request('/v1/rankers', { key: mgr.key })
    expect(r.status).toBe(200)
    expect((await r.json()).items).toEqual([])
    const all = await suggested()
    expect(all.length).toBeGreaterThan(20)
    expect(new Set(all.map((m) => m.components.ranker))).toEqual(new Set(['hand-set/1']))
    // the signals a fit reads are stored with every match
    expect(all.every((m) => typeof m.components.text?.length === 'number')).toBe(true)
  })

  it('reviews queue a fit; a version that beats the ranking in use is promoted, and new matches record it', async () => {
    const all = await suggested()
    const byNeed = new Map<string, M[]>()
    for (const m of all) byNeed.set(m.need_id, [...(byNeed.get(m.need_id) ?? []), m])
    // the reviewers of this platform want short listings: in each need, the shorter half confirmed, the rest rejected
    // (a preference the hand-set weights do not know and a learned ranker can read from its length feature)
    let posted = 0
    for (const list of byNeed.values()) {
      if (list.length < 2) continue
      const lengths = list.map((m) => m.components.text!.length).sort((a, b) => a - b)
      const median = lengths[Math.floor(lengths.length / 2)]!
      for (const m of list) {
        const decision = m.components.text!.length < median ? 'confirmed' : 'rejected'
        const r = await t.request(`/v1/matches/${m.id}/review`, { method: 'POST', key: mgr.key, json: { decision, ...(decision === 'rejected' ? { reason_code: '技术方向不符' } : {}) } })
        expect(r.status).toBe(200)
        posted++
      }
    }
    expect(posted).toBeGreaterThanOrEqual(20)
    await t.settle()

    const versions = (await (await t.request('/v1/rankers', { key: mgr.key })).json()).items as { version: string; promoted: boolean; reviews: number; held_out: number; auc_base: number | null; auc_learned: number | null; features: string[] }[]
    expect(versions.length).toBeGreaterThanOrEqual(1)
    expect(versions.length).toBeLessThanOrEqual(Math.floor(posted / 20))
    for (const v of versions) {
      expect(v.version).toMatch(/^learned\/default\//)
      expect(v.held_out).toBeGreaterThan(0)
      // promoted only when it beat the ranking in use on the reviews held out from it
      if (v.promoted) expect(v.auc_learned!).toBeGreaterThan(v.auc_base!)
    }
    const promoted = versions.filter((v) => v.promoted)
    expect(promoted).toHaveLength(1)
    expect(promoted[0]!.features).toContain('length')

    // a new run of a need: its new suggestions are scored by the promoted version and say so
    const need = [...byNeed.keys()][0]!
    const run = await t.request(`/v1/needs/${need}/match`, { method: 'POST', key: mgr.key })
    expect(run.status).toBe(202)
    const job = await t.job((await run.json()).job_id)
    expect(job.state).toBe('completed')
    const after = await (await t.request(`/v1/needs/${need}/matches?state=suggested&limit=100`, { key: mgr.key })).json()
    expect(after.items.length).toBeGreaterThan(0)
    expect(new Set(after.items.map((m: M) => m.components.ranker))).toEqual(new Set([promoted[0]!.version]))
    // the reviewed pairs keep the version that scored them when the reviewer saw them
    const reviewed = await (await t.request(`/v1/needs/${need}/matches?state=rejected&limit=100`, { key: mgr.key })).json()
    expect(reviewed.items.every((m: M) => m.components.ranker === 'hand-set/1')).toBe(true)
  }, 300_000)

  it('a ranker reading review history re-counts it only when reviews were added', async () => {
    // a promoted version of a platform of its own whose model reads the history
    await rankerStore.insertVersion(t.db, {
      platform: 'history-test', version: 'learned/history-test/1', reviews: 1, held_out: 1, auc_base: 0.5, auc_learned: 0.6, promoted: true,
      model: { names: ['relevance', 'hist_item_rejected'], mean: [0, 0], scale: [1, 1], weights: [1, -1], bias: 0 },
    })
    const recorded = recordingDb(t.db)
    const counts = () => recorded.log.filter((x) => x.sql.includes('FROM match_reviews r JOIN matches')).length
    const source = createRankerSource(recorded.db, DEFAULT_MATCH_WEIGHTS, 'history-test')
    expect((await source.current()).version).toBe('learned/history-test/1')
    expect(counts()).toBe(1)
    source.invalidate() // as a minute passing does
    await source.current()
    expect(counts()).toBe(1) // no review since: the history is reused
    const m = (await suggested())[0]!
    expect((await t.request(`/v1/matches/${m.id}/review`, { method: 'POST', key: mgr.key, json: { decision: 'confirmed' } })).status).toBe(200)
    source.invalidate()
    await source.current()
    expect(counts()).toBe(2)
  })

  it('versions are for managers and admins', async () => {
    const uni = await t.tenant('university', 'university')
    expect((await t.request('/v1/rankers', { key: uni.key })).status).toBe(403)
    expect((await t.request('/v1/rankers')).status).toBe(401)
  })
})
