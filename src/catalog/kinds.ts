// The three catalogues described once: table, columns, text to analyse, natural key, who may read and write, filters.
import { z } from '@hono/zod-openapi'
import {
  ACHIEVEMENT_COLUMNS, AchievementCreate, AchievementFields, AchievementUpdate, achievementText,
} from '../achievements/schema'
import type { Params } from '../db/params'
import { NEED_COLUMNS, NeedCreate, NeedFields, NeedUpdate, needText } from '../needs/schema'
import { type Caller, type OrgKind, type Role, isStaff, ownsOrStaff } from '../orgs/access'
import { PATENT_COLUMNS, PatentCreate, PatentFields, PatentUpdate, patentText, withMainIpc } from '../patents/schema'
import { LEGAL_STATUS, MATURITY, PATENT_TYPES, VISIBILITY } from './fields'
import { normalizeIpc } from './fields'
import { safeText } from '../validation'

export const KINDS = ['achievement', 'patent', 'need'] as const
export type Kind = (typeof KINDS)[number]

/** A stored row as the services see it (columns vary by kind). */
export type Row = Record<string, unknown> & { id: string; org_id: string; title: string; content_hash: string }

export interface KindDef {
  kind: Kind
  table: 'achievements' | 'patents' | 'needs'
  label: string
  path: string
  columns: readonly string[]
  jsonColumns: readonly string[]
  /** zod for a full record (API create without org_id, and every import row) */
  fields: z.ZodType<Record<string, unknown>>
  create: z.ZodType<Record<string, unknown>>
  update: z.ZodType<Record<string, unknown>>
  text(r: Record<string, unknown>): string
  /** Column of the natural key in UNIQUE (org_id, <key>). */
  keyColumn: 'natural_key' | 'publication_number'
  /** Normalise a validated record before storing (derived fields). */
  prepare?(r: Record<string, unknown>): Record<string, unknown>
  ownerKinds: readonly OrgKind[]
  writerRoles: readonly Role[]
  /** object-level read rule */
  maySee(caller: Caller, row: Row): boolean
  /** the same rule as SQL, for lists */
  visibleSql(caller: Caller, p: Params): string
  listFilters: z.ZodObject
  filterSql(q: Record<string, unknown>, p: Params): string[]
}

const str = () => safeText().trim().min(1).max(100).optional()
const commonFilters = { region: str(), org_id: z.uuid().optional(), q: safeText().trim().min(1).max(500).optional() }

const isRole = (c: Caller, ...roles: Role[]) => c.kind === 'key' && roles.includes(c.role)

export const KIND_DEFS: Record<Kind, KindDef> = {
  achievement: {
    kind: 'achievement',
    table: 'achievements',
    label: '科技成果 achievement',
    path: 'achievements',
    columns: ACHIEVEMENT_COLUMNS,
    jsonColumns: [],
    fields: AchievementFields as never,
    create: AchievementCreate as never,
    update: AchievementUpdate as never,
    text: (r) => achievementText(r as never),
    keyColumn: 'natural_key',
    ownerKinds: ['university', 'institute'],
    writerRoles: ['university', 'manager', 'admin'],
    maySee: (c, r) => r.status !== 'draft' || ownsOrStaff(c, r.org_id),
    visibleSql: (c, p) => (isStaff(c) ? 'true' : `(t.status <> 'draft' OR t.org_id = ${p.p(c.kind === 'key' ? c.orgId : null)})`),
    listFilters: z.object({
      ...commonFilters,
      industry: str(),
      field: str().openapi({ description: 'prefix of the technical field' }),
      status: z.enum(['draft', 'active', 'archived']).optional(),
      maturity: z.enum(MATURITY).optional(),
    }),
    filterSql: (q, p) => [
      q.industry ? `t.industry = ${p.p(q.industry)}` : '',
      q.field ? `t.field LIKE ${p.p(String(q.field).replace(/[%_\\]/g, '\\$&') + '%')}` : '',
      q.status ? `t.status = ${p.p(q.status)}` : '',
      q.maturity ? `t.maturity = ${p.p(q.maturity)}` : '',
    ],
  },
  patent: {
    kind: 'patent',
    table: 'patents',
    label: '专利 patent',
    path: 'patents',
    columns: PATENT_COLUMNS,
    jsonColumns: [],
    fields: PatentFields as never,
    create: PatentCreate as never,
    update: PatentUpdate as never,
    text: (r) => patentText(r as never),
    keyColumn: 'publication_number',
    prepare: (r) => withMainIpc(r as never),
    ownerKinds: ['university', 'institute'],
    writerRoles: ['university', 'manager', 'admin'],
    maySee: () => true,
    visibleSql: () => 'true',
    listFilters: z.object({
      ...commonFilters,
      legal_status: z.enum(LEGAL_STATUS).optional(),
      patent_type: z.enum(PATENT_TYPES).optional(),
      ipc: safeText().trim().min(1).max(20).optional().openapi({ description: 'IPC prefix, e.g. H01M or H01M10/4' }),
      applicant: safeText().trim().min(1).max(200).optional().openapi({ description: 'applicant name (substring)' }),
    }),
    filterSql: (q, p) => [
      q.legal_status ? `t.legal_status = ${p.p(q.legal_status)}` : '',
      q.patent_type ? `t.patent_type = ${p.p(q.patent_type)}` : '',
      q.ipc
        ? `EXISTS (SELECT 1 FROM unnest(t.ipc_codes) c WHERE c LIKE ${p.p((normalizeIpc(String(q.ipc)) ?? String(q.ipc).toUpperCase().replace(/\s+/g, '')).replace(/[%_\\]/g, '\\$&') + '%')})`
        : '',
      q.applicant
        ? `EXISTS (SELECT 1 FROM unnest(t.applicants) a WHERE a LIKE ${p.p('%' + String(q.applicant).replace(/[%_\\]/g, '\\$&') + '%')})`
        : '',
    ],
  },
  need: {
    kind: 'need',
    table: 'needs',
    label: '企业技术需求 need',
    path: 'needs',
    columns: NEED_COLUMNS,
    jsonColumns: ['indicators'],
    fields: NeedFields as never,
    create: NeedCreate as never,
    update: NeedUpdate as never,
    text: (r) => needText(r as never),
    keyColumn: 'natural_key',
    ownerKinds: ['enterprise'],
    writerRoles: ['enterprise', 'manager', 'admin'],
    maySee: (c, r) =>
      ownsOrStaff(c, r.org_id) ||
      (r.status !== 'draft' && (r.visibility === 'public' || (r.visibility === 'platform' && isRole(c, 'university', 'organizer')))),
    visibleSql: (c, p) => {
      if (isStaff(c) || c.kind !== 'key') return 'true'
      const own = `t.org_id = ${p.p(c.orgId)}`
      const shared = isRole(c, 'university', 'organizer') ? `t.visibility IN ('public', 'platform')` : `t.visibility = 'public'`
      return `(${own} OR (t.status <> 'draft' AND ${shared}))`
    },
    listFilters: z.object({
      ...commonFilters,
      industry: str(),
      status: z.enum(['draft', 'open', 'closed']).optional(),
      visibility: z.enum(VISIBILITY).optional(),
    }),
    filterSql: (q, p) => [
      q.industry ? `t.industry = ${p.p(q.industry)}` : '',
      q.status ? `t.status = ${p.p(q.status)}` : '',
      q.visibility ? `t.visibility = ${p.p(q.visibility)}` : '',
    ],
  },
}
