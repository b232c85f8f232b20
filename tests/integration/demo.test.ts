import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDemoData } from '../helpers/demo'
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('demo data', () => {
  it('loads 60 achievements, 40 patents and 20 needs across six industries, idempotently, all indexed', async () => {
    const first = await loadDemoData(t.rt)
    expect(first).toEqual({ achievements: 60, patents: 40, needs: 20 })
    await t.settle()
    await loadDemoData(t.rt)
    await t.settle()
    const r = await t.db.query<{ kind: string; n: number; indexed: number; industries: number }>(`
      SELECT 'a' AS kind, count(*)::int AS n, count(*) FILTER (WHERE embedding IS NOT NULL)::int AS indexed, count(DISTINCT industry)::int AS industries
        FROM achievements a JOIN organizations o ON o.id = a.org_id WHERE a.external_id LIKE 'DEMO-%'
      UNION ALL SELECT 'p', count(*)::int, count(*) FILTER (WHERE embedding IS NOT NULL)::int, count(DISTINCT ipc_main)::int
        FROM patents WHERE publication_number LIKE 'CN9000%'
      UNION ALL SELECT 'n', count(*)::int, count(*) FILTER (WHERE embedding IS NOT NULL)::int, count(DISTINCT industry)::int
        FROM needs WHERE external_id LIKE 'DEMO-%'`)
    const by = Object.fromEntries(r.rows.map((x) => [x.kind, x]))
    expect(by.a).toMatchObject({ n: 60, indexed: 60, industries: 6 })
    expect(by.p).toMatchObject({ n: 40, indexed: 40 })
    expect(by.n).toMatchObject({ n: 20, indexed: 20, industries: 6 })
    const lapsed = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM patents WHERE publication_number LIKE 'CN9000%' AND legal_status = 'invalid'")
    expect(lapsed.rows[0]!.n).toBeGreaterThan(0)
  })
})
