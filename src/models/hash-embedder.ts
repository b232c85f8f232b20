// Offline, deterministic embedder: jieba tokens + CJK character bigrams, sublinear tf x idf, signed feature hashing, L2.
import { Embeddings } from '@langchain/core/embeddings'
import { type Analysis, analyze, idfTable, STOP_WORDS } from '../text/analyze'

/** FNV-1a 32-bit over a string, with a seed so words and bigrams hash apart. */
export function fnv1a(s: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

const isCjk = (c: number) => c >= 0x3400 && c <= 0x9fff
const WORD = 0
export const BIGRAM = 0x5bd1e995

export interface TermCounts {
  words: Map<string, number>
  /** by the bigram's FNV-1a hash (seeded apart from words): the same value as fnv1a(bigram, BIGRAM), without a string */
  bigrams: Map<number, number>
}

/** Term counts of an analysed text: words (stop words left out) and CJK character bigrams. */
export function termCounts(a: Pick<Analysis, 'text' | 'tokens'>, times = 1, into?: TermCounts): TermCounts {
  const words = into?.words ?? new Map<string, number>()
  const bigrams = into?.bigrams ?? new Map<number, number>()
  for (const t of a.tokens) if (!STOP_WORDS.has(t)) words.set(t, (words.get(t) ?? 0) + times)
  const s = a.text
  for (let i = 0; i + 1 < s.length; i++) {
    const c1 = s.charCodeAt(i)
    const c2 = s.charCodeAt(i + 1)
    if (isCjk(c1) && isCjk(c2)) {
      const h = Math.imul(Math.imul((0x811c9dc5 ^ BIGRAM) ^ c1, 0x01000193) ^ c2, 0x01000193) >>> 0
      bigrams.set(h, (bigrams.get(h) ?? 0) + times)
    }
  }
  return { words, bigrams }
}

const memo = new WeakMap<object, TermCounts>()
/** The term counts of an analysis, computed once (the embedder and the sparse vector both need them). */
export function countsOf(a: Pick<Analysis, 'text' | 'tokens'>): TermCounts {
  let c = memo.get(a)
  if (!c) memo.set(a, (c = termCounts(a)))
  return c
}

/** Weighted, hashed features: word -> (1 + ln tf) * idf; CJK bigrams at half the median idf. */
export function weightedFeatures(counts: TermCounts): { hashes: number[]; weights: number[] } {
  const { map: idf, median } = idfTable()
  const hashes: number[] = []
  const weights: number[] = []
  for (const [w, n] of counts.words) {
    hashes.push(fnv1a(w, WORD))
    weights.push((1 + Math.log(n)) * (idf.get(w) ?? median))
  }
  const bw = median * 0.5
  for (const [h, n] of counts.bigrams) {
    hashes.push(h)
    weights.push((1 + Math.log(n)) * bw)
  }
  return { hashes, weights }
}

export const features = (a: Pick<Analysis, 'text' | 'tokens'>) => weightedFeatures(countsOf(a))

export function hashEmbedAnalysis(a: Pick<Analysis, 'text' | 'tokens'>, dim: number): number[] {
  const v = new Float64Array(dim)
  const { hashes, weights } = features(a)
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i]!
    v[h % dim]! += h & 0x80000000 ? -weights[i]! : weights[i]!
  }
  let norm = 0
  for (let i = 0; i < dim; i++) norm += v[i]! * v[i]!
  norm = Math.sqrt(norm) || 1
  const out = new Array<number>(dim)
  for (let i = 0; i < dim; i++) out[i] = Math.round((v[i]! / norm) * 1e6) / 1e6
  return out
}

export const hashEmbed = (text: string, dim: number) => hashEmbedAnalysis(analyze(text), dim)

export class HashEmbedder extends Embeddings {
  readonly modelId: string
  /** computed in-process from the analysis, so imports embed as they write instead of in a second pass */
  readonly local = true
  constructor(readonly dim: number) {
    super({})
    this.modelId = `hash-v1-${dim}`
  }
  embedAnalysis(a: Analysis): number[] {
    return hashEmbedAnalysis(a, this.dim)
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => hashEmbed(t, this.dim))
  }
  async embedQuery(text: string): Promise<number[]> {
    return hashEmbed(text, this.dim)
  }
}
