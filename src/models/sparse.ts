// Sparse term vectors over the exact vocabulary (hashed into 2^20 dimensions, where collisions are rare).
// Documents store sublinear term frequencies only (L2-normalised); the query carries idf^2 from the catalogue's own
// document frequencies (matching/term-stats.ts), so stored vectors never go stale as the catalogue grows.
// Measured on patents-cls-dev (exact scan, no feedback): this scores nDCG@10 0.301, tf-idf cosine with the same
// corpus idf 0.296, and with jieba's general idf table 0.259.
import { type Analysis, analyze, idfTable } from '../text/analyze'
import { countsOf, fnv1a, termCounts } from './hash-embedder'

export const SPARSE_DIM = 1_048_576
/** pgvector indexes sparse vectors of at most 1,000 non-zero elements: keep the heaviest. */
export const SPARSE_MAX_NNZ = 1000
/** Title terms count this many times: titles name the technology (chosen on the patents dev split, see README). */
export const TITLE_WEIGHT = 3

/**
 * Each document is also posted under its POSTINGS_PER_DOC most telling words (weight x jieba idf) in an inverted
 * index ordered by weight (`<table>_postings`), which finds the sparse stage's candidates without scanning every row
 * that shares a common word with the query (see matching/retrieve.ts). 64: a document of up to 64 distinct words (a
 * patent abstract, most listings) posts all of them. With 32, the index found 0.95 of zhibei-dev's relevant pairs in its
 * top 100 (an exhaustive scan 0.99) and lost 0.014 condensed nDCG@10 to it; with 64, 0.97 (README). patents-cls-dev
 * scored the same with 32, 48, 64 or 96.
 */
export const POSTINGS_PER_DOC = 64

/**
 * Version of the layout of the stored sparse vector and its postings, recorded on each row (`index_version`). Rows
 * with another version are indexed again at start (runtime.ts). 1: 32 postings per document; 2: 64.
 */
export const INDEX_VERSION = 2

export interface SparseVector {
  indices: number[] // 0-based, ascending
  values: number[]
  /** the indices posted in the inverted index (documents only) */
  posted?: number[]
}

const NUMERIC = /^[\d.%+-]+$/
export const wordIndex = (word: string) => fnv1a(word, 0) % SPARSE_DIM

/** `maxPosted`: how many words a document posts (a query keeps all its words: they are what it can look up). */
export function sparseFromAnalysis(text: Pick<Analysis, 'text' | 'tokens'>, title?: Pick<Analysis, 'text' | 'tokens'>, maxPosted = POSTINGS_PER_DOC): SparseVector {
  const own = countsOf(text)
  const counts = title && TITLE_WEIGHT > 1 ? termCounts(title, TITLE_WEIGHT - 1, { words: new Map(own.words), bigrams: new Map(own.bigrams) }) : own
  const acc = new Map<number, number>()
  const add = (ix: number, n: number) => acc.set(ix, (acc.get(ix) ?? 0) + 1 + Math.log(n))
  for (const [w, n] of counts.words) add(fnv1a(w, 0) % SPARSE_DIM, n)
  for (const [h, n] of counts.bigrams) add(h % SPARSE_DIM, n)
  let entries = [...acc]
  if (entries.length > SPARSE_MAX_NNZ) entries = entries.sort((a, b) => b[1] - a[1]).slice(0, SPARSE_MAX_NNZ)
  entries.sort((a, b) => a[0] - b[0])
  const norm = Math.sqrt(entries.reduce((s, [, v]) => s + v * v, 0)) || 1
  // words to post: numbers and single characters say little; rank by weight x idf (jieba's table, fixed, so a
  // document's postings never depend on when it was indexed)
  const { map: idf, median } = idfTable()
  const posted = [...counts.words.keys()]
    .filter((w) => w.length >= 2 && !NUMERIC.test(w))
    .map((w) => {
      const ix = fnv1a(w, 0) % SPARSE_DIM
      return { ix, score: (acc.get(ix) ?? 0) * (idf.get(w) ?? median) }
    })
  const kept = new Set(entries.map(([i]) => i))
  return {
    indices: entries.map(([i]) => i),
    values: entries.map(([, v]) => Math.round((v / norm) * 1e6) / 1e6),
    posted: [...new Set(posted.filter((x) => kept.has(x.ix)).sort((a, b) => b.score - a.score || a.ix - b.ix).map((x) => x.ix))].slice(0, maxPosted),
  }
}

/** The posted entries of documents as parallel arrays (owner, term, weight), ready for unnest() in one statement. */
export function postingsOf(docs: { owner: string; sparse: SparseVector }[]): { owners: string[]; terms: number[]; weights: number[] } {
  const owners: string[] = []
  const terms: number[] = []
  const weights: number[] = []
  for (const { owner, sparse: v } of docs) {
    const at = new Map(v.indices.map((i, k) => [i, v.values[k]!]))
    for (const t of v.posted ?? []) {
      if (!at.has(t)) continue
      owners.push(owner)
      terms.push(t)
      weights.push(at.get(t)!)
    }
  }
  return { owners, terms, weights }
}

export const sparseVector = (text: string, title?: string) => sparseFromAnalysis(analyze(text), title ? analyze(title) : undefined)

/** pgvector literal: {i:v,...}/dim with 1-based indices. */
export function toSparseLiteral(v: SparseVector): string {
  return '{' + v.indices.map((i, k) => `${i + 1}:${v.values[k]}`).join(',') + `}/${SPARSE_DIM}`
}

/** Parses pgvector's sparsevec text form (or the pgvector package's SparseVector) back to 0-based indices. */
export function parseSparse(v: unknown): SparseVector {
  if (v && typeof v === 'object' && 'indices' in v && 'values' in v) {
    const sv = v as { indices: (number | null)[]; values: (number | null)[] }
    // an empty sparsevec ("{}/n", text with no indexable word) comes back from the driver as indices [null]
    const keep = sv.indices.flatMap((ix, k) => (Number.isFinite(ix) && Number.isFinite(sv.values[k]) ? [k] : []))
    return { indices: keep.map((k) => sv.indices[k] as number), values: keep.map((k) => sv.values[k] as number) }
  }
  const s = String(v)
  const body = s.slice(s.indexOf('{') + 1, s.indexOf('}'))
  const indices: number[] = []
  const values: number[] = []
  for (const part of body.split(',')) {
    if (!part) continue
    const [i, x] = part.split(':')
    indices.push(Number(i) - 1)
    values.push(Number(x))
  }
  return { indices, values }
}

/** Only the (0-based) indices of pgvector's sparsevec text form, fast: document frequencies need nothing else. */
export function sparseIndicesOf(text: string): number[] {
  const out: number[] = []
  const end = text.indexOf('}')
  let i = text.indexOf('{') + 1
  while (i > 0 && i < end) {
    let n = 0
    for (let c = text.charCodeAt(i); c !== 58 && i < end; c = text.charCodeAt(++i)) n = n * 10 + (c - 48) // up to ':'
    out.push(n - 1)
    i = text.indexOf(',', i)
    if (i < 0) break
    i++
  }
  return out
}

/** The query side: each term's weight times idf^2, L2-normalised (idf from the catalogue's document frequencies). */
export function weightQuery(q: SparseVector, idf: (index: number) => number): SparseVector {
  const values = q.values.map((v, k) => v * idf(q.indices[k]!) ** 2)
  const norm = Math.sqrt(values.reduce((s, x) => s + x * x, 0)) || 1
  return { indices: q.indices, values: values.map((v) => v / norm) }
}

/** Pseudo-relevance feedback (Rocchio): the query plus `beta` times the mean of the top documents, L2-normalised. */
export function expandQuery(q: SparseVector, docs: SparseVector[], beta = 2): SparseVector {
  const acc = new Map<number, number>()
  q.indices.forEach((i, k) => acc.set(i, q.values[k]!))
  for (const d of docs) d.indices.forEach((i, k) => acc.set(i, (acc.get(i) ?? 0) + (beta / docs.length) * d.values[k]!))
  const entries = [...acc].sort((a, b) => a[0] - b[0])
  const norm = Math.sqrt(entries.reduce((s, [, v]) => s + v * v, 0)) || 1
  return { indices: entries.map(([i]) => i), values: entries.map(([, v]) => v / norm) }
}
