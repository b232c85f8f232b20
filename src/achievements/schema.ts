import { z } from '@hono/zod-openapi'
import { MATURITY, TRANSFER_MODES } from '../catalog/fields'
import { longText, money, patchOf, publicationNumber, rangeOk, shortText, tags, title } from '../catalog/zod'

export const AchievementFields = z.object({
  external_id: shortText(100).min(1).optional().openapi({ description: 'your own id; makes re-imports update instead of duplicate' }),
  title: title().openapi({ example: '基于深度学习的锂电池健康状态估计技术' }),
  summary: longText().default(''),
  field: shortText().nullish().openapi({ description: '技术领域, e.g. 新能源-储能' }),
  industry: shortText().nullish().openapi({ description: '所属行业' }),
  keywords: tags().default([]),
  maturity: z.enum(MATURITY).nullish().openapi({ description: 'lab 实验室 / small_pilot 小试 / pilot 中试 / industrial 产业化' }),
  trl: z.number().int().min(1).max(9).nullish(),
  transfer_modes: z.array(z.enum(TRANSFER_MODES)).max(6).default([]),
  price_min: money().nullish(),
  price_max: money().nullish(),
  team: shortText(500).nullish(),
  region: shortText(50).nullish().openapi({ description: 'province, e.g. 江苏' }),
  patent_numbers: z.array(publicationNumber()).max(100).default([]),
  status: z.enum(['draft', 'active', 'archived']).default('active'),
})

const priceRange = (v: { price_min?: number | null; price_max?: number | null }) => rangeOk(v.price_min, v.price_max)
const priceMsg = { message: 'price_min must not exceed price_max', path: ['price_max'] }

export const AchievementCreate = AchievementFields.extend({
  org_id: z.uuid().optional().openapi({ description: 'owning university/institute; required for managers and admins' }),
}).refine(priceRange, priceMsg)

export const AchievementUpdate = patchOf(AchievementFields).refine(priceRange, priceMsg)
export type AchievementInput = z.output<typeof AchievementFields>

export const ACHIEVEMENT_COLUMNS = [
  'external_id', 'title', 'summary', 'field', 'industry', 'keywords', 'maturity', 'trl', 'transfer_modes',
  'price_min', 'price_max', 'team', 'region', 'patent_numbers', 'status',
] as const

export const achievementText = (a: Pick<AchievementInput, 'title' | 'summary' | 'keywords' | 'field' | 'industry'>) =>
  [a.title, a.summary, a.keywords.join(' '), a.field, a.industry].filter(Boolean).join('\n')
