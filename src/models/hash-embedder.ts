// Offline, deterministic embedder: jieba tokens + CJK character bigrams, sublinear tf x idf, signed feature hashing, L2.
import { Embeddings } from '@langchain/core/embeddings'
import { idfTable, normalize, STOP_WORDS, tokenize } from '../text/analyze'

/** FNV-1a 32-bit: fast, stable across processes and platforms. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

const CJK = /[\u3400-\u9fff]/

/** Weighted features of a text: word -> (1 + ln tf) * idf, plus bigrams of CJK characters at a lower idf. */
export function textFeatures(text: string): Map<string, number> {
  const { map: idf, median } = idfTable()
  const tf = new Map<string, number>()
  for (const t of tokenize(text)) {
    if (STOP_WORDS.has(t)) continue
    tf.set('w:' + t, (tf.get('w:' + t) ?? 0) + 1)
  }
  const s = normalize(text)
  for (let i = 0; i + 1 < s.length; i++) {
    const a = s[i]!, b = s[i + 1]!
    if (CJK.test(a) && CJK.test(b)) tf.set('b:' + a + b, (tf.get('b:' + a + b) ?? 0) + 1)
  }
  const out = new Map<string, number>()
  for (const [f, n] of tf) {
    const w = f.startsWith('w:') ? (idf.get(f.slice(2)) ?? median) : median * 0.5
    out.set(f, (1 + Math.log(n)) * w)
  }
  return out
}

export function hashEmbed(text: string, dim: number): number[] {
  const v = new Float64Array(dim)
  for (const [f, w] of textFeatures(text)) {
    const h = fnv1a(f)
    v[h % dim]! += h & 0x80000000 ? -w : w
  }
  let norm = 0
  for (const x of v) norm += x * x
  norm = Math.sqrt(norm) || 1
  return Array.from(v, (x) => Math.round((x / norm) * 1e6) / 1e6)
}

export class HashEmbedder extends Embeddings {
  readonly modelId: string
  constructor(readonly dim: number) {
    super({})
    this.modelId = `hash-v1-${dim}`
  }
  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => hashEmbed(t, this.dim))
  }
  async embedQuery(text: string): Promise<number[]> {
    return hashEmbed(text, this.dim)
  }
}
