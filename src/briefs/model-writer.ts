// The model writer: the need (untrusted data) goes to the chat model inside a versioned prompt; the answer is untrusted
// too: size-capped, parsed once, checked by the zod schema, repaired at most once, and then grounded in code: a target
// value, budget or period whose numbers do not appear in the need is marked 待确认, whatever the model called it.
// Fields the model may not decide (issuer, keywords, which references exist) come from the service, never the model.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { ChatModel } from '../models/chat'
import { inertText } from '../text/untrusted'
import { questionsFor, templateBrief, type WriterInput } from './template'
import { describeQuantity, extractQuantities, numbersIn } from './indicators'
import { BRIEF_PROMPT_VERSION, briefPromptHash, renderBriefPrompt } from './prompt'
import { BASIS, BriefContent, type BriefContent as Content, BriefIndicator, SolverRequirements, TBD } from './schema'

/** Answers longer than this are refused before parsing. */
export const MAX_ANSWER_CHARS = 60_000
const NEED_CHARS = 6000

const s = (max: number) => z.string().trim().max(max)
export const ModelBriefOutput = z
  .object({
    title: s(200).min(1),
    background: s(4000),
    problem: s(4000).min(1),
    // a model is not a person: 人工填写 is not a basis it may claim
    indicators: z.array(BriefIndicator.extend({ basis: z.enum(BASIS).exclude(['人工填写']).default('待确认'), quote: z.undefined().optional() })).max(40),
    constraints: z.array(s(500).min(1)).max(30),
    deliverables: z.array(s(300).min(1)).max(20),
    duration: s(300),
    budget: s(300),
    ip: s(1000),
    acceptance: s(2000),
    solver_requirements: SolverRequirements,
    references: z.array(z.object({ id: z.string().max(80), note: s(300).default('') })).max(20).default([]),
    open_questions: z.array(s(300).min(1)).max(30).default([]),
  })
  .strict()

export interface ModelDraft {
  content: Content
  model: string
  promptVersion: string
  inputHash: string
  notes: Record<string, unknown>
}

export class ModelDraftError extends Error {
  override name = 'ModelDraftError'
  constructor(message: string, readonly notes: Record<string, unknown>) {
    super(message)
  }
}

const clip = (x: string, n: number) => (x.length > n ? `${x.slice(0, n)}…` : x)

/** The user message: the need as data, the quantities read from it, the references it may cite. */
export async function briefPromptFor(input: WriterInput) {
  const n = input.need
  const need = [
    `标题：${n.title}`,
    `描述：${clip(n.description ?? '', NEED_CHARS)}`,
    n.industry ? `行业：${n.industry}` : '',
    n.region ? `地区：${n.region}` : '',
    n.budget_min != null || n.budget_max != null ? `预算（元）：${n.budget_min ?? ''}~${n.budget_max ?? ''}` : '',
    n.cooperation_modes?.length ? `合作方式：${n.cooperation_modes.join('、')}` : '',
    n.maturity_min ? `最低成熟度：${n.maturity_min}` : '',
    n.indicators?.length ? `已填指标：${n.indicators.map((i) => `${i.name} ${i.target ?? ''} ${i.unit ?? ''}`.trim()).join('；')}` : '',
  ].filter(Boolean).join('\n')
  // the closing tag cannot be forged from inside the data
  const safeNeed = need.replace(/<\/?need>/gi, '')
  const quantities = extractQuantities(`${n.title}。${n.description ?? ''}`).filter((q) => q.kind === 'indicator').slice(0, 30)
  const nav = input.navigation
  return renderBriefPrompt({
    need: safeNeed,
    quantities: quantities.length ? quantities.map((q) => `- ${describeQuantity(q)}（${q.role === 'target' ? '目标' : q.role === 'current' ? '现状' : '条件'}）`).join('\n') : '（无）',
    references: input.references.length ? input.references.map((r) => `- id=${r.id} [${r.kind}] ${clip(r.title, 120)}`).join('\n') : '（无）',
    navigation: nav && (nav.routes.length || nav.whiteSpaces.length)
      ? `专利导航报告（可在技术难题中引用，注明章节）：\n${nav.routes.slice(0, 5).map((r) => `- 技术路线：${r.title}（${r.section}）`).join('\n')}\n${nav.whiteSpaces.slice(0, 3).map((w) => `- 技术空白：${w.title}（${w.section}）`).join('\n')}`
      : '',
  })
}

/** Parses one answer; returns the issues as short strings instead of throwing. */
export function parseModelAnswer(text: string): { ok: true; value: z.output<typeof ModelBriefOutput> } | { ok: false; errors: string[] } {
  if (text.length > MAX_ANSWER_CHARS) return { ok: false, errors: [`answer too long (${text.length} characters)`] }
  let json: unknown
  try {
    json = JSON.parse(text.replace(/^\s*```(?:json)?\s*|\s*```\s*$/g, ''))
  } catch {
    return { ok: false, errors: ['not a JSON object'] }
  }
  const r = ModelBriefOutput.safeParse(json)
  if (!r.success) return { ok: false, errors: r.error.issues.slice(0, 8).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`.slice(0, 200)) }
  return { ok: true, value: r.data }
}

/**
 * Every number of a machine-written value must appear in the need; otherwise the value is marked 待确认 (targets keep
 * the model's figure as a visible suggestion). Returns how many values were marked.
 */
export function groundInNeed(c: Content, needText: string): { content: Content; marked: number } {
  const known = numbersIn(needText)
  const inNeed = (v: string) => [...numbersIn(v)].every((x) => known.has(x))
  let marked = 0
  const indicators = c.indicators.map((i) => {
    const hasNumber = /\d/.test(i.target)
    if (!hasNumber) return { ...i, basis: '待确认' as const, target: i.target || TBD }
    if (i.basis === '建议值' || i.basis === '待确认') return i
    if (inNeed(`${i.target}`)) return { ...i, basis: '需求原文' as const }
    marked++
    return { ...i, basis: '待确认' as const, target: clip(`${TBD}（建议 ${i.target}）`, 60) }
  })
  const field = (v: string) => {
    if (!/\d/.test(v) || v.startsWith(TBD) || inNeed(v)) return v
    marked++
    return clip(`${TBD}（建议：${v}）`, 300)
  }
  return { content: { ...c, indicators, budget: field(c.budget), duration: field(c.duration) }, marked }
}

/** Every string of a validated answer made inert (lengths were bounded by the schema already). */
function inert<T>(v: T): T {
  if (typeof v === 'string') return inertText(v, 4000) as T
  if (Array.isArray(v)) return v.map(inert) as T
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, inert(x)])) as T
  return v
}

export async function writeWithModel(chat: ChatModel, input: WriterInput): Promise<ModelDraft> {
  const { system, user } = await briefPromptFor(input)
  const inputHash = createHash('sha256').update(`${chat.modelId}\n${BRIEF_PROMPT_VERSION}\n${briefPromptHash()}\n${user}`).digest('hex').slice(0, 32)
  const notes: Record<string, unknown> = {}
  let parsed = parseModelAnswer(await chat.completeJson(system, user))
  if (!parsed.ok) {
    notes.repair = parsed.errors
    // one repair attempt: the errors, not the previous answer (which may carry injected text), go back to the model
    const again = `${user}\n\n你上一次的输出未通过格式校验：\n${parsed.errors.map((e) => `- ${e}`).join('\n')}\n请严格按系统说明中的 JSON 格式重新输出，只输出 JSON 对象。`
    parsed = parseModelAnswer(await chat.completeJson(system, again))
    if (!parsed.ok) throw new ModelDraftError(`model answer invalid after one repair: ${parsed.errors.join('; ')}`.slice(0, 500), { ...notes, errors: parsed.errors, input_hash: inputHash })
    notes.repaired = true
  }
  // model text is data: tags, script schemes, invisible and control characters go before anything is stored
  const out = inert(parsed.value)
  const known = new Map(input.references.map((r) => [r.id, r]))
  const references = out.references
    .filter((r) => known.has(r.id)) // an id the model was not given (or made up) is dropped
    .map((r) => ({ ...known.get(r.id)!, note: r.note || known.get(r.id)!.note }))
  const dropped = out.references.length - references.length
  if (dropped) notes.unknown_references = dropped
  const base: Content = BriefContent.parse({
    ...out,
    // what the platform knows as fields, not the model: the issuer, the cooperation modes, the keywords
    cooperation: templateBrief(input).cooperation,
    issuer: input.issuer,
    keywords: input.keywords.slice(0, 20),
    references: references.length ? references : input.references.slice(0, 10),
    open_questions: out.open_questions,
  })
  const needText = [input.need.title, input.need.description, input.need.budget_min, input.need.budget_max, ...(input.need.indicators ?? []).map((i) => `${i.target ?? ''}`)].filter((x) => x != null).join('\n')
  const { content, marked } = groundInNeed(base, needText)
  if (marked) notes.marked_unconfirmed = marked
  const questions = [...new Set([...content.open_questions, ...questionsFor(content)])].slice(0, 30)
  return { content: BriefContent.parse({ ...content, open_questions: questions }), model: chat.modelId, promptVersion: BRIEF_PROMPT_VERSION, inputHash, notes }
}
