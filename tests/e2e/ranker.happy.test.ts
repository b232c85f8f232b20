// The learned re-ranker from reviews: fitted from managers' decisions, versioned, promoted only when it beats the
// ranking in use on held-out reviews; without enough reviews the hand-set weights stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fitRanker } from '../../src/matching/ranker/learned'
import { loadDemoData } from '../helpers/demo'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
let mgr: { orgId: string; key: string }
beforeAll(async () => {
  t = await createTestApp({}, { isolated: true })
  await loadDemoData(t.rt)
  await t.settle()
  mgr = await t.tenant('transfer_center', 'manager')
})
afterAll(() => t.close())

describe('learned re-ranker', () => {
  it('waits for enough reviews, then fits a version from them and records whether it was promoted', async () => {
    expect(await fitRanker(t.db, 'test')).toMatchObject({ skipped: 'not enough new reviews' })
    const matches = (await t.db.query<{ id: string; need_id: string; score: number }>(`SELECT id, need_id, score FROM matches WHERE state = 'suggested' ORDER BY need_id, score DESC`)).rows
    expect(matches.length).toBeGreaterThan(10)
    // each need: its best suggestions confirmed, the rest rejected
    const seen = new Map<string, number>()
    for (const m of matches) {
      const i = seen.get(m.need_id) ?? 0
      seen.set(m.need_id, i + 1)
      const decision = i < 2 ? 'confirmed' : 'rejected'
      const r = await t.request(`/v1/matches/${m.id}/review`, { method: 'POST', key: mgr.key, json: { decision, ...(decision === 'rejected' ? { reason_code: '技术方向不符' } : {}) } })
      expect(r.status).toBe(200)
    }
    const fit = await fitRanker(t.db, 'test', { minReviews: 10, minNew: 5 })
    expect(fit).toMatchObject({ reviews: matches.length })
    const row = (await t.db.query<{ version: string; promoted: boolean; model: { names: string[] } }>(`SELECT version, promoted, model FROM ranker_versions WHERE platform = 'test'`)).rows
    expect(row).toHaveLength(1)
    expect(row[0]!.model.names).toContain('ln_relevance')
    expect(typeof row[0]!.promoted).toBe('boolean')
    // nothing new since: no second fit
    expect(await fitRanker(t.db, 'test', { minReviews: 10, minNew: 5 })).toMatchObject({ skipped: 'not enough new reviews' })
    // matches record the ranker version that scored them
    const one = await (await t.request(`/v1/matches/${matches[0]!.id}`, { key: mgr.key })).json()
    expect(one.components.ranker).toMatch(/^(hand-set|learned)\//)
  })
})
