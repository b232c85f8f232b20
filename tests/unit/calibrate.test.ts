// The calibrated strength's curve and its fit (src/eval/calibrate.ts) on synthetic judged pairs.
import { describe, expect, it } from 'vitest'
import { calibrate, DEFAULT_CALIBRATION } from '../../src/matching/calibrate'
import { calibrationReport, fitCalibration, FLOOR_KEEPS } from '../../src/eval/calibrate'
import type { JudgedList } from '../../src/eval/learn'

const comp = (sparse?: number) => ({ relevance: 0.1, source_scores: sparse === undefined ? {} : { sparse }, features: {}, ranker: 'hand-set/1' })

/** Synthetic needs: a pair's label grows with its score and its sparse score, with noise from a fixed generator. */
function lists(): JudgedList[] {
  let seed = 7
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  return Array.from({ length: 30 }, (_, q) => {
    const rel = new Map<string, number>()
    const ranked = Array.from({ length: 20 }, (_, i) => {
      const score = 0.02 + 0.2 * rnd()
      const sparse = rnd() < 0.2 ? undefined : 0.05 + 0.5 * rnd()
      const z = 12 * score + 3 * (sparse ?? 0) + rnd() * 2
      rel.set(`d${q}-${i}`, z > 4.2 ? 3 : z > 3.4 ? 2 : z > 2.4 ? 1 : 0)
      return { doc: `d${q}-${i}`, score, components: comp(sparse), explanation: { shared_terms: [], ipc_overlap: [], indicators: [], reasons: [], summary: '' } }
    }).sort((a, b) => b.score - a.score)
    // only the signals the calibration reads are filled in
    return { qid: `q${q}`, rel, ranked } as unknown as JudgedList
  })
}

describe('calibrated strength', () => {
  it('grows with the score and with the sparse score, and stays in [0, 1]', () => {
    const s = [0.005, 0.02, 0.05, 0.1, 0.3].map((x) => calibrate(x, comp(0.2)))
    expect([...s].sort((a, b) => a - b)).toEqual(s)
    expect(s.every((x) => x >= 0 && x <= 1)).toBe(true)
    if (DEFAULT_CALIBRATION.model.weights[1]! > 0) expect(calibrate(0.1, comp(0.4))).toBeGreaterThan(calibrate(0.1, comp(0.05)))
    expect(calibrate(0.1, comp(undefined))).toBeLessThanOrEqual(calibrate(0.1, comp(0.05)))
    expect(DEFAULT_CALIBRATION.floor).toBeGreaterThan(0)
  })

  it('fits a curve and a floor that keeps the share of label >= 2 pairs it promises, reproducibly', () => {
    const a = fitCalibration(lists(), { version: 't' })
    const b = fitCalibration(lists(), { version: 't' })
    expect(a.calibration).toEqual(b.calibration)
    const [wScore, wSparse] = a.calibration.model.weights
    expect(wScore).toBeGreaterThan(0)
    expect(wSparse).toBeGreaterThan(0)
    expect(a.in_sample.label2plus_above_floor).toBeGreaterThanOrEqual(FLOOR_KEEPS)
    expect(a.in_sample.label0_above_floor).toBeLessThan(0.5)
    const means = [0, 1, 2, 3].map((g) => a.in_sample.mean_strength_by_label[g]!.mean)
    expect([...means].sort((x, y) => x - y)).toEqual(means)
    // the report of a curve on the same pairs agrees with the fit's own
    expect(calibrationReport(lists(), a.calibration.floor, a.calibration)).toEqual(a.in_sample)
    expect(a.cross_validated.folds).toBe(5)
  })
})
