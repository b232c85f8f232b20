// Chinese text analysis: normalisation, jieba segmentation, tf-idf keywords. The dictionary loads once per process.
import { createHash } from 'node:crypto'
import { Jieba } from '@node-rs/jieba'
import { dict, idf } from '@node-rs/jieba/dict'

let jieba: Jieba | undefined
let idfTable_: { map: Map<string, number>; median: number } | undefined

function getJieba(): Jieba {
  jieba ??= Jieba.withDict(dict)
  return jieba
}

/** Boilerplate of patents and listings that says nothing about the technology. */
export const STOP_WORDS = new Set(
  `的 了 和 与 及 或 等 在 是 为 对 由 将 把 被 从 以 于 其 该 此 这 那 有 无 不 也 又 并 而 且 可 能 会 个 种 中 上 下 内 外 后 前 时
  一种 一个 本发明 本实用新型 本申请 发明 实用新型 所述 公开 包括 包含 设置 设有 采用 通过 实现 具有 进行 其中 以及 用于 使得 使用 利用 根据 提供
  涉及 属于 能够 可以 从而 方法 装置 系统 技术 领域 问题 结构 方面 部分 特征 步骤 得到 相应 相关 所示 如下 第一 第二 第三 之间 至少 多个 若干 一端 另一端
  基于 现有 目前 需要 要求 解决 主要 以上 以下 上述 下述 有效 提高 降低 一定 情况 作用 效果 优点 目的 我们 企业 公司 项目 产品`.split(/\s+/),
)

const PUNCT = /^[\p{P}\p{S}\p{Z}\s]+$/u

/** NFKC (full-width -> half-width, compatibility forms), unified whitespace, trimmed. */
export function normalize(text: string): string {
  return text.normalize('NFKC').replace(/[\u200b-\u200d\ufeff]/g, '').replace(/\s+/g, ' ').trim()
}

function clean(tokens: string[]): string[] {
  const out: string[] = []
  for (const t of tokens) {
    const w = t.trim().toLowerCase()
    if (!w || PUNCT.test(w)) continue
    out.push(w)
  }
  return out
}

/** Precise-mode words of a text as written (no normalisation, case kept), e.g. to trim a phrase at word boundaries. */
export function segment(text: string): string[] {
  return getJieba().cut(text, true)
}

/** Precise-mode tokens (for embeddings and tf-idf). */
export function tokenize(text: string): string[] {
  return clean(getJieba().cut(normalize(text), true))
}

/** Search-mode tokens (long words plus their sub-words), stop words removed, for the tsvector and keyword queries. */
export function searchTokens(text: string): string[] {
  return clean(getJieba().cutForSearch(normalize(text), true)).filter((t) => !STOP_WORDS.has(t))
}

/** jieba's idf table (word -> idf) and its median, for unknown words. */
export function idfTable(): { map: Map<string, number>; median: number } {
  if (!idfTable_) {
    const map = new Map<string, number>()
    const values: number[] = []
    for (const line of Buffer.from(idf).toString('utf8').split('\n')) {
      const sp = line.lastIndexOf(' ')
      if (sp <= 0) continue
      const v = Number(line.slice(sp + 1))
      map.set(line.slice(0, sp), v)
      values.push(v)
    }
    values.sort((a, b) => a - b)
    idfTable_ = { map, median: values[values.length >> 1] ?? 10 }
  }
  return idfTable_
}

export interface Term {
  term: string
  weight: number
}

const NUMERIC = /^[\d.%+-]+$/

/** Top-k keywords of precise-mode tokens by tf-idf with jieba's idf table; stop words, single characters and numbers left out. */
export function keywordsOf(tokens: string[], k = 12): Term[] {
  const { map, median } = idfTable()
  const tf = new Map<string, number>()
  for (const t of tokens) {
    if (t.length < 2 || STOP_WORDS.has(t) || NUMERIC.test(t)) continue
    tf.set(t, (tf.get(t) ?? 0) + 1)
  }
  const total = tokens.length || 1
  return [...tf]
    .map(([term, n]) => ({ term, weight: Math.round(((n * (map.get(term) ?? median)) / total) * 1000) / 1000 }))
    .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1))
    .slice(0, k)
}

export function keywords(text: string, k = 12): Term[] {
  return keywordsOf(tokenize(text), k)
}

export function contentHash(parts: (string | null | undefined)[]): string {
  return createHash('sha256').update(parts.map((p) => normalize(p ?? '')).join('\u241e')).digest('hex').slice(0, 32)
}

export interface Analysis {
  /** normalised text */
  text: string
  /** precise-mode tokens (embeddings, keywords) */
  tokens: string[]
  /** search-mode tokens joined by spaces, for to_tsvector('simple', ...) */
  tokenText: string
  terms: Term[]
}

/** Everything stored alongside an item's text, from two jieba passes. */
export function analyze(text: string): Analysis {
  const norm = normalize(text)
  const j = getJieba()
  const tokens = clean(j.cut(norm, true))
  const search = clean(j.cutForSearch(norm, true)).filter((t) => !STOP_WORDS.has(t))
  return { text: norm, tokens, tokenText: search.join(' '), terms: keywordsOf(tokens) }
}
