// Query building: what a run looks up, from free text (search, eval) or from a stored row (its vectors and keywords).
import { ConflictError } from '../errors'
import type { Embedder } from '../models'
import { parseSparse, sparseFromAnalysis, type SparseVector, wordIndex } from '../models/sparse'
import { analyze, searchTokens, tokenize } from '../text/analyze'
import type { Vectors } from './store'

export interface MatchQuery {
  embedding: number[]
  sparse: SparseVector
  /** full-text words (the title's search tokens first, then the keywords) */
  terms: string[]
}

const MAX_TERMS = 40

/** `embedder` null: no query embedding (no dense source will read it; with a remote model that saves a call per query). */
export async function queryFromText(embedder: Embedder | null, text: string, title?: string): Promise<MatchQuery> {
  const full = title ? `${title}\n${text}` : text
  const a = analyze(full)
  const embedding = embedder ? await embedder.embedQuery(full) : []
  return {
    embedding,
    sparse: sparseFromAnalysis(a, title ? analyze(title) : undefined, Infinity),
    terms: [...new Set([...searchTokens(title ?? ''), ...a.terms.map((t) => t.term)])].slice(0, MAX_TERMS),
  }
}

export function queryFromRow(row: { title: string; body: string } & Vectors): MatchQuery {
  if (!row.embedding || !row.sparse) throw new ConflictError('This item is not indexed yet; matching runs when indexing finishes / 尚未完成索引')
  const terms = [...new Set([...searchTokens(row.title), ...(row.terms ?? []).map((t) => t.term)])].slice(0, MAX_TERMS)
  // the stored vector's words (not its bigrams) are what it can look up in the inverted index
  const words = tokenize(`${row.title}\n${row.body}`).map(wordIndex)
  return { embedding: row.embedding, sparse: { ...parseSparse(row.sparse), posted: words }, terms }
}
