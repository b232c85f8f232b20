// 技术主题: clusters of patents. Pure TypeScript and deterministic for a seed:
//   tf-idf (jieba words + CJK character bigrams, sublinear tf, corpus idf, L2)
//   -> LSA: randomized SVD (Halko et al.) to `dims` dimensions, rows L2-normalised
//   -> each LSA vector leaned on its 15 nearest neighbours by tf-idf cosine (smoothKnn)
//   -> spherical k-means++ into about 4k small groups, Ward's agglomeration of them down to k, spherical k-means
//      over every document from there (overclusterWard).
// k is given, or chosen from the data: the k in a range set by n with the best simplified silhouette (see chooseK).
// Labels are the words most over-represented in a cluster; the 2-D map projects the smoothed vectors on the two
// directions along which the cluster centres spread most. Measured with `npm run eval -- clusters` (README).
import { Worker } from 'node:worker_threads'
import { normalize, STOP_WORDS, tokenize } from '../text/analyze'

export interface ClusterDoc {
  title: string
  text: string
}

export interface ClusterOptions {
  k?: number
  seed?: number
  dims?: number
  /** automatic k: candidates kMin..kMax */
  kMin?: number
  kMax?: number
  restarts?: number
  /** title words count this many times */
  titleWeight?: number
  /** neighbours each document leans on (default KNN) */
  knn?: number
  /** small groups per cluster before Ward's merge (default GROUPS_PER_CLUSTER) */
  groups?: number
  /** weight of the neighbours' mean in smoothKnn (default 2) */
  beta?: number
}

export interface Clustering {
  k: number
  /** how k was chosen */
  criterion: string
  assign: Int32Array
  /** top words of each cluster */
  terms: string[][]
  /** cosine of each document to its cluster centre */
  sims: Float64Array
  /** 2-D map coordinates of each document */
  coords: [number, number][]
  /** silhouette of each candidate k (automatic k only) */
  scores?: { k: number; silhouette: number }[]
}

/** mulberry32: small, fast, seeded. */
export function rng(seed: number) {
  let s = seed | 0
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const NUMERIC = /^[\d.%+\-a-z]*\d[\d.%+\-a-z]*$/

const isCjk = (c: number) => c >= 0x4e00 && c <= 0x9fff

/** Words (jieba, precise mode) and CJK character bigrams (as numbers: the two UTF-16 codes) of a document. */
export function features(doc: ClusterDoc, titleWeight = 1): { words: Map<string, number>; bigrams: Map<number, number> } {
  const words = new Map<string, number>()
  const bigrams = new Map<number, number>()
  const part = (s: string, n: number) => {
    if (!s) return
    for (const w of tokenize(s)) if (w.length >= 2 && !STOP_WORDS.has(w) && !NUMERIC.test(w)) words.set(w, (words.get(w) ?? 0) + n)
    const t = normalize(s)
    let prev = t.charCodeAt(0)
    for (let i = 1; i < t.length; i++) {
      const c = t.charCodeAt(i)
      if (isCjk(prev) && isCjk(c)) {
        const key = prev * 65536 + c
        bigrams.set(key, (bigrams.get(key) ?? 0) + n)
      }
      prev = c
    }
  }
  part(doc.title, titleWeight)
  part(doc.text, 1)
  return { words, bigrams }
}

/** Sparse rows (CSR) of L2-normalised sublinear tf-idf over terms in at least 2 documents and at most half of them. */
export interface TfIdf {
  n: number
  /** the terms; bigrams are the two characters prefixed with U+0001 */
  vocab: string[]
  rowPtr: Int32Array
  cols: Int32Array
  vals: Float64Array
}

export function tfidf(docs: ClusterDoc[], titleWeight = 1): TfIdf {
  const feats = docs.map((d) => features(d, titleWeight))
  const dfW = new Map<string, number>()
  const dfB = new Map<number, number>()
  for (const f of feats) {
    for (const t of f.words.keys()) dfW.set(t, (dfW.get(t) ?? 0) + 1)
    for (const t of f.bigrams.keys()) dfB.set(t, (dfB.get(t) ?? 0) + 1)
  }
  const n = docs.length
  const maxDf = Math.max(2, Math.floor(n * 0.5))
  const indexW = new Map<string, number>()
  const indexB = new Map<number, number>()
  const vocab: string[] = []
  const idf: number[] = []
  const keep = (d: number) => d >= 2 && d <= maxDf
  // vocabulary in order of first appearance (words of a document, then its bigrams): deterministic for a document order
  for (const f of feats) {
    for (const t of f.words.keys()) {
      if (indexW.has(t) || !keep(dfW.get(t)!)) continue
      indexW.set(t, vocab.length)
      vocab.push(t)
      idf.push(Math.log((n + 1) / (dfW.get(t)! + 1)) + 1)
    }
    for (const t of f.bigrams.keys()) {
      if (indexB.has(t) || !keep(dfB.get(t)!)) continue
      indexB.set(t, vocab.length)
      vocab.push('\u0001' + String.fromCharCode(Math.floor(t / 65536), t % 65536))
      idf.push(Math.log((n + 1) / (dfB.get(t)! + 1)) + 1)
    }
  }
  const rowPtr = new Int32Array(n + 1)
  const cols: number[] = []
  const vals: number[] = []
  feats.forEach((f, i) => {
    const entries: [number, number][] = []
    for (const [t, c] of f.words) {
      const j = indexW.get(t)
      if (j !== undefined) entries.push([j, (1 + Math.log(c)) * idf[j]!])
    }
    for (const [t, c] of f.bigrams) {
      const j = indexB.get(t)
      if (j !== undefined) entries.push([j, (1 + Math.log(c)) * idf[j]!])
    }
    entries.sort((a, b) => a[0] - b[0])
    const norm = Math.sqrt(entries.reduce((s, [, v]) => s + v * v, 0)) || 1
    for (const [j, v] of entries) {
      cols.push(j)
      vals.push(v / norm)
    }
    rowPtr[i + 1] = cols.length
  })
  return { n, vocab, rowPtr, cols: Int32Array.from(cols), vals: Float64Array.from(vals) }
}

/** Standard normal from a uniform generator (Box-Muller). */
function gaussian(r: () => number): () => number {
  let spare: number | null = null
  return () => {
    if (spare !== null) {
      const s = spare
      spare = null
      return s
    }
    const u = Math.max(r(), 1e-12)
    const v = r()
    const m = Math.sqrt(-2 * Math.log(u))
    spare = m * Math.sin(2 * Math.PI * v)
    return m * Math.cos(2 * Math.PI * v)
  }
}

/** Orthonormalises the l columns of an n x l row-major matrix in place (modified Gram-Schmidt, twice for stability). */
function orthonormalize(Y: Float64Array, n: number, l: number): void {
  // work on columns stored contiguously: strided access over n rows is what makes this slow otherwise
  const cols = Array.from({ length: l }, (_, j) => {
    const c = new Float64Array(n)
    for (let i = 0; i < n; i++) c[i] = Y[i * l + j]!
    return c
  })
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < l; j++) {
      const cj = cols[j]!
      for (let p = 0; p < j; p++) {
        const cp = cols[p]!
        let dot = 0
        for (let i = 0; i < n; i++) dot += cj[i]! * cp[i]!
        for (let i = 0; i < n; i++) cj[i]! -= dot * cp[i]!
      }
      let norm = 0
      for (let i = 0; i < n; i++) norm += cj[i]! * cj[i]!
      norm = Math.sqrt(norm)
      for (let i = 0; i < n; i++) cj[i] = norm > 1e-12 ? cj[i]! / norm : 0
    }
  }
  for (let j = 0; j < l; j++) {
    const c = cols[j]!
    for (let i = 0; i < n; i++) Y[i * l + j] = c[i]!
  }
}

/** X (n x V, CSR) times M (V x l, row-major) -> n x l. */
function mulXM(X: TfIdf, M: Float64Array, l: number): Float64Array {
  const out = new Float64Array(X.n * l)
  for (let i = 0; i < X.n; i++) {
    const o = i * l
    for (let e = X.rowPtr[i]!; e < X.rowPtr[i + 1]!; e++) {
      const v = X.vals[e]!
      const m = X.cols[e]! * l
      for (let c = 0; c < l; c++) out[o + c]! += v * M[m + c]!
    }
  }
  return out
}

/** X^T (V x n) times Y (n x l) -> V x l. */
function mulXtY(X: TfIdf, Y: Float64Array, l: number): Float64Array {
  const out = new Float64Array(X.vocab.length * l)
  for (let i = 0; i < X.n; i++) {
    const y = i * l
    for (let e = X.rowPtr[i]!; e < X.rowPtr[i + 1]!; e++) {
      const v = X.vals[e]!
      const o = X.cols[e]! * l
      for (let c = 0; c < l; c++) out[o + c]! += v * Y[y + c]!
    }
  }
  return out
}

/** Eigen-decomposition of a symmetric l x l matrix (cyclic Jacobi). Returns values descending and vectors as columns. */
export function symmetricEigen(A: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A)
  const v = new Float64Array(l * l)
  for (let i = 0; i < l; i++) v[i * l + i] = 1
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += a[p * l + q]! ** 2
    if (off < 1e-22) break
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q]!
        if (Math.abs(apq) < 1e-300) continue
        const theta = (a[q * l + q]! - a[p * l + p]!) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p]!
          const akq = a[k * l + q]!
          a[k * l + p] = c * akp - s * akq
          a[k * l + q] = s * akp + c * akq
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k]!
          const aqk = a[q * l + k]!
          a[p * l + k] = c * apk - s * aqk
          a[q * l + k] = s * apk + c * aqk
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p]!
          const vkq = v[k * l + q]!
          v[k * l + p] = c * vkp - s * vkq
          v[k * l + q] = s * vkp + c * vkq
        }
      }
    }
  }
  const order = [...Array(l).keys()].sort((x, y) => a[y * l + y]! - a[x * l + x]! || x - y)
  const values = new Float64Array(l)
  const vectors = new Float64Array(l * l)
  order.forEach((src, dst) => {
    values[dst] = a[src * l + src]!
    for (let k = 0; k < l; k++) vectors[k * l + dst] = v[k * l + src]!
  })
  return { values, vectors }
}

/** The rows `rows` of X as a CSR matrix of their own (same vocabulary). */
function subRows(X: TfIdf, rows: number[]): TfIdf {
  const rowPtr = new Int32Array(rows.length + 1)
  let nnz = 0
  rows.forEach((r, i) => {
    nnz += X.rowPtr[r + 1]! - X.rowPtr[r]!
    rowPtr[i + 1] = nnz
  })
  const cols = new Int32Array(nnz)
  const vals = new Float64Array(nnz)
  rows.forEach((r, i) => {
    cols.set(X.cols.subarray(X.rowPtr[r]!, X.rowPtr[r + 1]!), rowPtr[i]!)
    vals.set(X.vals.subarray(X.rowPtr[r]!, X.rowPtr[r + 1]!), rowPtr[i]!)
  })
  return { n: rows.length, vocab: X.vocab, rowPtr, cols, vals }
}

/**
 * LSA: the documents' coordinates on the top `dims` singular directions of X (randomized SVD with `power`
 * power iterations), each row L2-normalised. Returns an n x d row-major matrix. With `fitRows`, the directions are
 * found on those rows only (a seeded sample of a large corpus) and every row is projected on them.
 */
export function lsa(X: TfIdf, dims: number, seed: number, power = 2, fitRows?: number[]): { Z: Float64Array; d: number } {
  const Xf = fitRows ? subRows(X, fitRows) : X
  const n = Xf.n
  const V = X.vocab.length
  const d = Math.max(1, Math.min(dims, n - 1, V))
  const l = Math.min(d + 10, n, V)
  const g = gaussian(rng(seed))
  const omega = new Float64Array(V * l)
  for (let i = 0; i < omega.length; i++) omega[i] = g()
  let Y = mulXM(Xf, omega, l)
  orthonormalize(Y, n, l)
  for (let it = 0; it < power; it++) {
    // Y is re-orthonormalised after each round trip; in double precision and with few rounds, that suffices
    // (orthonormalising the V x l side as well cost most of the time and changed nothing measurable)
    Y = mulXM(Xf, mulXtY(Xf, Y, l), l)
    orthonormalize(Y, n, l)
  }
  // B = Q^T X (l x V); B B^T = (X^T Q)^T (X^T Q): eigenvectors U_B, singular values s = sqrt(eigenvalues)
  const XtQ = mulXtY(Xf, Y, l) // V x l
  const G = new Float64Array(l * l)
  for (let r = 0; r < V; r++) {
    const o = r * l
    for (let a = 0; a < l; a++) {
      const x = XtQ[o + a]!
      if (x === 0) continue
      const ga = a * l
      for (let b = a; b < l; b++) G[ga + b]! += x * XtQ[o + b]!
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) G[a * l + b] = G[b * l + a]!
  const { values, vectors } = symmetricEigen(G, l)
  // right singular vectors V_d = X^T Q U_B S^-1, so a document x sits at x V_d = (x X^T Q) U_B S^-1
  const P = fitRows ? mulXM(X, XtQ, l) : null // n_all x l
  const N = X.n
  const Z = new Float64Array(N * d)
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < d; c++) {
      let s = 0
      if (P) {
        for (let a = 0; a < l; a++) s += P[i * l + a]! * vectors[a * l + c]!
        Z[i * d + c] = values[c]! > 1e-12 ? s / Math.sqrt(values[c]!) : 0
      } else {
        // on the fitted rows themselves x V_d = Q U_B S
        for (let a = 0; a < l; a++) s += Y[i * l + a]! * vectors[a * l + c]!
        Z[i * d + c] = s * Math.sqrt(Math.max(values[c]!, 0))
      }
    }
  }
  normalizeRows(Z, N, d)
  return { Z, d }
}

function normalizeRows(Z: Float64Array, n: number, d: number): void {
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let c = 0; c < d; c++) s += Z[i * d + c]! ** 2
    s = Math.sqrt(s)
    if (s > 1e-12) for (let c = 0; c < d; c++) Z[i * d + c]! /= s
  }
}

function dot(Z: Float64Array, i: number, C: Float64Array, j: number, d: number): number {
  let s = 0
  const a = i * d
  const b = j * d
  for (let c = 0; c < d; c++) s += Z[a + c]! * C[b + c]!
  return s
}

/** Spherical k-means with k-means++ seeding (cosine distance); returns assignment, centres and the objective (sum of cosines). */
export function sphericalKMeans(Z: Float64Array, n: number, d: number, k: number, seed: number, maxIter = 40) {
  const r = rng(seed)
  const C = new Float64Array(k * d)
  // k-means++: the first centre at random, then each next one with probability proportional to its distance
  const dist = new Float64Array(n).fill(Infinity)
  let pick = Math.floor(r() * n)
  for (let c = 0; c < k; c++) {
    C.set(Z.subarray(pick * d, pick * d + d), c * d)
    let total = 0
    for (let i = 0; i < n; i++) {
      const di = Math.max(0, 1 - dot(Z, i, C, c, d))
      if (di < dist[i]!) dist[i] = di
      total += dist[i]!
    }
    if (c + 1 === k) break
    let x = r() * total
    pick = n - 1
    for (let i = 0; i < n; i++) {
      x -= dist[i]!
      if (x <= 0) {
        pick = i
        break
      }
    }
  }
  return lloyd(Z, n, d, C, k, maxIter)
}

/** Spherical k-means iterations from the centres C (k x d, unit rows; updated in place). */
export function lloyd(Z: Float64Array, n: number, d: number, C: Float64Array, k: number, maxIter = 40) {
  const assign = new Int32Array(n).fill(-1)
  const sims = new Float64Array(n)
  let objective = 0
  for (let it = 0; it < maxIter; it++) {
    let changed = 0
    objective = 0
    for (let i = 0; i < n; i++) {
      let best = -1
      let bestSim = -Infinity
      for (let c = 0; c < k; c++) {
        const s = dot(Z, i, C, c, d)
        if (s > bestSim) {
          bestSim = s
          best = c
        }
      }
      if (assign[i] !== best) changed++
      assign[i] = best
      sims[i] = bestSim
      objective += bestSim
    }
    if (!changed) break
    C.fill(0)
    const size = new Int32Array(k)
    for (let i = 0; i < n; i++) {
      const c = assign[i]!
      size[c]!++
      for (let x = 0; x < d; x++) C[c * d + x]! += Z[i * d + x]!
    }
    // an emptied cluster restarts at the document farthest from its centre
    for (let c = 0; c < k; c++) {
      if (size[c]) continue
      let far = 0
      for (let i = 1; i < n; i++) if (sims[i]! < sims[far]!) far = i
      C.set(Z.subarray(far * d, far * d + d), c * d)
      sims[far] = 1
    }
    normalizeRows(C, k, d)
  }
  return { assign, centres: C, sims, objective }
}

/**
 * Ward's agglomeration of `g` groups (vector sums `S`, g x d, and sizes) down to `k`: each step merges the pair whose
 * merge raises the within-group sum of squares least. Returns each group's merged label in 0..k-1. O(g^3), for g in the hundreds.
 */
export function wardMerge(S: Float64Array, sizes: ArrayLike<number>, d: number, k: number): Int32Array {
  const g = sizes.length
  const sum = Float64Array.from(S)
  const cnt = Float64Array.from(sizes)
  const alive = Array.from({ length: g }, (_, i) => cnt[i]! > 0)
  const parent = Int32Array.from({ length: g }, (_, i) => i)
  const cost = (a: number, b: number) => {
    let s = 0
    for (let x = 0; x < d; x++) {
      const diff = sum[a * d + x]! / cnt[a]! - sum[b * d + x]! / cnt[b]!
      s += diff * diff
    }
    return ((cnt[a]! * cnt[b]!) / (cnt[a]! + cnt[b]!)) * s
  }
  const D = new Float64Array(g * g).fill(Infinity)
  for (let a = 0; a < g; a++) if (alive[a]) for (let b = a + 1; b < g; b++) if (alive[b]) D[a * g + b] = cost(a, b)
  let left = alive.filter(Boolean).length
  while (left > k) {
    let best = Infinity
    let ba = -1
    let bb = -1
    for (let a = 0; a < g; a++) {
      if (!alive[a]) continue
      for (let b = a + 1; b < g; b++) {
        if (alive[b] && D[a * g + b]! < best) {
          best = D[a * g + b]!
          ba = a
          bb = b
        }
      }
    }
    if (ba < 0) break
    for (let x = 0; x < d; x++) sum[ba * d + x]! += sum[bb * d + x]!
    cnt[ba]! += cnt[bb]!
    alive[bb] = false
    parent[bb] = ba
    for (let o = 0; o < g; o++) {
      if (!alive[o] || o === ba) continue
      if (o < ba) D[o * g + ba] = cost(o, ba)
      else D[ba * g + o] = cost(ba, o)
    }
    left--
  }
  const root = (x: number): number => (parent[x] === x ? x : root(parent[x]!))
  const ids = new Map<number, number>()
  return Int32Array.from({ length: g }, (_, i) => {
    const r = root(i)
    if (!ids.has(r)) ids.set(r, ids.size)
    return ids.get(r)!
  })
}

/**
 * k clusters in three steps: spherical k-means into about 4k small groups (on a seeded sample of a large corpus), Ward's
 * agglomeration of the groups' LSA vectors (before smoothing) down to k, then spherical k-means over every document
 * from the merged groups' centres. On patents-cls-dev at k = 36 this beats k-means++ alone (README).
 */
export function overclusterWard(Z: Float64Array, raw: Float64Array, n: number, d: number, k: number, seed: number, restarts: number, perCluster = GROUPS_PER_CLUSTER) {
  const fit = n > FIT_SAMPLE ? sampleOf(n, FIT_SAMPLE, seed ^ 0x2545f491) : null
  const m = fit ? fit.length : n
  const g = Math.min(Math.round(perCluster * k), Math.floor(m / 4))
  if (g <= k) return bestOfRestarts(Z, n, d, k, seed, restarts)
  const pick = (A: Float64Array) => {
    if (!fit) return A
    const out = new Float64Array(m * d)
    fit.forEach((src, dst) => out.set(A.subarray(src * d, src * d + d), dst * d))
    return out
  }
  const Zf = pick(Z)
  const Rf = pick(raw)
  const groups = bestOfRestarts(Zf, m, d, g, seed, restarts).assign
  const S = new Float64Array(g * d)
  const sizes = new Int32Array(g)
  for (let i = 0; i < m; i++) {
    const c = groups[i]!
    sizes[c]!++
    for (let x = 0; x < d; x++) S[c * d + x]! += Rf[i * d + x]!
  }
  const merged = wardMerge(S, sizes, d, k)
  const kk = Math.max(...merged) + 1
  const C = new Float64Array(kk * d)
  for (let i = 0; i < m; i++) {
    const c = merged[groups[i]!]!
    for (let x = 0; x < d; x++) C[c * d + x]! += Zf[i * d + x]!
  }
  normalizeRows(C, kk, d)
  return lloyd(Z, n, d, C, kk)
}

function bestOfRestarts(Z: Float64Array, n: number, d: number, k: number, seed: number, restarts: number) {
  let best: ReturnType<typeof sphericalKMeans> | null = null
  for (let s = 0; s < restarts; s++) {
    const run = sphericalKMeans(Z, n, d, k, seed + 7919 * s)
    if (!best || run.objective > best.objective + 1e-9) best = run
  }
  return best!
}

/**
 * Mean simplified silhouette (cosine distance to cluster centres instead of to every member: O(n k d)):
 * a = 1 - cos(own centre), b = 1 - the best cos to another centre, s = (b - a) / max(a, b).
 */
export function simplifiedSilhouette(Z: Float64Array, n: number, d: number, assign: Int32Array, centres: Float64Array, k: number): number {
  let total = 0
  for (let i = 0; i < n; i++) {
    const own = assign[i]!
    const a = 1 - dot(Z, i, centres, own, d)
    let b = Infinity
    for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, 1 - dot(Z, i, centres, c, d))
    const m = Math.max(a, b)
    if (Number.isFinite(b) && m > 0) total += (b - a) / m
  }
  return total / n
}

/**
 * Automatic k: each k in kMin..kMax is clustered on a seeded sample of at most 1,200 documents, and the k with the
 * highest mean simplified silhouette wins; ties (within 0.002) go to the smaller k, which a reader takes in more easily.
 */
export function chooseK(Z: Float64Array, n: number, d: number, kMin: number, kMax: number, seed: number) {
  const sample = n > 1200 ? sampleOf(n, 1200, seed ^ 0x5bd1e995) : [...Array(n).keys()]
  const m = sample.length
  const Zs = new Float64Array(m * d)
  sample.forEach((src, dst) => Zs.set(Z.subarray(src * d, src * d + d), dst * d))
  const scores: { k: number; silhouette: number }[] = []
  for (let k = kMin; k <= Math.min(kMax, m - 1); k++) {
    const run = bestOfRestarts(Zs, m, d, k, seed, m > 1000 ? 1 : 2)
    scores.push({ k, silhouette: Math.round(simplifiedSilhouette(Zs, m, d, run.assign, run.centres, k) * 1e4) / 1e4 })
  }
  const top = Math.max(...scores.map((s) => s.silhouette))
  const k = scores.find((s) => s.silhouette >= top - 0.002)?.k ?? kMin
  return { k, scores }
}

/**
 * Each LSA vector plus `beta` times the mean of the LSA vectors of its `m` nearest neighbours, re-normalised: short
 * patent abstracts are noisy, and leaning each on its neighbours lifts NMI on patents-cls-dev (README). Neighbours are
 * found by the cosine of the tf-idf vectors themselves (an inverted index over them), which finds closer ones than the
 * LSA projection does; they are sought among all documents, or a seeded sample of `maxRef` of them for a large corpus.
 */
export function smoothKnn(X: TfIdf, Z: Float64Array, d: number, m: number, beta: number, seed: number, maxRef = 2000): Float64Array {
  const n = X.n
  const ref = n > maxRef ? sampleOf(n, maxRef, seed ^ 0x1b873593) : [...Array(n).keys()]
  const mm = Math.min(m, ref.length - 1)
  // postings of the reference rows: term -> (position in ref, weight)
  const V = X.vocab.length
  const start = new Int32Array(V + 1)
  for (const r of ref) for (let e = X.rowPtr[r]!; e < X.rowPtr[r + 1]!; e++) start[X.cols[e]! + 1]!++
  for (let j = 0; j < V; j++) start[j + 1]! += start[j]!
  const cursor = start.slice(0, V)
  const postRef = new Int32Array(start[V]!)
  const postVal = new Float64Array(start[V]!)
  ref.forEach((r, q) => {
    for (let e = X.rowPtr[r]!; e < X.rowPtr[r + 1]!; e++) {
      const at = cursor[X.cols[e]!]!++
      postRef[at] = q
      postVal[at] = X.vals[e]!
    }
  })
  const acc = new Float64Array(ref.length)
  const touched = new Int32Array(ref.length)
  const seen = new Uint8Array(ref.length)
  const out = new Float64Array(n * d)
  const bestSim = new Float64Array(Math.max(1, mm))
  const bestIdx = new Int32Array(Math.max(1, mm))
  for (let i = 0; i < n; i++) {
    let nt = 0
    for (let e = X.rowPtr[i]!; e < X.rowPtr[i + 1]!; e++) {
      const j = X.cols[e]!
      const v = X.vals[e]!
      for (let p = start[j]!; p < start[j + 1]!; p++) {
        const q = postRef[p]!
        if (!seen[q]) {
          seen[q] = 1
          touched[nt++] = q
        }
        acc[q]! += v * postVal[p]!
      }
    }
    bestSim.fill(-Infinity)
    bestIdx.fill(-1)
    for (let t = 0; t < nt; t++) {
      const q = touched[t]!
      const s = acc[q]!
      acc[q] = 0
      seen[q] = 0
      if (ref[q] === i || mm === 0 || s < bestSim[mm - 1]! || (s === bestSim[mm - 1]! && ref[q]! > ref[bestIdx[mm - 1]!]!)) continue
      // insertion into the short sorted list of the best so far (ties: the earlier document)
      let p = mm - 1
      while (p > 0 && (bestSim[p - 1]! < s || (bestSim[p - 1]! === s && ref[bestIdx[p - 1]!]! > ref[q]!))) {
        bestSim[p] = bestSim[p - 1]!
        bestIdx[p] = bestIdx[p - 1]!
        p--
      }
      bestSim[p] = s
      bestIdx[p] = q
    }
    const o = i * d
    for (let c = 0; c < d; c++) out[o + c] = Z[o + c]!
    const w = mm ? beta / mm : 0
    for (let q = 0; q < mm; q++) {
      if (bestIdx[q]! < 0) continue
      const j = ref[bestIdx[q]!]!
      for (let c = 0; c < d; c++) out[o + c]! += w * Z[j * d + c]!
    }
  }
  normalizeRows(out, n, d)
  return out
}

/**
 * 2-D map coordinates: the rows of Z on the two directions along which the cluster centres spread most (principal
 * components of the between-cluster covariance, each centre weighted by its size), so that topics overlap as little as a
 * plane allows; without an assignment, the first two principal components of the rows.
 */
export function project2d(Z: Float64Array, n: number, d: number, assign?: Int32Array, k = 0): [number, number][] {
  const mean = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c]! += Z[i * d + c]! / n
  const C = new Float64Array(d * d)
  const row = new Float64Array(d)
  const add = (w: number) => {
    for (let a = 0; a < d; a++) {
      const x = w * row[a]!
      for (let b = a; b < d; b++) C[a * d + b]! += x * row[b]!
    }
  }
  if (assign && k > 1) {
    const sums = new Float64Array(k * d)
    const sizes = new Int32Array(k)
    for (let i = 0; i < n; i++) {
      sizes[assign[i]!]!++
      for (let c = 0; c < d; c++) sums[assign[i]! * d + c]! += Z[i * d + c]!
    }
    for (let g = 0; g < k; g++) {
      if (!sizes[g]) continue
      for (let c = 0; c < d; c++) row[c] = sums[g * d + c]! / sizes[g]! - mean[c]!
      add(sizes[g]!)
    }
  } else {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < d; c++) row[c] = Z[i * d + c]! - mean[c]!
      add(1)
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) C[a * d + b] = C[b * d + a]!
  const { vectors } = symmetricEigen(C, d)
  const comps = [0, 1].map((p) => {
    let v = Float64Array.from({ length: d }, (_, c) => vectors[c * d + p] ?? 0)
    // a fixed sign, so the map does not flip between runs
    let big = 0
    for (let c = 1; c < d; c++) if (Math.abs(v[c]!) > Math.abs(v[big]!)) big = c
    if (v[big]! < 0) v = v.map((x) => -x)
    return v
  })
  const out: [number, number][] = []
  for (let i = 0; i < n; i++) {
    const xy = comps.map((u) => {
      let s = 0
      for (let c = 0; c < d; c++) s += (Z[i * d + c]! - mean[c]!) * u[c]!
      return Math.round(s * 1e4) / 1e4
    })
    out.push([xy[0]!, xy[1]!])
  }
  return out
}

/** Function and position words that name no technology (kept in the features, left out of labels). */
const LABEL_STOP = new Set('及其 以及 其中 对应 相应 分别 所述 上述 内部 底部 顶部 外部 一侧 两侧 表面 两个 多种 各自 seq id no'.split(' '))
/** Latin-letter tokens this short (sequence-listing "seq id no", units) name no technology in a Chinese label */
const SHORT_LATIN = /^[a-z]{1,2}$/

/** The words most over-represented in each cluster (mean tf-idf inside minus mean overall), bigrams left out. */
export function clusterTerms(X: TfIdf, assign: Int32Array, k: number, top = 5): string[][] {
  const V = X.vocab.length
  const inside = Array.from({ length: k }, () => new Float64Array(V))
  const all = new Float64Array(V)
  const size = new Int32Array(k)
  for (let i = 0; i < X.n; i++) {
    const c = assign[i]!
    size[c]!++
    for (let e = X.rowPtr[i]!; e < X.rowPtr[i + 1]!; e++) {
      inside[c]![X.cols[e]!]! += X.vals[e]!
      all[X.cols[e]!]! += X.vals[e]!
    }
  }
  const words = [...Array(V).keys()].filter((j) => !X.vocab[j]!.startsWith('\u0001') && !LABEL_STOP.has(X.vocab[j]!) && !SHORT_LATIN.test(X.vocab[j]!))
  return inside.map((w, c) => {
    if (!size[c]) return []
    return words
      .map((j) => ({ j, s: w[j]! / size[c]! - all[j]! / X.n }))
      .sort((a, b) => b.s - a.s || a.j - b.j)
      .slice(0, top)
      .map((x) => X.vocab[x.j]!)
  })
}

const FIT_SAMPLE = 2000
/** neighbours each document leans on (smoothKnn) */
export const KNN = 10
/** small groups per cluster before Ward's merge (overclusterWard) */
export const GROUPS_PER_CLUSTER = 4

/** `m` of 0..n-1, seeded, ascending. */
function sampleOf(n: number, m: number, seed: number): number[] {
  const r = rng(seed ^ 0x68e31da4)
  const idx = [...Array(n).keys()]
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(r() * (n - i))
    ;[idx[i], idx[j]] = [idx[j]!, idx[i]!]
  }
  return idx.slice(0, m).sort((a, b) => a - b)
}

/** Clusters documents; deterministic for a given document order and seed. */
export function clusterDocs(docs: ClusterDoc[], o: ClusterOptions = {}): Clustering {
  const seed = o.seed ?? 42
  const n = docs.length
  if (n < 3) {
    return { k: 1, criterion: '文献过少，不聚类', assign: new Int32Array(n), terms: [[]], sims: new Float64Array(n).fill(1), coords: docs.map(() => [0, 0]) }
  }
  const X = tfidf(docs, o.titleWeight ?? 1)
  // a large corpus: the directions are found on a seeded sample and every document projected on them
  const lsaOut = lsa(X, o.dims ?? 100, seed, 2, n > FIT_SAMPLE ? sampleOf(n, FIT_SAMPLE, seed) : undefined)
  const d = lsaOut.d
  const Z = smoothKnn(X, lsaOut.Z, d, o.knn ?? KNN, o.beta ?? 2, seed, n > 4000 ? 400 : 2000)
  let k: number
  let criterion: string
  let scores: { k: number; silhouette: number }[] | undefined
  if (o.k) {
    k = Math.min(o.k, n - 1)
    criterion = `k = ${k}（指定）`
  } else {
    // candidates: from about sqrt(n / 10) (at least 4, at most 10) to twice that (at most 20, and n / 5)
    const base = Math.min(10, Math.max(4, Math.round(Math.sqrt(n / 10))))
    const kMin = Math.min(o.kMin ?? base, n - 1)
    const kMax = Math.max(kMin, Math.min(o.kMax ?? 2 * base, 20, Math.floor(n / 5)))
    const chosen = chooseK(Z, n, d, kMin, kMax, seed)
    k = chosen.k
    scores = chosen.scores
    criterion = `k = ${k}：候选 ${kMin}–${kMax} 个主题中简化轮廓系数（余弦）最高`
  }
  const run = overclusterWard(Z, lsaOut.Z, n, d, k, seed, o.restarts ?? (n > 5000 ? 1 : 2), o.groups)
  return { k, criterion, assign: run.assign, terms: clusterTerms(X, run.assign, k, 8), sims: run.sims, coords: project2d(Z, n, d, run.assign, k), scores }
}

/**
 * clusterDocs on a worker thread (the CPU work of a large report must not block the thread that answers HTTP);
 * small inputs, or a worker that cannot start, run here. Same result either way.
 */
export async function clusterDocsOffThread(docs: ClusterDoc[], o: ClusterOptions = {}, minDocs = 300): Promise<Clustering> {
  if (docs.length < minDocs) return clusterDocs(docs, o)
  try {
    return await new Promise<Clustering>((resolve, reject) => {
      const w = new Worker(new URL('./cluster-worker.mjs', import.meta.url), { workerData: { docs, opts: o } })
      w.once('message', (m: { ok: boolean; result?: Clustering & { assign: number[]; sims: number[] }; error?: string }) => {
        void w.terminate()
        if (!m.ok) return reject(new Error(m.error))
        const r = m.result!
        resolve({ ...r, assign: Int32Array.from(r.assign), sims: Float64Array.from(r.sims) })
      })
      w.once('error', reject)
      w.once('exit', (code) => reject(new Error(`cluster worker exited (${code})`)))
    })
  } catch {
    return clusterDocs(docs, o)
  }
}

// ---- quality against labels ----

/** Normalised mutual information (arithmetic mean of the entropies, as scikit-learn's default) and purity. */
export function clusterQuality(pred: ArrayLike<number>, truth: ArrayLike<number>): { nmi: number; purity: number } {
  const n = pred.length
  const joint = new Map<string, number>()
  const pc = new Map<number, number>()
  const tc = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const p = pred[i]!
    const t = truth[i]!
    joint.set(`${p}:${t}`, (joint.get(`${p}:${t}`) ?? 0) + 1)
    pc.set(p, (pc.get(p) ?? 0) + 1)
    tc.set(t, (tc.get(t) ?? 0) + 1)
  }
  const H = (m: Map<number, number>) => -[...m.values()].reduce((s, c) => s + (c / n) * Math.log(c / n), 0)
  let mi = 0
  for (const [key, c] of joint) {
    const [p, t] = key.split(':').map(Number) as [number, number]
    mi += (c / n) * Math.log((c * n) / (pc.get(p)! * tc.get(t)!))
  }
  const hp = H(pc)
  const ht = H(tc)
  const nmi = hp + ht > 0 ? (2 * mi) / (hp + ht) : 1
  const best = new Map<number, number>()
  for (const [key, c] of joint) {
    const p = Number(key.split(':')[0])
    best.set(p, Math.max(best.get(p) ?? 0, c))
  }
  const purity = [...best.values()].reduce((s, c) => s + c, 0) / n
  return { nmi, purity }
}
