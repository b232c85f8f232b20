// Fitting and checking the calibrated strength (src/matching/calibrate.ts) on judged pairs: a logistic regression of
// "judged relevant (label >= 1)" on the match's calibration inputs, each need weighted equally, and a floor read off
// the data (the strength that keeps 90% of the pairs judged >= 2). Reports mean strength per label and the shares of
// pairs at or above the floor, in-sample and cross-validated by need (the honest figures).
import { writeFileSync } from 'node:fs'
import { type Calibration, calibrate, CALIBRATION_INPUTS, calibrationInput, DEFAULT_CALIBRATION } from '../matching/calibrate'
import { fitLogistic } from '../matching/ranker/logistic'
import type { JudgedList } from './learn'

/** Share of the pairs judged >= 2 that the fitted floor keeps. */
export const FLOOR_KEEPS = 0.9
const L2 = 0.1

interface Pair {
  qid: string
  label: number
  score: number
  components: JudgedList['ranked'][number]['components']
}

function judgedPairs(lists: JudgedList[]): Pair[] {
  const out: Pair[] = []
  for (const l of lists) for (const c of l.ranked) if (l.rel.has(c.doc)) out.push({ qid: l.qid, label: l.rel.get(c.doc)!, score: c.score, components: c.components })
  return out
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4
const strengthOf = (p: Pair, cal: Calibration) => calibrate(p.score, { ...p.components, ranker: undefined }, undefined, cal)

/** Mean strength per label and the shares of label-0, relevant and label >= 2 pairs at or above the floor. */
export function calibrationReport(lists: JudgedList[], floor: number, cal: Calibration = DEFAULT_CALIBRATION) {
  return reportOf(judgedPairs(lists).map((p) => ({ label: p.label, strength: strengthOf(p, cal), floor })))
}

function reportOf(xs: { label: number; strength: number; floor: number }[]) {
  const byLabel: Record<string, { n: number; mean: number }> = {}
  for (const g of [0, 1, 2, 3]) {
    const s = xs.filter((p) => p.label === g).map((p) => p.strength)
    byLabel[g] = { n: s.length, mean: r4(s.reduce((a, b) => a + b, 0) / (s.length || 1)) }
  }
  const share = (ys: typeof xs) => r4(ys.filter((p) => p.strength >= p.floor).length / (ys.length || 1))
  return {
    pairs: xs.length, floor: xs[0]?.floor ?? null, mean_strength_by_label: byLabel, label0_above_floor: share(xs.filter((p) => p.label === 0)),
    relevant_above_floor: share(xs.filter((p) => p.label >= 1)), label2plus_above_floor: share(xs.filter((p) => p.label >= 2)),
  }
}

/** Fits the curve on the pairs (each need weighted equally) and reads the floor off them. */
function fitPairs(pairs: Pair[], version: string): Calibration {
  const perNeed = new Map<string, number>()
  for (const p of pairs) perNeed.set(p.qid, (perNeed.get(p.qid) ?? 0) + 1)
  const names = [...CALIBRATION_INPUTS]
  const m = fitLogistic(pairs.map((p) => calibrationInput(p.score, p.components)), pairs.map((p) => (p.label >= 1 ? 1 : 0)), names, {
    l2: L2, sampleWeight: pairs.map((p) => pairs.length / perNeed.size / perNeed.get(p.qid)!),
  })
  // the standardisation folded into the weights: strength = sigmoid(bias + sum w x input)
  const weights = m.weights.map((w, j) => r4(w / m.scale[j]!))
  const bias = r4(m.bias - m.weights.reduce((s, w, j) => s + (w / m.scale[j]!) * m.mean[j]!, 0))
  const cal: Calibration = { version, model: { names, mean: names.map(() => 0), scale: names.map(() => 1), weights, bias }, floor: 0 }
  // the floor: the highest strength (2 decimals, rounded down) that keeps FLOOR_KEEPS of the pairs judged >= 2
  const good = pairs.filter((p) => p.label >= 2).map((p) => strengthOf(p, cal)).sort((a, b) => a - b)
  const at = good[Math.floor(good.length * (1 - FLOOR_KEEPS))] ?? 0
  return { ...cal, floor: Math.floor(at * 100) / 100 }
}

/** Deterministic fold of a need id (FNV-1a). */
const foldOf = (id: string, k: number) => {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return (h >>> 0) % k
}

/**
 * Fits the calibration on all judged pairs, and reports it in-sample and cross-validated (k folds by need: curve and
 * floor fitted on the other folds' needs, strengths and shares read on the held-out needs).
 */
export function fitCalibration(lists: JudgedList[], opts: { version?: string; folds?: number } = {}) {
  const pairs = judgedPairs(lists)
  const version = opts.version ?? `cal-${new Date().toISOString().slice(0, 10)}`
  const cal = fitPairs(pairs, version)
  const k = opts.folds ?? 5
  const held: { label: number; strength: number; floor: number }[] = []
  for (let f = 0; f < k; f++) {
    const c = fitPairs(pairs.filter((p) => foldOf(p.qid, k) !== f), version)
    for (const p of pairs.filter((p) => foldOf(p.qid, k) === f)) held.push({ label: p.label, strength: strengthOf(p, c), floor: c.floor })
  }
  const cv = reportOf(held)
  return { calibration: cal, in_sample: calibrationReport(lists, cal.floor, cal), cross_validated: { ...cv, folds: k, floor: 'fitted per fold' } }
}

/** Rewrites src/matching/calibration.json (what `calibrate.ts` reads) with a fitted curve. */
export function writeCalibration(cal: Calibration, fittedOn: string): string {
  const file = new URL('../matching/calibration.json', import.meta.url)
  const out = { version: cal.version, fitted_on: fittedOn, inputs: cal.model.names, weights: cal.model.weights, bias: cal.model.bias, floor: cal.floor }
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n')
  return file.pathname
}
