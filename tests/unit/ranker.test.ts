// Calibrated strength and the learned re-ranker's pieces: logistic fit, within-need AUC, the stored-match signals.
import { describe, expect, it } from 'vitest'
import { BANDS, bandOf, calibrate } from '../../src/matching/calibrate'
import { RANKER_FEATURES, rankerFeatures } from '../../src/matching/ranker/features'
import { learnedRanker, signalsOfStored, withinNeedAuc } from '../../src/matching/ranker/learned'
import { fitLogistic, predict } from '../../src/matching/ranker/logistic'

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
    const sig = signalsOfStored(
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
})
