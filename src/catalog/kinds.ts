// The three catalogues described once: table, columns, text to analyse, natural key, who may read and write, filters.
import { z } from '@hono/zod-openapi'
import {
  ACHIEVEMENT_COLUMNS, AchievementCreate, AchievementFields, type AchievementInput, AchievementUpdate, achievementText,
} from '../achievements/schema'
import type { Params } from '../db/params'
import { NEED_COLUMNS, NeedCreate, NeedFields, type NeedInput, NeedUpdate, needText } from '../needs/schema'
import { type Caller, type OrgKind, type Role, isStaff, ownsOrStaff } from '../orgs/access'
import { PATENT_COLUMNS, PatentCreate, PatentFields, type PatentInput, PatentUpdate, patentText, withMainIpc } from '../patents/schema'
import { LEGAL_STATUS, MATURITY, PATENT_TYPES, VISIBILITY } from './fields'
import { normalizeIpc } from './fields'
import { safeText } from '../validation'

export const KINDS = ['achievement', 'patent', 'need'] as const
export type Kind = (typeof KINDS)[number]

/** Each kind's validated fields: the output of its zod schema (API bodies and import rows alike). */
interface FieldsByKind {
  achievement: AchievementInput
  patent: PatentInput
  need: NeedInput
}
export type Fields<K extends Kind = Kind> = K extends Kind ? FieldsByKind[K] : never

/** The columns every stored row has besides its fields. */
type Stored = {
  id: string
  org_id: string
  natural_key?: string
  content_hash: string
  terms: { term: string; weight: number }[]
  indexed: boolean
  embedding_model: string | null
  created_at: Date
  updated_at: Date
}
/** A stored row of one kind as the services see it (`CatalogRow` alone: a row of any kind). */
export type CatalogRow<K extends Kind = Kind> = K extends Kind ? Fields<K> & Stored : never
/** What the index job reads of a row: its fields, id, owner and content hash. */
export type IndexRow<K extends Kind = Kind> = K extends Kind ? Fields<K> & Pick<Stored, 'id' | 'org_id' | 'content_hash'> : never

/** What decides who may read a row (catalogue rows, and the ends of matches and briefs, have these). */
export interface ReadGate {
  /** null: the row is gone (a match's deleted end) */
  org_id: string | null
  status?: string | null
  visibility?: string | null
}

/** The API's shape of a stored row: its fields, the stored columns (times as ISO strings), the staff-only count. */
const STORED_API = {
  id: z.uuid(),
  org_id: z.uuid(),
  terms: z.array(z.object({ term: z.string(), weight: z.number() })).openapi({ description: 'top tf-idf keywords' }),
  indexed: z.boolean().openapi({ description: 'analysed and embedded for the current text' }),
  embedding_model: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
}
export type ItemOut<K extends Kind = Kind> = K extends Kind
  ? Fields<K> & Omit<Stored, 'content_hash' | 'natural_key' | 'created_at' | 'updated_at'> & { created_at: string; updated_at: string; unreviewed_suggestions?: number }
  : never
export type WrittenOut<K extends Kind = Kind> = K extends Kind ? ItemOut<K> & { job_id: string | null } : never

/** The item and write-answer schemas of a kind, from its field schema (named for the OpenAPI document). */
function apiSchemas<S extends z.ZodRawShape, E extends z.ZodRawShape>(fields: z.ZodObject<S>, name: string, extra: E) {
  const item = fields.extend(STORED_API).extend(extra).openapi(name)
  const written = item.extend({ job_id: z.string().nullable().openapi({ description: 'the index job (GET /v1/jobs/{id}); null when the text did not change' }) })
  return { item, written }
}

export interface KindDef<K extends Kind = Kind> {
  kind: K
  table: 'achievements' | 'patents' | 'needs'
  label: string
  path: string
  columns: readonly string[]
  jsonColumns: readonly string[]
  /** zod for a full record (every import row, and an update merged with the stored row) */
  fields: z.ZodType<Fields<K>>
  /** API create body (may name the owning org) and PATCH body */
  create: z.ZodType<Fields<K> & { org_id?: string }>
  update: z.ZodType<Partial<Fields<K>>>
  /** API response shapes */
  item: z.ZodType<ItemOut<K>>
  written: z.ZodType<WrittenOut<K>>
  text(r: Fields<K>): string
  /** Column of the natural key in UNIQUE (org_id, <key>). */
  keyColumn: 'natural_key' | 'publication_number'
  /** Normalise a validated record before storing (derived fields). */
  prepare?(r: Fields<K>): Fields<K>
  ownerKinds: readonly OrgKind[]
  writerRoles: readonly Role[]
  /** object-level read rule */
  maySee(caller: Caller, row: ReadGate): boolean
  /** the same rule as SQL, for lists */
  visibleSql(caller: Caller, p: Params): string
  listFilters: z.ZodObject
  filterSql(q: Record<string, unknown>, p: Params): string[]
}

/** A kind, checked against its field types (the identity at run time). */
const defineKind = <K extends Kind>(def: KindDef<K>): KindDef<K> => def

const str = () => safeText().trim().min(1).max(100).optional()
const commonFilters = { region: str(), org_id: z.uuid().optional(), q: safeText().trim().min(1).max(500).optional() }

const isRole = (c: Caller, ...roles: Role[]) => c.kind === 'key' && roles.includes(c.role)

export const KIND_DEFS: { readonly [K in Kind]: KindDef<K> } = {
  achievement: defineKind({
    kind: 'achievement',
    table: 'achievements',
    label: '科技成果 achievement',
    path: 'achievements',
    columns: ACHIEVEMENT_COLUMNS,
    jsonColumns: [],
    fields: AchievementFields,
    create: AchievementCreate,
    update: AchievementUpdate,
    ...apiSchemas(AchievementFields, 'Achievement', {}),
    text: achievementText,
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
  }),
  patent: defineKind({
    kind: 'patent',
    table: 'patents',
    label: '专利 patent',
    path: 'patents',
    columns: PATENT_COLUMNS,
    jsonColumns: [],
    fields: PatentFields,
    create: PatentCreate,
    update: PatentUpdate,
    ...apiSchemas(PatentFields, 'Patent', {}),
    text: patentText,
    keyColumn: 'publication_number',
    prepare: withMainIpc,
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
  }),
  need: defineKind({
    kind: 'need',
    table: 'needs',
    label: '企业技术需求 need',
    path: 'needs',
    columns: NEED_COLUMNS,
    jsonColumns: ['indicators'],
    fields: NeedFields,
    create: NeedCreate,
    update: NeedUpdate,
    ...apiSchemas(NeedFields, 'Need', {
      unreviewed_suggestions: z.number().int().optional().openapi({ description: 'unreviewed match suggestions (staff only)' }),
    }),
    text: needText,
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
  }),
}

/** A kind's definition when the kind is only known at run time (rows and fields of any kind). */
export function kindDef(kind: Kind): KindDef {
  const def: KindDef = KIND_DEFS[kind]
  return def
}
