import { z } from '@hono/zod-openapi'
import { LEGAL_STATUS, PATENT_TYPES } from '../catalog/fields'
import { ipcCode, isoDate, longText, patchOf, publicationNumber, shortText, tags, title } from '../catalog/zod'

export const PatentFields = z.object({
  publication_number: publicationNumber().openapi({ description: '公开(公告)号, normalised: "CN 114123456 A" -> "CN114123456A"' }),
  application_number: shortText(40).nullish(),
  application_date: isoDate().nullish(),
  publication_date: isoDate().nullish(),
  grant_date: isoDate().nullish(),
  title: title(),
  abstract: longText().default(''),
  first_claim: longText().default(''),
  applicants: tags(50, 200).default([]),
  inventors: tags(100, 100).default([]),
  ipc_main: ipcCode().nullish(),
  ipc_codes: z.array(ipcCode()).max(100).default([]),
  patent_type: z.enum(PATENT_TYPES).nullish().openapi({ description: 'invention 发明 / utility_model 实用新型 / design 外观设计' }),
  legal_status: z.enum(LEGAL_STATUS).nullish().openapi({ description: 'pending 审中 / valid 有效 / invalid 失效' }),
  region: shortText(50).nullish(),
})

export const PatentCreate = PatentFields.extend({ org_id: z.uuid().optional() })
export const PatentUpdate = patchOf(PatentFields.omit({ publication_number: true }))
export type PatentInput = z.output<typeof PatentFields>

export const PATENT_COLUMNS = [
  'publication_number', 'application_number', 'application_date', 'publication_date', 'grant_date', 'title', 'abstract',
  'first_claim', 'applicants', 'inventors', 'ipc_main', 'ipc_codes', 'patent_type', 'legal_status', 'region',
] as const

export const patentText = (p: Pick<PatentInput, 'title' | 'abstract' | 'first_claim'>) =>
  [p.title, p.abstract, p.first_claim].filter(Boolean).join('\n')

/** The main class is always among all codes. */
export function withMainIpc<T extends { ipc_main?: string | null; ipc_codes?: string[] }>(p: T): T {
  if (p.ipc_main && p.ipc_codes && !p.ipc_codes.includes(p.ipc_main)) return { ...p, ipc_codes: [p.ipc_main, ...p.ipc_codes] }
  if (!p.ipc_main && p.ipc_codes?.length) return { ...p, ipc_main: p.ipc_codes[0] }
  return p
}
