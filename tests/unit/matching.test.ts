import { describe, expect, it } from 'vitest'
import { DEFAULT_MATCH_WEIGHTS } from '../../src/config'
import { computeFeatures, finalScore, inferIpcGroups, modeAgreement, reasons } from '../../src/matching/features'
import { meanMetrics, parseQrels, queryMetrics } from '../../src/matching/metrics'
import { parseRerank } from '../../src/matching/rerank'
import { lexicalSelection, reciprocalRankFusion, selectiveTerms, topTerms } from '../../src/matching/retrieve'
import { expandQuery, parseSparse, POSTINGS_PER_DOC, postingsOf, sparseIndicesOf, sparseVector, toSparseLiteral, wordIndex } from '../../src/models/sparse'

describe('reciprocal rank fusion', () => {
  it('sums weighted 1/(k + rank) and breaks ties by id', () => {
    const fused = reciprocalRankFusion(
      { dense: [{ id: 'b', score: 0.9 }, { id: 'a', score: 0.8 }], lexical: [{ id: 'a', score: 3 }, { id: 'b', score: 2 }] },
      { dense: 1, sparse: 1, lexical: 1 },
      60,
    )
    expect(fused.map((f) => f.id)).toEqual(['a', 'b']) // equal sums: a before b
    expect(fused[0]!.rrf).toBeCloseTo(1 / 62 + 1 / 61)
    expect(fused[0]!.ranks).toEqual({ dense: 2, lexical: 1 })
  })
})

describe('features and score', () => {
  const need = { industry: '新能源', region: '江苏', budget_max: 1_000_000, cooperation_modes: ['license'], maturity_min: 'pilot' }
  it('scores maturity, mode, budget, region and legal status', () => {
    const f = computeFeatures(need, { kind: 'achievement', field: '新能源-储能', region: '江苏', maturity: 'small_pilot', transfer_modes: ['transfer'], price_min: 2_000_000 })
    expect(f).toMatchObject({ field: 1, maturity: 0.4, mode: 0, budget: 0.5, region: 1, legal: null, ipc: null })
    const p = computeFeatures({ ipcGroups: inferIpcGroups([{ ipc_codes: ['H01M10/42'] }, { ipc_codes: ['G01R31/36'] }]) }, { kind: 'patent', legal_status: 'pending', ipc_codes: ['H01M10/48'] })
    expect(p.legal).toBe(0.5)
    expect(p.ipc).toBeGreaterThan(0.9)
  })

  it('reads a listing that does not name co-development or service as silent on it, not as a mismatch', () => {
    // a listing's modes say how its IP is transferred; the team's work (委托开发, 技术服务) is open unless named otherwise
    expect(modeAgreement(['co_development'], ['transfer', 'license'])).toBeNull()
    expect(modeAgreement(['transfer', 'service'], ['license'])).toBeNull()
    expect(modeAgreement(['co_development'], ['transfer', 'co_development'])).toBe(1)
    expect(modeAgreement(['transfer', 'co_development'], ['transfer'])).toBe(1)
    // ways of transferring IP the listing does not offer are a mismatch
    expect(modeAgreement(['transfer'], ['license'])).toBe(0)
    expect(modeAgreement(['license', 'equity'], ['transfer'])).toBe(0)
    const f = computeFeatures({ cooperation_modes: ['co_development'] }, { kind: 'achievement', transfer_modes: ['transfer'] })
    expect(f.mode).toBeNull()
    expect(reasons({ cooperation_modes: ['co_development'] }, { kind: 'achievement', transfer_modes: ['transfer'] }, f, [], [])).not.toContain('合作方式不一致')
  })

  it('lets features re-order close candidates but never lift an irrelevant one', () => {
    const w = DEFAULT_MATCH_WEIGHTS
    const all1 = { field: 1, ipc: 1, maturity: 1, legal: 1, mode: 1, budget: 1, region: 1, recency: 1 }
    const all0 = { field: 0, ipc: 0, maturity: 0, legal: 0, mode: 0, budget: 0, region: 0, recency: 0 }
    const none = { field: null, ipc: null, maturity: null, legal: null, mode: null, budget: null, region: null, recency: null }
    expect(finalScore(1, none, w)).toBe(1)
    expect(finalScore(0.5, all1, w)).toBeLessThan(finalScore(1, all0, w) + 0.001)
    expect(finalScore(0.95, all1, w)).toBeGreaterThan(finalScore(1, all0, w))
  })

  it('explains in Chinese', () => {
    const f = computeFeatures(need, { kind: 'achievement', region: '江苏', maturity: 'pilot', transfer_modes: ['license'] })
    expect(reasons(need, { kind: 'achievement', region: '江苏', maturity: 'pilot', transfer_modes: ['license'] }, f, ['锂电池', '健康状态'], []).join('；'))
      .toBe('关键词重合：锂电池、健康状态；成熟度：中试，满足需求；合作方式匹配：许可；同省')
  })
})

describe('sparse vectors', () => {
  it('round-trips the pgvector literal and expands queries', () => {
    const v = sparseVector('锂离子电池健康状态估计方法', '电池健康状态')
    const back = parseSparse(toSparseLiteral(v))
    expect(back.indices).toEqual(v.indices)
    expect(sparseIndicesOf(toSparseLiteral(v))).toEqual(v.indices)
    expect(sparseIndicesOf('{}/1048576')).toEqual([])
    expect(back.values.map((x) => Math.round(x * 1e4))).toEqual(v.values.map((x) => Math.round(x * 1e4)))
    const e = expandQuery(v, [sparseVector('钙钛矿太阳能电池')])
    expect(e.indices.length).toBeGreaterThan(v.indices.length)
    expect(Math.abs(e.values.reduce((s, x) => s + x * x, 0) - 1)).toBeLessThan(1e-9)
  })
})

describe('retrieval metrics', () => {
  it('follows the trec_eval definitions, graded gains in nDCG', () => {
    const rel = new Map([['a', 2], ['b', 1], ['c', 1]])
    const m = queryMetrics(['x', 'a', 'b'], rel)
    expect(m['mrr@10']).toBe(0.5)
    expect(m['recall@10']).toBeCloseTo(2 / 3)
    expect(m['map@100']).toBeCloseTo((1 / 2 + 2 / 3) / 3)
    const idcg = 2 / Math.log2(2) + 1 / Math.log2(3) + 1 / Math.log2(4)
    expect(m['ndcg@10']).toBeCloseTo((2 / Math.log2(3) + 1 / Math.log2(4)) / idcg)
    expect(meanMetrics([m, queryMetrics([], rel)])['mrr@10']).toBe(0.25)
    expect(parseQrels('query-id\tcorpus-id\tscore\nq1\td1\t1\n').get('q1')!.get('d1')).toBe(1)
  })
})

describe('inverted index postings', () => {
  it('posts a document under its most telling words (not numbers, single characters or bigrams), with its weights', () => {
    const v = sparseVector('本发明公开了一种锂离子电池健康状态估计方法，采用增量容量分析，误差小于2%。', '锂离子电池健康状态估计')
    const { terms, weights } = postingsOf([{ owner: 'doc', sparse: v }])
    expect(terms.length).toBeGreaterThan(3)
    expect(terms.length).toBeLessThanOrEqual(POSTINGS_PER_DOC)
    expect(terms).toContain(wordIndex('锂离子'))
    expect(terms).not.toContain(wordIndex('2%'))
    // every posting carries the document's own weight for that term
    for (const [k, t] of terms.entries()) expect(weights[k]).toBe(v.values[v.indices.indexOf(t)])
  })

  it('looks up the heaviest of the given terms first', () => {
    const q = { indices: [1, 2, 3, 4], values: [0.1, 0.9, 0.5, 0.7] }
    expect(topTerms(q, 2)).toEqual({ terms: [2, 4], weights: [0.9, 0.7] })
    expect(topTerms(q, 2, new Set([1, 3]))).toEqual({ terms: [3, 1], weights: [0.5, 0.1] })
  })

  it('selects full-text rows by the rarest words within a row budget, or the two rarest together', () => {
    const df: Record<string, number> = { 稀有: 5, 少见: 40, 常见: 900, 普遍: 5000 }
    expect(selectiveTerms(['常见', '稀有', '少见', '普遍'], (t) => df[t]!, 100)).toEqual({ any: ['稀有', '少见'], all: [] })
    expect(selectiveTerms(['常见', '普遍'], (t) => df[t]!, 100)).toEqual({ any: [], all: ['常见', '普遍'] })
    expect(selectiveTerms(['普遍'], (t) => df[t]!, 100)).toEqual({ any: ['普遍'], all: [] })
    // rows ranked: the budget while some word is selective or the two rarest together are expected within it; none
    // (the stage does not run) when it could only rank an arbitrary sample
    const o = { lexicalRows: 100 }
    expect(lexicalSelection(['常见', '稀有', '少见', '普遍'], (t) => df[t]!, o, 10_000)).toEqual({ any: ['稀有', '少见'], all: [], rows: 100 })
    const both = df['常见']! * df['普遍']!
    expect(lexicalSelection(['常见', '普遍'], (t) => df[t]!, o, both / 50)).toEqual({ any: [], all: ['常见', '普遍'], rows: 100 }) // 50 expected
    expect(lexicalSelection(['常见', '普遍'], (t) => df[t]!, o, both / 500)).toEqual({ any: [], all: ['常见', '普遍'], rows: 0 }) // 500 expected
    expect(lexicalSelection(['普遍'], (t) => df[t]!, o, 10_000)).toEqual({ any: ['普遍'], all: [], rows: 0 })
  })
})

describe('model re-rank answers (untrusted)', () => {
  it('keeps the judgements of the ids it asked about, scaled to [0, 1], rationales cleaned and clipped', () => {
    const j = parseRerank('```json\n{"results":[{"id":"c1","score":7,"rationale":"对口\\u0000"},{"id":"c9","score":10},{"id":"c1","score":0}]}\n```', ['c1', 'c2'])
    expect([...j]).toEqual([['c1', { score: 0.7, rationale: '对口' }]])
    expect(parseRerank(JSON.stringify({ results: [{ id: 'c2', score: 5, rationale: '长'.repeat(500) }] }), ['c2']).get('c2')!.rationale).toHaveLength(200)
  })

  it('refuses anything that is not the expected object', () => {
    expect(() => parseRerank('I think c1 is best', ['c1'])).toThrow(/not JSON/)
    expect(() => parseRerank('{"results":[{"id":"c1","score":11}]}', ['c1'])).toThrow()
    expect(() => parseRerank('{"scores":[]}', ['c1'])).toThrow()
  })
})
