// Calibrated strength: a match's final ranking score -> a strength in [0, 1] that reads the same on every need, with
// bands (强 / 中 / 弱) and a floor below which nothing is suggested. One logistic curve over two signals stored on every
// match, neither relative to the rest of the need's list (so a need with nothing relevant gets no strong suggestion):
// the logarithm of the final score (an exact cosine times the feature factor; retrieve.ts relevanceOf) and the
// logarithm of the sparse (exact-word) score, which separates pairs that share words by chance from pairs about the
// same thing better than the score alone. strength = P(a judge calls the pair relevant, label >= 1 of 0-3), fitted on
// the judged pairs of the zhibei-dev benchmark that the need path ranks in its top 100, each need weighted equally;
// the floor is the strength that keeps 90% of the pairs judged >= 2. The coefficients live in calibration.json, which
// `npm run eval -- calibrate --dataset <zhibei-dev> --write` refits and rewrites (src/eval/calibrate.ts; README
// "Evaluation"): refit after any change to the score.
import fitted from './calibration.json'
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
  /** default floor (MATCH_STRENGTH_FLOOR overrides it) */
  floor: number
}

export const CALIBRATION_INPUTS = ['ln_score', 'ln_sparse'] as const

/** strength = sigmoid(bias + w1 x ln score + w2 x ln sparse score), fitted on zhibei-dev (dev qrels); figures in the README. */
export const DEFAULT_CALIBRATION: Calibration = {
  version: fitted.version,
  model: { names: [...CALIBRATION_INPUTS], mean: [0, 0], scale: [1, 1], weights: fitted.weights, bias: fitted.bias },
  floor: fitted.floor,
}

/** Lower bounds of the bands. */
export const BANDS: { strong: number; medium: number } = { strong: 0.8, medium: 0.5 }

/**
 * The calibration inputs of a match: ln of its final score (a product of a cosine and a feature factor) and ln of its
 * sparse score (1e-3 when the sparse source did not find it).
 */
export const calibrationInput = (score: number, components?: Pick<CalibrationInput, 'source_scores'>) => [
  Math.log(Math.max(score, 1e-4)),
  Math.log(Math.max(components?.source_scores?.sparse ?? 0, 1e-3)),
]

/** Strength in [0, 1] of a final score and its components (4 decimals). */
export function calibrate(rawScore: number, components?: CalibrationInput, _featuresWeight = 0.25, cal: Calibration = DEFAULT_CALIBRATION): number {
  if (!Number.isFinite(rawScore) || rawScore <= 0) return 0
  if (components?.ranker?.startsWith('learned/')) return Math.round(Math.min(1, rawScore) * 1e4) / 1e4
  return Math.round(predict(cal.model, calibrationInput(rawScore, components)) * 1e4) / 1e4
}

export function bandOf(strength: number | null): Band | null {
  if (strength === null) return null
  return strength >= BANDS.strong ? '强' : strength >= BANDS.medium ? '中' : '弱'
}
