// Roadshow shortlists (路演短名单): the theme an organiser asks for, the programme's slots, and the shapes the API takes.
import { z } from '@hono/zod-openapi'
import { MATURITY } from '../catalog/fields'
import { isoDateTime, safeText } from '../validation'

export const ROADSHOW_KINDS = ['achievements', 'reverse'] as const
export type RoadshowKind = (typeof ROADSHOW_KINDS)[number]
export const KIND_LABELS: Record<RoadshowKind, string> = { achievements: '成果路演', reverse: '反向路演（企业出题）' }
export const ROADSHOW_STATUS = ['draft', 'confirmed'] as const
export type RoadshowStatus = (typeof ROADSHOW_STATUS)[number]
export const ENTRY_KINDS = ['achievement', 'brief'] as const
export type EntryKind = (typeof ENTRY_KINDS)[number]
/** What each kind of roadshow presents. */
export const ENTRY_KIND_OF: Record<RoadshowKind, EntryKind> = { achievements: 'achievement', reverse: 'brief' }

export const MAX_SIZE = 60

const text = (max: number) => safeText().trim().max(max)

export const Theme = z
  .object({
    industry: text(100).min(1).optional().openapi({ description: '行业/技术领域: matches an achievement\'s industry or the start of its technical field (新材料 matches 新材料-复合材料); for a reverse roadshow, the need\'s industry' }),
    keywords: z.array(text(40).min(1)).max(20).default([]).openapi({ description: '主题关键词, ranked by the matching pipeline' }),
    region: text(60).min(1).optional().openapi({ description: '地区: the start of the listing\'s region, or its organisation\'s (浙江 matches 浙江省杭州市)' }),
    min_maturity: z.enum(MATURITY).optional().openapi({ description: '最低成熟度 (achievements only): lab < small_pilot < pilot < industrial; listings of unknown maturity are left out' }),
  })
  .openapi('RoadshowTheme')
export type Theme = z.output<typeof Theme>

export const Slot = z
  .object({
    pitch: z.number().int().min(1).max(60).default(8).openapi({ description: '路演 minutes' }),
    qa: z.number().int().min(0).max(60).default(7).openapi({ description: '问答 minutes' }),
  })
  .openapi('RoadshowSlot')

export const Break = z
  .object({
    after: z.number().int().min(1).max(MAX_SIZE - 1).openapi({ description: 'the break follows the entry at this position (1 = after the first)' }),
    minutes: z.number().int().min(1).max(240),
    label: text(30).min(1).default('茶歇').openapi({ description: '茶歇, 午休, 合影 ...' }),
  })
  .openapi('RoadshowBreak')
export type Break = z.output<typeof Break>
const Breaks = z
  .array(Break)
  .max(10)
  .refine((b) => new Set(b.map((x) => x.after)).size === b.length, { message: 'one break after a position / 同一位置只能有一次休息' })
  .openapi({ description: 'breaks between entries; a break after the last entry is not shown' })

export const RoadshowCreate = z
  .object({
    title: text(200).min(1).openapi({ description: '活动名称' }),
    kind: z.enum(ROADSHOW_KINDS).default('achievements').openapi({ description: 'achievements: teams pitch achievements; reverse (反向路演): enterprises pitch their published challenge briefs' }),
    theme: Theme,
    size: z.number().int().min(1).max(MAX_SIZE).default(10).openapi({ description: 'slots in the programme' }),
    per_org_max: z.number().int().min(1).max(MAX_SIZE).optional().openapi({ description: 'at most this many entries of one organisation (default: a fifth of the size, at least 1)' }),
    slot: Slot.default({ pitch: 8, qa: 7 }),
    starts_at: isoDateTime().optional().openapi({ description: 'start of the first slot (ISO 8601): the programme then shows each slot\'s time' }),
    breaks: Breaks.default([]),
  })
  .openapi('RoadshowCreate')
export type RoadshowCreate = z.output<typeof RoadshowCreate>

export const EntryRef = z.object({ kind: z.enum(ENTRY_KINDS), id: z.uuid() })
export type EntryRef = z.output<typeof EntryRef>

export const RoadshowEdit = z
  .object({
    base_version: z.number().int().min(1).openapi({ description: 'the version you edited (409 when the shortlist has changed since)' }),
    title: text(200).min(1).optional(),
    slot: Slot.optional(),
    size: z.number().int().min(1).max(MAX_SIZE).optional().openapi({ description: 'slots in the programme; entries may not exceed it' }),
    starts_at: isoDateTime().nullable().optional(),
    breaks: Breaks.optional().openapi({ description: 'replaces the breaks' }),
    entries: z.array(EntryRef).max(MAX_SIZE).optional().openapi({ description: 'the programme in order (at most size entries): kept suggestions, alternates moved in, or any presentable item you may see; what you leave out becomes an alternate' }),
  })
  .openapi('RoadshowEdit')
export type RoadshowEdit = z.output<typeof RoadshowEdit>

export const ScoreIn = z
  .object({
    kind: z.enum(ENTRY_KINDS),
    id: z.uuid(),
    judge: text(60).min(1).openapi({ description: '评委 (a name or code the organiser gives each judge)' }),
    score: z.number().min(0).max(100).multipleOf(0.01).openapi({ description: '0-100' }),
  })
  .openapi('RoadshowScore')
export type ScoreIn = z.output<typeof ScoreIn>

/** Default cap per organisation: a fifth of the programme, at least one. */
export const defaultPerOrgMax = (size: number) => Math.max(1, Math.ceil(size / 5))
