// Calibration: a match's final ranking score -> a strength in [0, 1] meant to read the same on every need, with bands
// (强 / 中 / 弱). PLACEHOLDER: until it is fitted on judged pairs (the matching-quality work replaces `calibrate` and
// `BANDS` here, keeping the signatures), the strength is the ranking score rescaled by its largest possible value.

/** What a calibration may read besides the raw score: the components stored on the match. */
export interface CalibrationInput {
  relevance: number
  source_scores: Partial<Record<'dense' | 'sparse' | 'lexical', number>>
  features: Record<string, number | null>
}

export type Band = '强' | '中' | '弱'

/** Lower bounds of the bands. */
export const BANDS: { strong: number; medium: number } = { strong: 0.7, medium: 0.4 }

/** Identity placeholder: raw score (relevance x (1 + adjustment), at most 1 + `featuresWeight`) into [0, 1]. */
export function calibrate(rawScore: number, _components: CalibrationInput, featuresWeight = 0.25): number {
  const s = rawScore / (1 + featuresWeight)
  return Math.round(Math.max(0, Math.min(1, s)) * 1e4) / 1e4
}

export function bandOf(strength: number | null): Band | null {
  if (strength === null) return null
  return strength >= BANDS.strong ? '强' : strength >= BANDS.medium ? '中' : '弱'
}
