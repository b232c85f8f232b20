// What the busiest reads ask of the database: a search reads only the catalogues it ranks and scores no row twice, and
// a need's match list is one statement. Counted on a real database through a wrapper that records each statement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db'
import type { Caller } from '../../src/orgs/access'
import { createMatchingService } from '../../src/matching/service'
import { createOrgService } from '../../src/orgs/service'
import { createTermStats } from '../../src/matching/term-stats'
import { wordIndex } from '../../src/models/sparse'
import { createTestApp, type TestApp } from '../helpers/app'
import { recordingDb } from '../helpers/db'

let t: TestApp
let counted: Db
let log: { sql: string; params: unknown[] }[] = []
/** the statements recorded since the last `clear()` */
const statements = () => log.map((x) => x.sql)
const clear = () => void (log.length = 0)
beforeAll(async () => {
  t = await createTestApp({}, { isolated: true })
  const uni = await t.tenant('university', 'university')
  const items = [
    ['锂离子电池热失控预警系统', '基于电池管理系统的锂离子电池热失控早期预警，监测温度与气体，储能电站安全。'],
    ['锂电池健康状态估计方法', '利用电化学阻抗谱估计锂离子电池健康状态，提高储能系统寿命预测精度。'],
    ['固态电解质制备工艺', '硫化物固态电解质的低成本制备工艺，提升锂电池安全性与能量密度。'],
    ['光伏组件缺陷检测', '基于深度学习的光伏组件电致发光图像缺陷检测，识别隐裂和断栅。'],
  ]
  for (const [title, summary] of items) {
    const r = await t.request('/v1/achievements', { method: 'POST', key: uni.key, json: { title, summary, maturity: 'pilot' } })
    await t.job((await r.json()).job_id)
  }
  const p = await t.request('/v1/patents', {
    method: 'POST', key: uni.key,
    json: { publication_number: 'CN118000001A', title: '一种锂电池热失控抑制装置', abstract: '锂电池热失控时喷射阻燃剂的装置。', ipc_codes: ['H01M 10/42'], legal_status: 'valid' },
  })
  expect(p.status).toBe(201)
  await t.settle()
  const r = recordingDb(t.db)
  counted = r.db
  log = r.log
})
afterAll(() => t.close())

const system: Caller = { kind: 'system', role: 'system' }
let embedded = 0
const service = () => {
  const e = t.services.embedder
  const embedder = { ...e, embedQuery: (text: string) => (embedded++, e.embedQuery(text)) } as typeof e
  return createMatchingService({ db: counted, embedder, config: t.rt.config, queue: t.rt.queue })
}

describe('read cost', () => {
  it('a search of achievements reads no patent, and gives what the full path gives', async () => {
    const s = service()
    clear()
    const only = await s.search(system, { query: '锂离子电池热失控预警', kinds: ['achievement'], mode: 'hybrid', limit: 10 })
    expect(only.length).toBeGreaterThan(0)
    expect(statements().filter((q) => /\bpatents(_postings)?\b/.test(q))).toEqual([])
    // the same achievements, in the same order and with the same scores, as when patents are ranked too
    const both = await s.search(system, { query: '锂离子电池热失控预警', kinds: ['achievement', 'patent'], mode: 'hybrid', limit: 10 })
    expect(statements().some((q) => /\bpatents_postings\b/.test(q))).toBe(true)
    const ach = (xs: typeof only) => xs.filter((x) => x.kind === 'achievement').map((x) => [x.id, x.score])
    expect(ach(only)).toEqual(ach(both))
  })

  it('rows the sparse source scored exactly are not scored again; the relevance is unchanged', async () => {
    const s = service()
    const q = await s.queryFromText('锂电池储能安全')
    clear()
    const ranked = await s.rank('achievements', q, 'lexical')
    const sparseFound = ranked.filter((c) => c.ranks.sparse !== undefined)
    expect(sparseFound.length).toBeGreaterThan(0)
    // the exact-score statement asks only for rows no sparse rank came with (none here, or the lexical-only ones)
    const lexicalOnly = ranked.filter((c) => c.ranks.sparse === undefined).map((c) => c.id)
    expect(log.filter((x) => x.sql.includes('t.id = ANY')).flatMap((x) => x.params.find(Array.isArray) as unknown[]).sort()).toEqual(lexicalOnly.sort())
    // relevance equals the sparse source's own exact cosine for the rows it found
    for (const c of sparseFound) expect(c.relevance).toBeCloseTo(c.scores.sparse!, 4)
  })

  it("a search reads the rows it scores in the sparse stage's own statement, as they are stored", async () => {
    const s = service()
    await s.search(system, { query: '锂离子电池热失控预警', kinds: ['achievement'], mode: 'hybrid', limit: 10 }) // term statistics, ranker
    clear()
    const found = await s.search(system, { query: '锂离子电池热失控预警', kinds: ['achievement'], mode: 'hybrid', limit: 10 })
    expect(found.length).toBeGreaterThan(1)
    const sparse = log.filter((x) => x.sql.includes('achievements_postings'))
    expect(sparse).toHaveLength(1)
    // rows are read again only for candidates the sparse stage did not bring (here: none it found is asked for)
    const q = await s.queryFromText('锂离子电池热失控预警')
    const bySparse = new Set((await s.rank('achievements', q, 'lexical')).filter((c) => c.ranks.sparse !== undefined).map((c) => c.id))
    const reread = log.filter((x) => /FROM achievements WHERE id = ANY/.test(x.sql)).flatMap((x) => x.params.find(Array.isArray) as string[])
    expect(reread.filter((id) => bySparse.has(id))).toEqual([])
    for (const m of found) {
      const stored = (await t.db.query<{ title: string }>('SELECT title FROM achievements WHERE id = $1', [m.id])).rows[0]!
      expect(m.title).toBe(stored.title)
    }
  })

  it('a search embeds its query only when a dense source reads the embedding (dense weighs 0 by default)', async () => {
    const s = service()
    embedded = 0
    const hybrid = await s.search(system, { query: '锂离子电池热失控预警', kinds: ['achievement'], mode: 'hybrid', limit: 5 })
    expect(hybrid.length).toBeGreaterThan(0)
    expect(embedded).toBe(0)
    const dense = await s.search(system, { query: '锂离子电池热失控预警', kinds: ['achievement'], mode: 'dense', limit: 5 })
    expect(dense.length).toBeGreaterThan(0)
    expect(embedded).toBe(1)
  })

  it("a need's match list is one statement when it has matches (the rows carry the need's read fields)", async () => {
    const ent = await t.tenant('enterprise', 'enterprise')
    const r = await t.request('/v1/needs', { method: 'POST', key: ent.key, json: { title: '储能电池热失控预警', description: '需要锂离子电池热失控早期预警技术。', visibility: 'platform' } })
    const need = await r.json()
    await t.settle()
    const s = service()
    clear()
    const listed = await s.listNeedMatches({ ctx: system, input: { id: need.id, limit: 20 } })
    expect(listed.items.length).toBeGreaterThan(0)
    expect(statements()).toHaveLength(1)
  })

  it("authenticating a key is one statement; its last use is written at most once a minute", async () => {
    const { key } = await t.tenant('enterprise', 'enterprise')
    const orgs = createOrgService(counted)
    const writes = () => statements().filter((q) => q.startsWith('UPDATE api_keys')).length
    clear()
    expect(await orgs.authenticate(key)).toMatchObject({ kind: 'key', role: 'enterprise' })
    await new Promise((r) => setTimeout(r, 50)) // the write is not awaited by the request
    expect(writes()).toBe(1) // never used before: written
    for (let i = 0; i < 3; i++) expect(await orgs.authenticate(key)).not.toBeNull()
    expect(writes()).toBe(1)
    expect(statements()).toHaveLength(5) // four look-ups, one write
    // a minute later it is written again
    await t.db.query("UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE last_used_at IS NOT NULL")
    await orgs.authenticate(key)
    await new Promise((r) => setTimeout(r, 50))
    expect(writes()).toBe(2)
  })

  it('term statistics are read once per refresh: a query with words never seen before asks for none', async () => {
    const stats = createTermStats(counted)
    await stats.idfFor('achievements', [wordIndex('电池')])
    const [a, b] = (await t.db.query<{ term: number; df: number }>("SELECT term, df FROM term_stats WHERE catalog = 'achievements' ORDER BY df DESC, term LIMIT 2")).rows
    expect(a!.df).toBeGreaterThan(0)
    clear()
    const unseen = wordIndex('从未出现过的词语')
    const next = await stats.idfFor('achievements', [a!.term, b!.term, unseen])
    expect(statements()).toEqual([])
    // the same counts as the table holds; a term no document has counts 0
    expect([next.df(a!.term), next.df(b!.term), next.df(unseen)]).toEqual([a!.df, b!.df, 0])
  })
})
