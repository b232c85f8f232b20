// Logistic regression in plain TypeScript (L2-regularised, standardised inputs, full-batch Newton steps): small, exact
// and deterministic, which is what a model fitted from a few hundred reviews needs. Used by the calibrated strength
// (one input) and by the learned re-ranker (the pipeline's features).

export interface LogisticModel {
  names: string[]
  /** per input: mean and scale used to standardise it */
  mean: number[]
  scale: number[]
  weights: number[]
  bias: number
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)))

export function predict(m: LogisticModel, x: number[]): number {
  let z = m.bias
  for (let j = 0; j < m.weights.length; j++) z += m.weights[j]! * (((x[j] ?? 0) - m.mean[j]!) / m.scale[j]!)
  return sigmoid(z)
}

/** Solves A x = b (small, symmetric positive definite) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length
  const M = A.map((r, i) => [...r, b[i]!])
  for (let c = 0; c < n; c++) {
    let p = c
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r
    ;[M[c], M[p]] = [M[p]!, M[c]!]
    const d = M[c]![c]! || 1e-12
    for (let r = 0; r < n; r++) {
      if (r === c) continue
      const f = M[r]![c]! / d
      if (f) for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!
    }
  }
  return M.map((r, i) => r[n]! / (r[i]! || 1e-12))
}

/**
 * Fits P(y = 1 | x). `l2` penalises the weights (not the bias) on standardised inputs; `sampleWeight` lets callers
 * balance groups (e.g. each need counts the same however many of its pairs were judged).
 */
export function fitLogistic(X: number[][], y: number[], names: string[], opts: { l2?: number; iterations?: number; sampleWeight?: number[] } = {}): LogisticModel {
  const n = X.length
  const d = names.length
  const l2 = opts.l2 ?? 1
  const sw = opts.sampleWeight ?? X.map(() => 1)
  const mean = Array.from({ length: d }, (_, j) => X.reduce((s, r) => s + (r[j] ?? 0), 0) / (n || 1))
  const scale = Array.from({ length: d }, (_, j) => Math.sqrt(X.reduce((s, r) => s + ((r[j] ?? 0) - mean[j]!) ** 2, 0) / (n || 1)) || 1)
  const Z = X.map((r) => r.map((v, j) => (v - mean[j]!) / scale[j]!))
  // theta = [bias, weights...]
  let theta = new Array<number>(d + 1).fill(0)
  for (let it = 0; it < (opts.iterations ?? 25); it++) {
    const g = new Array<number>(d + 1).fill(0)
    const H = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0))
    for (let i = 0; i < n; i++) {
      const xi = [1, ...Z[i]!]
      const p = sigmoid(xi.reduce((s, v, j) => s + v * theta[j]!, 0))
      const w = sw[i]!
      for (let a = 0; a <= d; a++) {
        g[a]! += w * (p - y[i]!) * xi[a]!
        for (let b = a; b <= d; b++) H[a]![b]! += w * p * (1 - p) * xi[a]! * xi[b]!
      }
    }
    for (let a = 1; a <= d; a++) {
      g[a]! += l2 * theta[a]!
      H[a]![a]! += l2
    }
    for (let a = 0; a <= d; a++) for (let b = 0; b < a; b++) H[a]![b] = H[b]![a]!
    H[0]![0]! += 1e-9
    const step = solve(H, g)
    theta = theta.map((t, j) => t - step[j]!)
    if (Math.max(...step.map(Math.abs)) < 1e-9) break
  }
  return { names, mean, scale, weights: theta.slice(1).map((v) => Math.round(v * 1e6) / 1e6), bias: Math.round(theta[0]! * 1e6) / 1e6 }
}
