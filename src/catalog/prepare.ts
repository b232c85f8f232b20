// The CPU half of writing catalogue rows: derived values (hashes, natural key) and, with a local embedder, the text
// analysis and vectors. Pure functions, so a worker thread can run them (prepare-pool.ts) while the database writes.
import type { Embedder } from '../models'
import { sparseFromAnalysis } from '../models/sparse'
import { analyze, contentHash } from '../text/analyze'
import { type Fields, type Kind, kindDef, type KindDef } from './kinds'
import { type IndexData, type Prepared, recordHash } from './store'

/** Derived values of a validated record: hashes and natural key. */
export function prepareRecord(def: KindDef, fields: Fields): Prepared {
  const prepared = def.prepare ? def.prepare(fields) : fields
  const record: Record<string, unknown> = prepared
  const values: Record<string, unknown> = {}
  for (const c of def.columns) values[c] = record[c] ?? null
  // the text of the stored columns (a field left out reads as null there, and as undefined here: the same text)
  const text = def.text(prepared)
  const ch = contentHash([text])
  const naturalKey =
    def.keyColumn === 'publication_number'
      ? String(values.publication_number)
      : values.external_id
        ? `x:${values.external_id}`
        : `h:${contentHash([String(values.title ?? ''), text])}`
  return { values, contentHash: ch, recordHash: recordHash(values), naturalKey }
}

/** The analysis of a row's text, and its sparse vector (title terms weighted up). */
export function analyzeRow(def: KindDef, row: Fields) {
  const analysis = analyze(def.text(row))
  const sparse = sparseFromAnalysis(analysis, analyze(String(row.title ?? '')))
  return { analysis, sparse }
}

/** Analysis and vector for a record when the embedder is local (else the index job computes them). */
function localIndex(def: KindDef, record: Fields, embedder: Embedder): IndexData | undefined {
  if (!embedder.local || !embedder.embedAnalysis) return undefined
  const { analysis, sparse } = analyzeRow(def, def.prepare ? def.prepare(record) : record)
  return { tokenText: analysis.tokenText, terms: analysis.terms, embedding: embedder.embedAnalysis(analysis), sparse, model: embedder.modelId }
}

/** Validated records -> prepared rows, deduplicated by natural key (the last wins). */
export function prepareBatch(kind: Kind, records: Fields[], embedder: Embedder): Prepared[] {
  const def = kindDef(kind)
  const byKey = new Map<string, { prepared: Prepared; record: Fields }>()
  for (const record of records) {
    const prepared = prepareRecord(def, record)
    byKey.set(prepared.naturalKey, { prepared, record })
  }
  const out = [...byKey.values()]
  for (const { prepared, record } of out) prepared.index = localIndex(def, record, embedder)
  return out.map((x) => x.prepared)
}
