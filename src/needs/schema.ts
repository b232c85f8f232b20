import { z } from '@hono/zod-openapi'
import { MATURITY, TRANSFER_MODES, VISIBILITY } from '../catalog/fields'
import { todayInChina } from '../validation'
import { isoDate, longText, money, patchOf, rangeOk, shortText, title } from '../catalog/zod'

export const Indicator = z
  .object({
    name: shortText(100).min(1).openapi({ example: '能量密度' }),
    target: shortText(100).nullish().openapi({ example: '>= 300' }),
    unit: shortText(30).nullish().openapi({ example: 'Wh/kg' }),
  })
  .openapi('Indicator')

export const NeedFields = z.object({
  external_id: shortText(100).min(1).optional(),
  title: title().openapi({ example: '动力电池健康状态在线估计' }),
  description: longText().default(''),
  industry: shortText().nullish(),
  region: shortText(50).nullish(),
  budget_min: money().nullish(),
  budget_max: money().nullish(),
  deadline: isoDate().nullish(),
  cooperation_modes: z.array(z.enum(TRANSFER_MODES)).max(6).default([]),
  maturity_min: z.enum(MATURITY).nullish().openapi({ description: 'the least maturity the enterprise accepts' }),
  indicators: z.array(Indicator).max(30).default([]),
  visibility: z.enum(VISIBILITY).default('platform').openapi({
    description: 'public: every user; platform: staff, universities/institutes and organisers (not other enterprises); private: the owning enterprise and staff',
  }),
  status: z.enum(['draft', 'open', 'closed']).default('open'),
})

const budgetRange = (v: { budget_min?: number | null; budget_max?: number | null }) => rangeOk(v.budget_min, v.budget_max)
const budgetMsg = { message: 'budget_min must not exceed budget_max', path: ['budget_max'] }

// A deadline written through the API may not lie in the past (China time). Imports keep historical needs as they are.
const deadlineAhead = (v: { deadline?: string | null }) => !v.deadline || v.deadline >= todayInChina()
const deadlineMsg = { message: 'must not be in the past / 截止日期不能早于今天', path: ['deadline'] }

export const NeedCreate = NeedFields.extend({ org_id: z.uuid().optional() }).refine(budgetRange, budgetMsg).refine(deadlineAhead, deadlineMsg)
export const NeedUpdate = patchOf(NeedFields).refine(budgetRange, budgetMsg).refine(deadlineAhead, deadlineMsg)
export type NeedInput = z.output<typeof NeedFields>

export const NEED_COLUMNS = [
  'external_id', 'title', 'description', 'industry', 'region', 'budget_min', 'budget_max', 'deadline',
  'cooperation_modes', 'maturity_min', 'indicators', 'visibility', 'status',
] as const

export const needText = (n: Pick<NeedInput, 'title' | 'description' | 'indicators' | 'industry'>) =>
  [n.title, n.description, n.indicators.map((i) => [i.name, i.target, i.unit].filter(Boolean).join(' ')).join('；'), n.industry]
    .filter(Boolean)
    .join('\n')
