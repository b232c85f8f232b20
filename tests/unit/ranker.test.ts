// Calibrated strength and the learned re-ranker's pieces: logistic fit, within-need AUC, the stored-match signals.
import { describe, expect, it } from 'vitest'
import { BANDS, bandOf, calibrate } from '../../src/matching/calibrate'
import { needText, RANKER_FEATURES, rankerFeatureMap, rankerFeatures, signalsOfMatch, textSignals } from '../../src/matching/ranker/features'
import { fitReranker, scoreLearned } from '../../src/matching/ranker/fit'
import { reviewHistory } from '../../src/matching/ranker/history'
import { learnedRanker, withinNeedAuc } from '../../src/matching/ranker/learned'
import { fitLogistic, predict } from '../../src/matching/ranker/logistic'
import { fitPairwise } from '../../src/matching/ranker/pairwise'

describe('calibrated strength', () => {
  it('rises with the score, stays in [0, 1], and bands follow it', () => {
    const s = [0.005, 0.02, 0.05, 0.1, 0.3, 0.9].map((x) => calibrate(x))
    expect([...s].sort((a, b) => a - b)).toEqual(s)
    expect(s.every((x) => x >= 0 && x <= 1)).toBe(true)
    expect(calibrate(0)).toBe(0)
    expect(calibrate(Number.NaN)).toBe(0)
    expect(bandOf(BANDS.strong)).toBe('强')
    expect(bandOf(BANDS.medium)).toBe('中')
    expect(bandOf(BANDS.medium - 0.01)).toBe('弱')
    expect(bandOf(null)).toBeNull()
  })
  it('takes a learned ranker score as the strength (it is already a probability)', () => {
    expect(calibrate(0.42, { relevance: 0.01, source_scores: {}, features: {}, ranker: 'learned/default/x' })).toBe(0.42)
  })
})

describe('logistic regression', () => {
  it('learns a separable signal and ignores noise', () => {
    const X: number[][] = []
    const y: number[] = []
    for (let i = 0; i < 200; i++) {
      const a = (i % 20) / 10 - 1
      const noise = ((i * 7919) % 13) / 13 - 0.5
      X.push([a, noise])
      y.push(a + 0.1 * noise > 0 ? 1 : 0)
    }
    const m = fitLogistic(X, y, ['a', 'noise'], { l2: 0.1 })
    expect(m.weights[0]!).toBeGreaterThan(Math.abs(m.weights[1]!) * 3)
    expect(predict(m, [0.9, 0])).toBeGreaterThan(0.9)
    expect(predict(m, [-0.9, 0])).toBeLessThan(0.1)
  })
})

describe('learned ranker', () => {
  it('orders pairs within each need only', () => {
    expect(withinNeedAuc([{ need: 'a', y: 1, s: 0.9 }, { need: 'a', y: 0, s: 0.1 }, { need: 'b', y: 0, s: 0.95 }, { need: 'b', y: 1, s: 0.2 }])).toBe(0.5)
    expect(withinNeedAuc([{ need: 'a', y: 1, s: 0.9 }])).toBeNull()
  })
  it('reads a stored match and scores a candidate with a fixed-order vector', () => {
    const sig = signalsOfMatch(
      { relevance: 0.2, sources: { sparse: 1 }, source_scores: { sparse: 0.3 }, features: { mode: 1, field: null } },
      { shared_terms: ['电池', '健康状态'], indicators: [{ verdict: '达到' }, { verdict: '未达到' }] },
    )
    const v = rankerFeatures(sig)
    expect(v).toHaveLength(RANKER_FEATURES.length)
    expect(v[RANKER_FEATURES.indexOf('mode')]).toBe(1)
    expect(v[RANKER_FEATURES.indexOf('field')]).toBe(0)
    expect(v[RANKER_FEATURES.indexOf('indicators_missed')]).toBe(1)
    const model = fitLogistic([v, v.map((x) => -x)], [1, 0], [...RANKER_FEATURES])
    const r = learnedRanker('learned/default/t', model)
    const input = { kind: 'achievement' as const, relevance: 0.2, rrf: 0.01, sources: { sparse: 1 }, source_scores: { sparse: 0.3 }, features: { field: null, ipc: null, maturity: null, legal: null, mode: 1, budget: null, region: null, recency: null }, shared_terms: 2, indicators: { met: 1, missed: 1 } }
    expect(r.version).toBe('learned/default/t')
    expect(r.score(input)).toBeGreaterThan(0.5)
  })
  it('a model reads the features it names, whatever the order of RANKER_FEATURES', () => {
    const sig = signalsOfMatch({ relevance: 0.2, features: { mode: 1 } }, { shared_terms: ['电池'] })
    expect(rankerFeatures(sig, ['mode', 'unknown_feature'])).toEqual([1, 0])
  })
})

describe('pairwise fit', () => {
  it('learns which candidate of a need is better, whatever the level of each need', () => {
    // within each need the shorter text is the relevant one; needs differ in their overall level of a (a need constant)
    const groups = Array.from({ length: 12 }, (_, g) => ({
      x: [[g, 0.2], [g, 0.9], [g + 0.1, 0.5], [g - 0.1, 0.7]],
      y: [1, 0, 1, 0],
    }))
    const m = fitPairwise(groups, ['level', 'length'], { l2: 0.1 })
    expect(m.weights[1]!).toBeLessThan(0)
    expect(predict(m, [3, 0.2])).toBeGreaterThan(predict(m, [3, 0.9]))
    // the calibrated score stays a probability
    expect(predict(m, [3, 0.2])).toBeGreaterThan(0)
    expect(predict(m, [3, 0.2])).toBeLessThan(1)
  })
  it('chooses its feature set by inner cross-validation and orders held-out needs', () => {
    const examples = Array.from({ length: 20 }, (_, g) => [0, 1, 2, 3, 4, 5].map((i) => ({
      need: `n${g}`, y: i % 2 === 0 ? 1 : 0,
      signals: { relevance: 0.3 + ((i * 37 + g) % 7) / 100, shared_terms: 1, text: { title_in_title: 0, title_in_text: 0, key_in_title: 0, key_in_text: 0, title_bigrams: 0, bigrams_in_text: 0, length: i % 2 === 0 ? 4 : 7 } },
    }))).flat()
    const fit = fitReranker(examples)
    expect(fit.model.names).toContain('length')
    expect(fit.inner).toBeGreaterThan(0.9)
    const short = scoreLearned(fit.model, { relevance: 0.3, shared_terms: 1, text: { ...examples[0]!.signals.text, length: 4 } })
    const long = scoreLearned(fit.model, { relevance: 0.3, shared_terms: 1, text: { ...examples[0]!.signals.text, length: 7 } })
    expect(short).toBeGreaterThan(long)
  })
})

describe('reason-code history', () => {
  const h = reviewHistory([
    { need: 'n1', item: 'i1', field: 'F', maturity: 'lab', rejected: '技术方向不符' },
    { need: 'n2', item: 'i1', field: 'F', maturity: 'lab', rejected: '成熟度不足' },
    { need: 'n2', item: 'i2', field: 'F', maturity: 'pilot', rejected: null },
    { need: 'n3', item: 'i3', field: 'G', maturity: 'pilot', rejected: null },
  ])
  it('counts the reviews of other needs only (never those of the need itself)', () => {
    const x = h.of('n2', { id: 'i1', field: 'F', maturity: 'lab' })
    expect(x.item).toEqual({ reviews: 1, rejected: { 技术方向不符: 1 } })
    expect(x.field.reviews).toBe(1)
    expect(x.maturity).toEqual({ reviews: 1, rejected: { 技术方向不符: 1 } })
    expect(x.all.reviews).toBe(2)
    expect(h.of('n9', { id: 'i1', field: 'F', maturity: 'lab' }).item.reviews).toBe(2)
  })
  it('becomes features: a field rejected for its topic more than the platform reads positive, unknown reads 0', () => {
    const f = rankerFeatureMap({ relevance: 0.2, shared_terms: 0, history: h.of('n9', { id: 'i1', field: 'F', maturity: 'lab' }) })
    expect(f.hist_field_topic).toBeGreaterThan(0)
    expect(f.hist_item_rejected).toBeGreaterThan(0)
    expect(f.hist_maturity_rejected).toBeGreaterThan(0)
    const g = rankerFeatureMap({ relevance: 0.2, shared_terms: 0, history: h.of('n9', { id: 'i3', field: 'G', maturity: null }) })
    expect(g.hist_field_topic).toBeLessThan(0)
    expect(rankerFeatureMap({ relevance: 0.2, shared_terms: 0 }).hist_field_topic).toBe(0)
  })
})

describe('learned ranker in serving', () => {
  it('reads the platform review history of the candidate (other needs only) when its model names history features', () => {
    const model = { names: ['ln_relevance', 'hist_field_topic'], mean: [0, 0], scale: [1, 1], weights: [1, -20], bias: 0 }
    const h = reviewHistory([
      { need: 'n1', item: 'a', field: 'F', maturity: null, rejected: '技术方向不符' },
      { need: 'n2', item: 'b', field: 'F', maturity: null, rejected: '技术方向不符' },
      { need: 'n3', item: 'c', field: 'G', maturity: null, rejected: null },
      { need: 'n4', item: 'd', field: 'G', maturity: null, rejected: null },
    ])
    const input = (field: string, need = 'n9') => ({
      kind: 'achievement' as const, relevance: 0.3, rrf: 0.01, sources: {}, source_scores: {}, shared_terms: 1, indicators: { met: 0, missed: 0 },
      features: { field: null, ipc: null, maturity: null, legal: null, mode: null, budget: null, region: null, recency: null },
      item: { id: 'x', field, maturity: null }, need_id: need,
    })
    const r = learnedRanker('learned/default/h', model, h)
    expect(r.score(input('F'))).toBeLessThan(r.score(input('G')))
    // without the history the two read the same
    const bare = learnedRanker('learned/default/h', model)
    expect(bare.score(input('F'))).toBe(bare.score(input('G')))
    // the need's own reviews are not its history: for n1, field F has one off-topic rejection (n2's), not two
    expect(r.score(input('F', 'n1'))).toBeGreaterThan(r.score(input('F')))
  })
})

describe('text signals', () => {
  it('reads the need title words in the item title, and the item length', () => {
    const need = needText('锂电池健康状态评估', '锂电池健康状态评估。需要一种估计储能锂电池健康状态的方法')
    const near = textSignals(need, '锂电池健康状态在线评估系统', '基于阻抗谱估计锂电池健康状态')
    const far = textSignals(need, '水稻新品种', '高产抗倒伏水稻品种，'.repeat(40))
    expect(near.title_in_title).toBeGreaterThan(0.5)
    expect(near.title_bigrams).toBeGreaterThan(far.title_bigrams)
    expect(far.title_in_title).toBe(0)
    expect(far.length).toBeGreaterThan(near.length)
  })
})
