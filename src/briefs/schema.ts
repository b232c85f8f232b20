// The challenge brief (企业出题榜单, 揭榜挂帅): its content schema with the Chinese labels used for rendering, its
// workflow states and the published 榜单 lifecycle.
import { z } from '@hono/zod-openapi'
import { safeText } from '../validation'

/** Marks a value nobody has stated yet: the enterprise must fill or confirm it. */
export const TBD = '待确认'

/** Where a target value comes from. Machine writers may only use the first from the need, or mark the others. */
export const BASIS = ['需求原文', '建议值', '待确认', '人工填写'] as const
export type Basis = (typeof BASIS)[number]

// every text starts from safeText (no NUL, no lone surrogates): a 400 naming the field, never a database error
const text = (max: number) => safeText().trim().max(max)
const list = (maxItems: number, maxLen: number) => z.array(safeText().trim().min(1).max(maxLen)).max(maxItems)

export const BriefIndicator = z
  .object({
    name: text(80).min(1).openapi({ description: '指标' }),
    target: text(60).openapi({ description: '目标值, e.g. ≥95, 10~20, 30±10; 待确认 when unknown' }),
    unit: text(30).default('').openapi({ description: '单位' }),
    method: text(300).default(TBD).openapi({ description: '测试或验收方法' }),
    basis: z.enum(BASIS).default('需求原文').openapi({ description: '目标值来源: 需求原文 / 建议值 / 待确认 / 人工填写' }),
    quote: text(200).optional().openapi({ description: 'the words of the need it was read from' }),
  })
  .openapi('BriefIndicator')
export type BriefIndicator = z.output<typeof BriefIndicator>

export const BriefReference = z
  .object({
    kind: z.enum(['achievement', 'patent', 'navigation']),
    id: safeText().min(1).max(80),
    title: text(300),
    note: text(300).default(''),
    state: z.enum(['confirmed', 'suggested', 'report']).optional(),
  })
  .openapi('BriefReference')
export type BriefReference = z.output<typeof BriefReference>

export const SolverRequirements = z.object({
  entity_types: text(300).openapi({ description: '主体类型' }),
  team: text(500).openapi({ description: '团队要求' }),
  prior_results: text(500).openapi({ description: '前期成果' }),
})

export const BriefContent = z
  .object({
    title: text(200).min(1).openapi({ description: '榜单名称' }),
    issuer: text(200).openapi({ description: '发榜单位' }),
    background: text(4000).openapi({ description: '需求背景' }),
    problem: text(4000).openapi({ description: '技术难题' }),
    indicators: z.array(BriefIndicator).max(40).openapi({ description: '主要技术指标' }),
    constraints: list(30, 500).openapi({ description: '约束条件' }),
    deliverables: list(20, 300).openapi({ description: '预期成果形式' }),
    cooperation: text(500).openapi({ description: '合作方式' }),
    duration: text(300).openapi({ description: '研发周期' }),
    budget: text(300).openapi({ description: '投入经费/榜单金额' }),
    ip: text(1000).openapi({ description: '知识产权归属' }),
    acceptance: text(2000).openapi({ description: '验收标准' }),
    solver_requirements: SolverRequirements.openapi({ description: '揭榜方要求' }),
    references: z.array(BriefReference).max(20).openapi({ description: '参考方向' }),
    open_questions: list(30, 300).openapi({ description: '待补充信息' }),
    keywords: list(20, 40).default([]).openapi({ description: '关键词' }),
  })
  .openapi('BriefContent')
export type BriefContent = z.output<typeof BriefContent>

/** Chinese labels, in the order a brief is read. */
export const BRIEF_LABELS: Record<keyof BriefContent, string> = {
  title: '榜单名称',
  issuer: '发榜单位',
  background: '需求背景',
  problem: '技术难题',
  indicators: '主要技术指标',
  constraints: '约束条件',
  deliverables: '预期成果形式',
  cooperation: '合作方式',
  duration: '研发周期',
  budget: '投入经费/榜单金额',
  ip: '知识产权归属',
  acceptance: '验收标准',
  solver_requirements: '揭榜方要求',
  references: '参考方向',
  open_questions: '待补充信息',
  keywords: '关键词',
}
export const INDICATOR_LABELS = { name: '指标', target: '目标值', unit: '单位', method: '测试或验收方法', basis: '目标值来源' } as const
export const SOLVER_LABELS = { entity_types: '主体类型', team: '团队要求', prior_results: '前期成果' } as const

/** An edit: any subset of the content's fields (each replaces the field as a whole). */
export const BriefContentPatch = BriefContent.partial().strict()

export const BRIEF_STATUS = ['drafting', 'draft', 'edited', 'confirmed', 'published', 'failed'] as const
export type BriefStatus = (typeof BRIEF_STATUS)[number]

/** The published 榜单 lifecycle, in order: each step moves one forward. */
export const BRIEF_STAGES = ['published', 'awaiting', 'in_progress', 'acceptance', 'closed'] as const
export type BriefStage = (typeof BRIEF_STAGES)[number]
export const STAGE_LABELS: Record<BriefStage, string> = {
  published: '已发布', awaiting: '待揭榜', in_progress: '攻关中', acceptance: '验收中', closed: '已结束',
}
export const STATUS_LABELS: Record<BriefStatus, string> = {
  drafting: '起草中', draft: '草稿', edited: '已编辑', confirmed: '已确认', published: '已发布', failed: '起草失败',
}

export const WRITERS = ['auto', 'template', 'model'] as const
export type WriterChoice = (typeof WRITERS)[number]

/** Clarity: a score 0-100 and, in Chinese, what is missing; `checks` explains each part. */
export const Clarity = z
  .object({
    score: z.number().int().min(0).max(100),
    missing: z.array(z.string()),
    checks: z.array(z.object({ key: z.string(), label: z.string(), weight: z.number(), ok: z.boolean(), evidence: z.string() })),
  })
  .openapi('BriefClarity')
export type Clarity = z.output<typeof Clarity>
