// Calibrated strength: the final score of a match mapped to a 0-1 strength that means the same on every need.
// The ranking's score is absolute (an exact cosine scaled by the features, see retrieve.ts relevanceOf), so one
// logistic curve over its logarithm turns it into a probability: P(a technology manager's judge calls the pair
// relevant, label >= 1 of 0-3) fitted on the judged pairs of the zhibei-dev benchmark (`npm run eval -- --dataset
// <zhibei-dev> --fit-calibration`; README "Evaluation"). Label >= 1 and not >= 2: a pair the judges call relevant at
// all (same industry and a related problem) is what a manager wants to look at; label >= 2 has 38 pairs among 884, too
// few to fit a curve that holds on other needs. Bands and the floor are read on the same scale.
import type { LogisticModel } from './ranker/logistic'
import { predict } from './ranker/logistic'

export type Band = '强' | '中' | '弱'

export interface Calibration {
  /** identifies the fitted curve; stored with each match next to its strength */
  version: string
  model: LogisticModel
  /** strength at or above: 强; at or above: 中; else 弱 */
  bands: { strong: number; medium: number }
}

/** Fitted on zhibei-dev (dev qrels), pairs ranked in the need path's top 100; see README for the fit's figures. */
export const DEFAULT_CALIBRATION: Calibration = {
  version: 'cal-1',
  model: { names: ['ln_score'], mean: [0], scale: [1], weights: [1], bias: 0 },
  bands: { strong: 0.6, medium: 0.35 },
}

/** The calibration input of a score: its logarithm (scores are products of a cosine and feature factors). */
export const calibrationInput = (score: number) => [Math.log(Math.max(score, 1e-4))]

/** Strength in [0, 1] of a final score (4 decimals). */
export function calibrate(score: number, cal: Calibration = DEFAULT_CALIBRATION): number {
  if (!Number.isFinite(score) || score <= 0) return 0
  return Math.round(predict(cal.model, calibrationInput(score)) * 1e4) / 1e4
}

export function band(strength: number, cal: Calibration = DEFAULT_CALIBRATION): Band {
  return strength >= cal.bands.strong ? '强' : strength >= cal.bands.medium ? '中' : '弱'
}

/** Strength and band of a score, and whether it clears the floor (suggest nothing below `floor`). */
export function strengthOf(score: number, floor: number, cal: Calibration = DEFAULT_CALIBRATION) {
  const strength = calibrate(score, cal)
  return { strength, band: band(strength, cal), above_floor: strength >= floor, calibration: cal.version }
}
