// Explanations a person can check, and one function that scores both kinds with recency compared within a kind.
import { describe, expect, it } from 'vitest'
import { DEFAULT_MATCH_WEIGHTS } from '../../src/config'
import { checkIndicators, parseBound, sharedTerms } from '../../src/matching/explain'
import { handSetRanker, scoreCandidates } from '../../src/matching/score'
import type { ItemRow } from '../../src/matching/store'

describe('shared terms', () => {
  it('come from the two full texts, as whole words', () => {
    const need = '锂电池储能系统热失控早期预警，要求结合电池管理系统数据估计健康状态'
    const item = '基于多传感器融合的储能电池热失控预警技术。利用电池管理系统采集的数据进行健康状态估计。'
    const terms = sharedTerms(need, item)
    expect(terms).toContain('热失控')
    expect(terms).not.toContain('失控')
    expect(terms).toContain('电池管理系统')
    expect(terms.join('|')).toMatch(/健康状态/)
    expect(terms.some((x) => /^储能电$|^能电/.test(x))).toBe(false) // never half a word
  })
  it('are empty when nothing is shared', () => {
    expect(sharedTerms('污水处理膜材料', '秸秆纤维增强木塑复合')).toEqual([])
  })
})

describe('indicator check', () => {
  it('parses bounds', () => {
    expect(parseBound('>= 15')).toEqual({ op: '>=', value: 15 })
    expect(parseBound('不低于 90')).toEqual({ op: '>=', value: 90 })
    expect(parseBound('≤3')).toEqual({ op: '<=', value: 3 })
    expect(parseBound('5 以内')).toEqual({ op: '<=', value: 5 })
  })
  it('compares the need\'s indicator with the number the item gives for the same quantity', () => {
    const text = '可在热失控发生前10分钟以上发出预警，误报率低于1%，单次计算时间200ms。'
    const r = checkIndicators([
      { name: '预警提前时间', target: '>= 15', unit: '分钟' },
      { name: '误报率', target: '≤ 2', unit: '%' },
      { name: '单次计算时间', target: '≤100', unit: 'ms' },
      { name: '检测精度', target: '≥ 99', unit: '%' }, // the text does not say: no verdict
    ], text)
    expect(r).toEqual([
      { name: '预警提前时间', target: '>= 15', unit: '分钟', found: '10分钟以上', verdict: '未达到' },
      { name: '误报率', target: '≤ 2', unit: '%', found: '低于1%', verdict: '达到' },
      { name: '单次计算时间', target: '≤100', unit: 'ms', found: '200ms', verdict: '未达到' },
    ])
  })
})

describe('scoreCandidates', () => {
  const row = (id: string, date: string, extra: Partial<ItemRow> = {}): ItemRow => ({
    id, org_id: 'o', title: '储能电池', body: '储能电池热失控', industry: null, field: null, region: null, maturity: null, trl: null,
    transfer_modes: [], price_min: null, legal_status: 'valid', ipc_codes: [], date, status: 'active', chars: 4 + (extra.body ?? '储能电池热失控').length, ...extra,
  })
  it('compares recency within a kind: the newest patent is as recent as the newest achievement', () => {
    const query = { text: '储能电池热失控', need: {}, indicators: [] }
    const ranker = handSetRanker(DEFAULT_MATCH_WEIGHTS)
    const fused = (ids: string[]) => ids.map((id, i) => ({ id, rrf: 1 / (60 + i + 1), relevance: 0.5 - i * 0.1, ranks: { sparse: i + 1 }, scores: { sparse: 0.5 } }))
    const patents = scoreCandidates(query, 'patent', fused(['p1', 'p2']), new Map([['p1', row('p1', '2016-03-01')], ['p2', row('p2', '2008-03-01')]]), ranker, 0.25)
    const achievements = scoreCandidates(query, 'achievement', fused(['a1']), new Map([['a1', row('a1', new Date().toISOString(), { legal_status: null })]]), ranker, 0.25)
    expect(patents[0]!.components.features.recency).toBe(1)
    expect(achievements[0]!.components.features.recency).toBe(1)
    expect(patents[1]!.components.features.recency).toBeLessThan(1)
    expect(patents[0]!.strength).toBeGreaterThan(0)
    expect(patents[0]!.components.ranker).toBe('hand-set/1')
  })

  it('ranks a long listing below a short one of the same relevance (length prior), and not at weight 0', () => {
    const query = { text: '储能电池热失控', need: {}, indicators: [] }
    const fused = ['long', 'short'].map((id, i) => ({ id, rrf: 1 / (60 + i + 1), relevance: 0.5, ranks: { sparse: i + 1 }, scores: { sparse: 0.5 } }))
    const rows = new Map([['long', row('long', '2024-01-01', { legal_status: null, body: '储能电池热失控。'.repeat(200) })], ['short', row('short', '2024-01-01', { legal_status: null })]])
    const ranked = scoreCandidates(query, 'achievement', fused, rows, handSetRanker(DEFAULT_MATCH_WEIGHTS), 0.25)
    expect(ranked.map((m) => m.id)).toEqual(['short', 'long'])
    // 1,604 characters (title and text) against 11
    expect(ranked[1]!.score / ranked[0]!.score).toBeCloseTo(((1 + 1604 / 700) / (1 + 11 / 700)) ** -0.2, 3)
    const flat = scoreCandidates(query, 'achievement', fused, rows, handSetRanker({ ...DEFAULT_MATCH_WEIGHTS, length: 0 }), 0.25)
    expect(flat[0]!.score).toBe(flat[1]!.score)
  })

  it('keeps the best `limit` candidates, scored and explained as without a limit', () => {
    const query = { text: '储能电池热失控', need: {}, indicators: [] }
    const ranker = handSetRanker(DEFAULT_MATCH_WEIGHTS)
    const ids = ['a1', 'a2', 'a3', 'a4']
    const fused = ids.map((id, i) => ({ id, rrf: 1 / (60 + i + 1), relevance: [0.3, 0.5, 0.4, 0.2][i]!, ranks: { sparse: i + 1 }, scores: { sparse: 0.5 } }))
    const rows = new Map(ids.map((id) => [id, row(id, '2024-01-01', { legal_status: null, body: id === 'a2' ? '储能电池热失控预警' : '储能电池' })]))
    const all = scoreCandidates(query, 'achievement', fused, rows, ranker, 0.25)
    const kept = scoreCandidates(query, 'achievement', fused, rows, ranker, 0.25, { limit: 2 })
    expect(kept.map((m) => m.id)).toEqual(['a2', 'a3'])
    expect(kept).toEqual([...all].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, 2))
    expect(kept[0]!.explanation.shared_terms.length).toBeGreaterThan(0)
  })
})
