// Patent-navigation reports: the scope a caller asks for, and the shape of a built report.
import { z } from '@hono/zod-openapi'
import { LEGAL_STATUS, PATENT_TYPES } from '../catalog/fields'
import { isoDate } from '../catalog/zod'
import { safeText } from '../validation'

const word = (max: number) => safeText().trim().min(1).max(max)
const IPC_PREFIX = /^[A-H](\d{1,2}([A-Z](\d{1,4}(\/\d{0,6})?)?)?)?$/
/** An IPC prefix as stored codes start: "h01m 10/0" -> "H01M10/0". */
const ipcPrefix = () =>
  safeText()
    .trim()
    .min(1)
    .max(20)
    .transform((v) => v.normalize('NFKC').toUpperCase().replace(/\s+/g, ''))
    .refine((v) => IPC_PREFIX.test(v), { message: 'not an IPC prefix such as H01M or H01M10/05' })

export const Scope = z
  .object({
    need_id: z.uuid().optional().openapi({ description: 'a need: its most relevant patents by the matching pipeline' }),
    need_min_relevance: z.number().min(0).max(1).default(0.2).openapi({ description: 'need scope: minimum relevance (best candidate = 1)' }),
    need_limit: z.number().int().min(10).max(500).default(200).openapi({ description: 'need scope: at most this many patents' }),
    keywords: z.array(word(50)).max(20).default([]).openapi({ description: 'any of them in title, abstract or first claim' }),
    ipc: z.array(ipcPrefix()).max(20).default([]).openapi({ description: 'IPC prefixes, e.g. H01M or H01M10/05' }),
    applicants: z.array(word(200)).max(20).default([]).openapi({ description: 'applicant name contains any of them' }),
    date_from: isoDate().optional().openapi({ description: 'application date on or after' }),
    date_to: isoDate().optional().openapi({ description: 'application date on or before' }),
    patent_types: z.array(z.enum(PATENT_TYPES)).max(3).default([]),
    legal_status: z.array(z.enum(LEGAL_STATUS)).max(3).default([]),
  })
  .strict()
  .openapi('NavigationScope')
export type Scope = z.output<typeof Scope>

export const ReportCreate = z
  .object({
    title: safeText().trim().min(1).max(200).optional().openapi({ example: '固态电池专利导航' }),
    scope: Scope,
    /** clusters: a number, or automatic */
    k: z.number().int().min(2).max(60).optional().openapi({ description: 'number of technology topics (default: chosen from the data)' }),
  })
  .strict()
export type ReportCreate = z.output<typeof ReportCreate>

export const ConfirmBody = z
  .object({
    summary: safeText().trim().min(1).max(8000).optional().openapi({ description: 'the summary as edited by the manager (default: as drafted)' }),
  })
  .strict()

export const REPORT_STATUS = ['queued', 'running', 'completed', 'failed'] as const
export type ReportStatus = (typeof REPORT_STATUS)[number]

/** True when the scope names at least one criterion (an empty scope would be the whole catalogue by accident). */
export function scopeHasCriteria(s: Scope): boolean {
  return Boolean(
    s.need_id || s.keywords.length || s.ipc.length || s.applicants.length || s.date_from || s.date_to || s.patent_types.length || s.legal_status.length,
  )
}

export interface Count {
  name: string
  count: number
}

export interface YearRow {
  year: number
  applications: number
  grants: number
  applicants: number
}

export interface IpcRow {
  code: string
  count: number
  recent: number
  previous: number
  /** (recent - previous) / previous; null when previous is 0 */
  growth: number | null
}

export interface ClusterInfo {
  id: number
  label: string
  terms: string[]
  size: number
  recent: number
  previous: number
  growth: number | null
  representatives: { id: string; publication_number: string; title: string }[]
  centroid2d: [number, number]
}

export interface KeyPatent {
  id: string
  publication_number: string
  title: string
  applicants: string[]
  legal_status: string | null
  score: number
  reasons: string[]
}

export interface Report {
  version: 1
  title: string
  generated_at: string
  /** 检索截止日: data up to this day (the day the report was built) */
  cutoff_date: string
  scope: Scope
  /** 检索式, as a reader can reproduce it */
  query: string
  counts: { patents: number; truncated: boolean; applicants: number; inventors: number; with_date: number; first_year: number | null; last_year: number | null }
  /** 技术分解表: branches (IPC subclasses, or topics) with sub-branches; for IPC branches, the topics their patents fall in */
  breakdown: { branch: string; label: string; count: number; children: Count[]; topics?: Count[] }[]
  trend: YearRow[]
  ipc: { reference_year: number | null; window: number; subclasses: IpcRow[]; groups: IpcRow[] }
  applicants: {
    top: (Count & { kind: string; first: number })[]
    inventors: Count[]
    kinds: { kind: string; label: string; patents: number; applicants: number; share: number }[]
    pairs: { a: string; b: string; count: number }[]
  }
  legal: { status: Count[]; types: Count[] }
  clusters: {
    k: number
    method: string
    criterion: string
    items: ClusterInfo[]
    /** sample of the 2-D map: x, y, cluster */
    points: [number, number, number][]
  } | null
  effects: {
    effects: string[]
    branches: { key: string; label: string; size: number }[]
    cells: number[][]
    /** patents with at least one effect found */
    covered: number
  }
  lifecycle: { stage: 'emerging' | 'growing' | 'mature' | 'declining' | 'unknown'; label: string; reason: string; points: { year: number; applicants: number; applications: number }[] }
  opportunities: {
    white_spaces: { kind: 'cell' | 'branch'; label: string; reason: string; count: number }[]
    transfers: { id: string; publication_number: string; title: string; holders: string[]; kind: string }[]
    transfer_total: number
    /** lapsed patents (失效): free for anyone to practise; the most relevant first (a need scope) or the newest */
    lapsed?: { id: string; publication_number: string; title: string; holders: string[]; relevance: number | null }[]
    lapsed_total?: number
  }
  key_patents: KeyPatent[]
  need: { id: string; title: string } | null
  /** how long each step of the build took (ms) */
  timings_ms?: Record<string, number>
}

export interface Summary {
  text: string
  source: 'template' | 'model'
  model: string | null
  prompt_version: string | null
  input_hash: string | null
  /** why a model narrative was not used (validation or call failure) */
  fallback_reason?: string
}
