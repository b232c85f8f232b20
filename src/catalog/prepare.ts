// The CPU half of writing catalogue rows: derived values (hashes, natural key) and, with a local embedder, the text
// analysis and vectors. Pure functions, so a worker thread can run them (prepare-pool.ts) while the database writes.
import type { Embedder } from '../models'
import { sparseFromAnalysis } from '../models/sparse'
import { analyze, contentHash } from '../text/analyze'
import { type Kind, KIND_DEFS, type KindDef } from './kinds'
import { type IndexData, type Prepared, recordHash } from './store'

/** Derived values of a validated record: hashes and natural key. */
export function prepareRecord(def: KindDef, fields: Record<string, unknown>): Prepared {
  const values: Record<string, unknown> = {}
  const prepared = def.prepare ? def.prepare(fields) : fields
  for (const c of def.columns) values[c] = prepared[c] ?? null
  const ch = contentHash([def.text(values)])
  const naturalKey =
    def.keyColumn === 'publication_number'
      ? String(values.publication_number)
      : values.external_id
        ? `x:${values.external_id}`
        : `h:${contentHash([String(values.title ?? ''), def.text(values)])}`
  return { values, contentHash: ch, recordHash: recordHash(values), naturalKey }
}

/** The analysis of a row's text, and its sparse vector (title terms weighted up). */
export function analyzeRow(def: KindDef, values: Record<string, unknown>) {
  const analysis = analyze(def.text(values))
  const sparse = sparseFromAnalysis(analysis, analyze(String(values.title ?? '')))
  return { analysis, sparse }
}

/** Analysis and vector for a record when the embedder is local (else the index job computes them). */
function localIndex(def: KindDef, values: Record<string, unknown>, embedder: Embedder): IndexData | undefined {
  if (!embedder.local || !embedder.embedAnalysis) return undefined
  const { analysis, sparse } = analyzeRow(def, values)
  return { tokenText: analysis.tokenText, terms: analysis.terms, embedding: embedder.embedAnalysis(analysis), sparse, model: embedder.modelId }
}

/** Validated records -> prepared rows, deduplicated by natural key (the last wins). */
export function prepareBatch(kind: Kind, records: Record<string, unknown>[], embedder: Embedder): Prepared[] {
  const def = KIND_DEFS[kind]
  const byKey = new Map<string, Prepared>()
  for (const r of records) {
    const p = prepareRecord(def, r)
    byKey.set(p.naturalKey, p)
  }
  const out = [...byKey.values()]
  for (const p of out) p.index = localIndex(def, p.values, embedder)
  return out
}
