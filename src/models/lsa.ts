// Latent semantic analysis in plain TypeScript: a truncated SVD (randomized range finder, power iterations) of the
// catalogue's tf-idf matrix, over the same sparse term vectors the sparse stage stores (models/sparse.ts). A text is
// embedded as its tf-idf vector times the term components, L2-normalised, so documents and queries go through one
// function. The eigen solver and the seeded generator are the navigation clustering's (navigation/cluster.ts). Measured as a dense source on zhibei-dev (`npm run eval -- dense-study`, README): it lowered the ranking,
// so no provider serves it; the module is what a fitted corpus embedding would be built on.
import { rng, symmetricEigen } from '../navigation/cluster'
import type { SparseVector } from './sparse'

export interface LsaModel {
  dim: number
  /** sparse index -> row of `components` */
  rows: Map<number, number>
  idf: Float64Array
  /** rows x dim, row-major */
  components: Float64Array
  singular: number[]
}

export interface LsaOptions {
  dim: number
  /** terms in fewer documents are left out (a term in one document relates nothing) */
  minDf?: number
  /** which sparse indices may be terms (e.g. words only) */
  keep?: (index: number) => boolean
  power?: number
  oversample?: number
  seed?: number
}

interface Csr { rows: number; cols: number; ptr: Int32Array; idx: Int32Array; val: Float64Array }

/** A (n x m) times M (m x l), row-major. */
function mul(A: Csr, M: Float64Array, l: number): Float64Array {
  const out = new Float64Array(A.rows * l)
  for (let i = 0; i < A.rows; i++) {
    for (let p = A.ptr[i]!; p < A.ptr[i + 1]!; p++) {
      const j = A.idx[p]! * l
      const v = A.val[p]!
      for (let c = 0; c < l; c++) out[i * l + c]! += v * M[j + c]!
    }
  }
  return out
}

/** A^T (m x n) times M (n x l), row-major. */
function mulT(A: Csr, M: Float64Array, l: number): Float64Array {
  const out = new Float64Array(A.cols * l)
  for (let i = 0; i < A.rows; i++) {
    for (let p = A.ptr[i]!; p < A.ptr[i + 1]!; p++) {
      const j = A.idx[p]! * l
      const v = A.val[p]!
      for (let c = 0; c < l; c++) out[j + c]! += v * M[i * l + c]!
    }
  }
  return out
}

/** Orthonormal columns (modified Gram-Schmidt), in place. */
function orthonormalize(M: Float64Array, n: number, l: number): void {
  for (let c = 0; c < l; c++) {
    for (let d = 0; d < c; d++) {
      let dot = 0
      for (let i = 0; i < n; i++) dot += M[i * l + c]! * M[i * l + d]!
      for (let i = 0; i < n; i++) M[i * l + c]! -= dot * M[i * l + d]!
    }
    let norm = 0
    for (let i = 0; i < n; i++) norm += M[i * l + c]! ** 2
    norm = Math.sqrt(norm) || 1
    for (let i = 0; i < n; i++) M[i * l + c]! /= norm
  }
}

/** tf-idf of a stored sparse vector (its values are sublinear term frequencies) over the model's terms, L2-normalised. */
function tfidf(v: SparseVector, rows: Map<number, number>, idf: Float64Array): [number, number][] {
  const out: [number, number][] = []
  let norm = 0
  v.indices.forEach((ix, k) => {
    const r = rows.get(ix)
    if (r === undefined) return
    const x = v.values[k]! * idf[r]!
    out.push([r, x])
    norm += x * x
  })
  norm = Math.sqrt(norm) || 1
  return out.map(([r, x]) => [r, x / norm])
}

/** Fits the term components of a rank-`dim` LSA of the documents' tf-idf matrix. */
export function fitLsa(docs: SparseVector[], o: LsaOptions): LsaModel {
  const df = new Map<number, number>()
  for (const d of docs) for (const ix of d.indices) if (!o.keep || o.keep(ix)) df.set(ix, (df.get(ix) ?? 0) + 1)
  const rows = new Map<number, number>()
  for (const [ix, n] of [...df].sort((a, b) => a[0] - b[0])) if (n >= (o.minDf ?? 2)) rows.set(ix, rows.size)
  const idf = new Float64Array(rows.size)
  for (const [ix, r] of rows) idf[r] = Math.log((docs.length + 1) / (df.get(ix)! + 1)) + 1
  const weighted = docs.map((d) => tfidf(d, rows, idf).sort((a, b) => a[0] - b[0]))
  const nnz = weighted.reduce((s, w) => s + w.length, 0)
  const A: Csr = { rows: docs.length, cols: rows.size, ptr: new Int32Array(docs.length + 1), idx: new Int32Array(nnz), val: new Float64Array(nnz) }
  let p = 0
  weighted.forEach((w, i) => {
    for (const [r, x] of w) {
      A.idx[p] = r
      A.val[p++] = x
    }
    A.ptr[i + 1] = p
  })
  const dim = Math.min(o.dim, A.rows, A.cols)
  const l = Math.min(dim + (o.oversample ?? 16), A.rows, A.cols)
  const rnd = rng(o.seed ?? 1)
  const omega = new Float64Array(A.cols * l)
  for (let i = 0; i < omega.length; i++) omega[i] = Math.sqrt(-2 * Math.log(Math.max(rnd(), 1e-12))) * Math.cos(2 * Math.PI * rnd())
  let Q = mul(A, omega, l)
  orthonormalize(Q, A.rows, l)
  for (let it = 0; it < (o.power ?? 2); it++) {
    const Z = mulT(A, Q, l)
    orthonormalize(Z, A.cols, l)
    Q = mul(A, Z, l)
    orthonormalize(Q, A.rows, l)
  }
  // B = Q^T A (l x cols), held as B^T; B B^T = U S^2 U^T gives the right singular vectors V = B^T U S^-1
  const Bt = mulT(A, Q, l)
  const S = new Float64Array(l * l)
  for (let j = 0; j < A.cols; j++) {
    for (let a = 0; a < l; a++) {
      const x = Bt[j * l + a]!
      if (!x) continue
      for (let b = a; b < l; b++) S[a * l + b]! += x * Bt[j * l + b]!
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) S[a * l + b] = S[b * l + a]!
  const { values, vectors } = symmetricEigen(S, l)
  const singular = Array.from(values.slice(0, dim), (x) => Math.sqrt(Math.max(x, 0)))
  const components = new Float64Array(A.cols * dim)
  for (let j = 0; j < A.cols; j++) {
    for (let c = 0; c < dim; c++) {
      if (!singular[c]) continue
      let s = 0
      // eigenvectors are the columns of `vectors` (l x l, row-major)
      for (let a = 0; a < l; a++) s += Bt[j * l + a]! * vectors[a * l + c]!
      components[j * dim + c] = s / singular[c]!
    }
  }
  return { dim, rows, idf, components, singular }
}

/** A text's LSA embedding from its sparse vector: tf-idf times the term components, L2-normalised (zeros if no known term). */
export function embedLsa(m: LsaModel, v: SparseVector): number[] {
  const e = new Float64Array(m.dim)
  for (const [r, x] of tfidf(v, m.rows, m.idf)) for (let c = 0; c < m.dim; c++) e[c]! += x * m.components[r * m.dim + c]!
  let norm = 0
  for (const x of e) norm += x * x
  norm = Math.sqrt(norm) || 1
  return Array.from(e, (x) => x / norm)
}
