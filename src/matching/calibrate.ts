// Calibrated strength: a match's final ranking score -> a strength in [0, 1] that reads the same on every need, with
// bands (强 / 中 / 弱). The score is absolute (the exact cosine of the candidate with the query, times the feature
// factor; retrieve.ts relevanceOf), so one logistic curve over its logarithm turns it into a probability:
// P(a judge calls the pair relevant, label >= 1 of 0-3), fitted on the judged pairs of the zhibei-dev benchmark that the
// need path ranks in its top 100, each need weighted equally (`npm run eval -- --dataset <zhibei-dev> --fit-calibration`,
// README "Evaluation"). Label >= 1 rather than >= 2: a pair judged relevant at all (same industry, related problem) is
// what a manager wants to look at, and label >= 2 has 38 pairs of 884, too few to fit a curve that holds on other needs.
// Bands and the floor (MATCH_STRENGTH_FLOOR) are read on the same scale.
import { type LogisticModel, predict } from './ranker/logistic'

/** What a calibration may read besides the raw score: the components stored on the match. */
export interface CalibrationInput {
  relevance: number
  source_scores: Partial<Record<'dense' | 'sparse' | 'lexical', number>>
  features: Record<string, number | null>
  /** the ranker version that scored the match: a learned ranker's score is already a probability */
  ranker?: string
}

export type Band = '强' | '中' | '弱'

export interface Calibration {
  /** identifies the fitted curve */
  version: string
  model: LogisticModel
}

/** strength = sigmoid(bias + w x ln score), fitted on zhibei-dev (dev qrels); figures in the README. */
export const DEFAULT_CALIBRATION: Calibration = {
  version: 'cal-1',
  model: { names: ['ln_score'], mean: [0], scale: [1], weights: [2.4552], bias: 6.6838 },
}

/** Lower bounds of the bands. */
export const BANDS: { strong: number; medium: number } = { strong: 0.8, medium: 0.5 }

/** The calibration input of a score: its logarithm (scores are products of a cosine and a feature factor). */
export const calibrationInput = (score: number) => [Math.log(Math.max(score, 1e-4))]

/** Strength in [0, 1] of a final score (4 decimals). `_components` and `_featuresWeight` are for richer curves. */
export function calibrate(rawScore: number, components?: CalibrationInput, _featuresWeight = 0.25, cal: Calibration = DEFAULT_CALIBRATION): number {
  if (!Number.isFinite(rawScore) || rawScore <= 0) return 0
  if (components?.ranker?.startsWith('learned/')) return Math.round(Math.min(1, rawScore) * 1e4) / 1e4
  return Math.round(predict(cal.model, calibrationInput(rawScore)) * 1e4) / 1e4
}

export function bandOf(strength: number | null): Band | null {
  if (strength === null) return null
  return strength >= BANDS.strong ? '强' : strength >= BANDS.medium ? '中' : '弱'
}
