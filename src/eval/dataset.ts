// BEIR datasets for `npm run eval`: files, and how their metadata maps onto the catalogue's fields.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parseMaturity, parseTransferModes } from '../catalog/fields'
import { parseQrels, type Qrels } from '../matching/metrics'

export interface BeirDoc {
  _id: string
  title?: string
  text: string
  metadata?: Record<string, unknown>
}

export interface Dataset {
  dir: string
  corpus: BeirDoc[]
  queries: BeirDoc[]
  qrels: Qrels
  qrelFile: string
  /** `dataset.json`: which kinds the corpus and the queries are loaded as (default: patents, free-text queries) */
  corpusKind: 'patent' | 'achievement'
  queryKind: 'text' | 'need'
}

const readJsonl = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))

export function readDataset(dir: string, split?: string): Dataset {
  const spec = existsSync(path.join(dir, 'dataset.json')) ? JSON.parse(readFileSync(path.join(dir, 'dataset.json'), 'utf8')) : {}
  const qrelFile = split ? `${split}.tsv` : spec.qrels ? path.basename(spec.qrels) : readdirSync(path.join(dir, 'qrels')).filter((f) => f.endsWith('.tsv')).sort()[0]!
  return {
    dir,
    corpus: readJsonl(path.join(dir, 'corpus.jsonl')),
    queries: readJsonl(path.join(dir, 'queries.jsonl')),
    qrels: parseQrels(readFileSync(path.join(dir, 'qrels', qrelFile), 'utf8')),
    qrelFile,
    corpusKind: spec.corpus_kind === 'achievement' ? 'achievement' : 'patent',
    queryKind: spec.query_kind === 'need' ? 'need' : 'text',
  }
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined)

/** "name。description": the part before the first 。 (when short enough) is the title. */
export function splitTitle(text: string): { title?: string; body: string } {
  const cut = text.indexOf('。')
  return cut > 0 && cut <= 200 ? { title: text.slice(0, cut), body: text.slice(cut + 1) } : { body: text }
}

/**
 * A corpus document as an achievement record: 技术领域 (`industry` of the listing, e.g. 新材料-复合材料) -> field,
 * national industry classification (制造业——医药制造业) -> industry, maturity and cooperation modes parsed like an import.
 * Patent status (专利/非专利技术) has no achievement column and is left out; "其他" as a cooperation mode says nothing.
 */
export function achievementRecord(d: BeirDoc): Record<string, unknown> {
  const m = d.metadata ?? {}
  const modes = str(m.cooperationMethod) ? parseTransferModes(String(m.cooperationMethod)) : []
  return {
    external_id: d._id,
    title: (d.title || d.text.slice(0, 60)).slice(0, 200),
    summary: d.text,
    field: str(m.industry) ?? null,
    industry: str(m.classification) ?? null,
    maturity: str(m.maturity) ? parseMaturity(String(m.maturity)) : null,
    transfer_modes: modes.filter((x) => x !== 'other'),
    status: 'active',
  }
}

export function patentRecord(d: BeirDoc): Record<string, unknown> {
  const assignee = str(d.metadata?.assignee)
  return { publication_number: d._id, title: (d.title || d.text.slice(0, 60)).slice(0, 200), abstract: d.text, applicants: assignee ? [assignee] : [] }
}

/** A query as an open need: title and description from "name。description", industry and cooperation modes from metadata. */
export function needRecord(q: BeirDoc): Record<string, unknown> {
  const m = q.metadata ?? {}
  const { title, body } = splitTitle(q.text)
  const modes = str(m.cooperationMethod) ? parseTransferModes(String(m.cooperationMethod)) : []
  return {
    external_id: q._id,
    title: (title ?? q.text.slice(0, 60)).slice(0, 200),
    description: title ? body : q.text,
    industry: str(m.classification) ?? null,
    cooperation_modes: modes.filter((x) => x !== 'other'),
    visibility: 'platform',
    status: 'open',
  }
}
