// Challenge briefs: draft (a job: template or model writer), read, edit (every edit a new version), confirm, publish,
// then the 榜单 lifecycle. Who: the need's enterprise and managers write; nobody else sees a brief before it is
// published; once published it is seen by whoever may see the need. Every change is audited in its transaction.
import { createHash, randomUUID } from 'node:crypto'
import type { Logger } from '../log'
import { recordAudit } from '../audit/store'
import type { CatalogService } from '../catalog/service'
import { KIND_DEFS } from '../catalog/kinds'
import type { Db } from '../db'
import { ConflictError, ForbiddenError, InvalidError, isPermanent, NotFoundError } from '../errors'
import { withJobs } from '../jobs/outbox'
import { checkAborted, jobId, type JobPayload, type JobQueue } from '../jobs/registry'
import type { MatchingService } from '../matching/service'
import type { ChatModel } from '../models/chat'
import { type Caller, isStaff, type OrgKind, type Role, SYSTEM, visibleOr404 } from '../orgs/access'
import { orgStore } from '../orgs/store'
import { clarityOf } from './clarity'
import { writeWithModel } from './model-writer'
import { referencesFromMatches } from './references'
import { briefHtml, briefMarkdown, diffContent } from './render'
import {
  BRIEF_STAGES, BriefContent, type BriefContent as Content, BriefContentPatch, type BriefStage, type Clarity, STAGE_LABELS, type WriterChoice,
} from './schema'
import { type BriefRow, briefStore, type VersionRow } from './store'
import type { NavigationService } from '../navigation/service'
import { type NavigationMode, navigationDigest } from './navigation'
import { templateBrief } from './template'

export type BriefRequester = { keyId: string; role: Role; orgId: string; orgKind: OrgKind } | null

const LABEL = 'Brief 榜单'

/** Staff and the need's own organisation see a brief at every state; others only once it is published and they may see the need. */
export function maySeeBrief(caller: Caller, b: Pick<BriefRow, 'org_id' | 'status' | 'need_status' | 'need_visibility'>): boolean {
  if (isStaff(caller)) return true
  if (caller.kind === 'key' && caller.orgId === b.org_id) return true
  return b.status === 'published' && KIND_DEFS.need.maySee(caller, { org_id: b.org_id, status: b.need_status, visibility: b.need_visibility })
}

/** The need's enterprise or a manager (or an admin). */
function mayWrite(caller: Caller, orgId: string): boolean {
  if (caller.kind === 'system') return true
  if (caller.role === 'admin' || caller.role === 'manager') return true
  return caller.role === 'enterprise' && caller.orgId === orgId
}

const requesterOf = (c: Caller): BriefRequester => (c.kind === 'key' ? { keyId: c.keyId, role: c.role, orgId: c.orgId, orgKind: c.orgKind } : null)
const callerOf = (r: BriefRequester): Caller => (r ? { kind: 'key', ...r } : SYSTEM)
const keyOf = (c: Caller) => (c.kind === 'key' ? c.keyId : null)

export interface BriefView {
  id: string
  need_id: string
  status: BriefRow['status']
  stage: BriefStage | null
  stage_label: string | null
  version: number
  content: Content | null
  clarity: Clarity | null
  writer: VersionRow['writer'] | null
  model: string | null
  prompt_version: string | null
  input_hash: string | null
  notes: Record<string, unknown>
  job_id: string
  failure: string | null
  confirmed_version: number | null
  confirmed_at: string | null
  published_at: string | null
  created_at: string
  updated_at: string
}

const iso = (d: Date | string | null) => (d == null ? null : d instanceof Date ? d.toISOString() : String(d))

function view(b: BriefRow, v: VersionRow | null): BriefView {
  return {
    id: b.id, need_id: b.need_id, status: b.status, stage: b.stage, stage_label: b.stage ? STAGE_LABELS[b.stage] : null, version: b.version,
    content: v?.content ?? null, clarity: v?.clarity ?? null, writer: v?.writer ?? null, model: v?.model ?? null,
    prompt_version: v?.prompt_version ?? null, input_hash: v?.input_hash ?? null, notes: v?.notes ?? {}, job_id: b.job_id, failure: b.failure,
    confirmed_version: b.confirmed_version, confirmed_at: iso(b.confirmed_at), published_at: iso(b.published_at),
    created_at: iso(b.created_at)!, updated_at: iso(b.updated_at)!,
  }
}

export interface BriefDeps {
  db: Db
  queue: JobQueue
  catalog: CatalogService
  matching: MatchingService
  chat?: ChatModel
  logger?: Logger
  navigation?: NavigationService
}

export function createBriefService(deps: BriefDeps) {
  const { db, queue, catalog, matching, chat } = deps

  async function visible(ctx: Caller, id: string): Promise<BriefRow> {
    return visibleOr404(await briefStore.get(db, id), (b) => maySeeBrief(ctx, b), LABEL)
  }

  /** Visible and writable by the caller; `forUpdate` re-reads under a row lock inside the transaction. */
  function assertWriter(ctx: Caller, b: BriefRow): void {
    if (!mayWrite(ctx, b.org_id)) throw new ForbiddenError('Only the need\'s enterprise or a manager may change this brief / 仅需求方企业或技术经理人可操作榜单')
  }

  async function draftBrief({ ctx, input }: { ctx: Caller; input: { needId: string; writer: WriterChoice; navigation?: NavigationMode } }) {
    const need = await catalog.getItem({ ctx, input: { kind: 'need', id: input.needId } }) // 404 when the caller may not see it
    if (!mayWrite(ctx, need.org_id)) throw new ForbiddenError('Only the need\'s enterprise or a manager may draft a brief / 仅需求方企业或技术经理人可起草榜单')
    if (input.writer === 'model' && !chat) {
      throw new InvalidError([{ field: 'body.writer', message: 'no chat model is configured (CHAT_MODEL); use template or auto' }], 'No chat model configured / 未配置对话模型')
    }
    const mode = input.navigation ?? 'auto'
    // what the draft is made from: the need's text and, when not the default, the navigation choice; asking again for
    // the same returns the same unedited draft ('build' orders a new report, so it always drafts anew)
    const needHash = mode === 'auto' ? need.content_hash : `${need.content_hash}|navigation=${mode}`
    const existing = mode === 'build' ? null : await briefStore.findPending(db, need.id, needHash, input.writer, keyOf(ctx))
    if (existing) return { brief: view(existing, await briefStore.current(db, existing)), jobId: existing.job_id, created: false }
    // a brief may ask for a navigation report to be built first (ordered with the drafter's rights; the draft waits for it)
    let reportId: string | null = null
    if (mode === 'build') {
      if (!deps.navigation) throw new InvalidError([{ field: 'body.navigation', message: 'navigation reports are not available' }])
      reportId = (await deps.navigation.createReport({ ctx, input: { scope: { need_id: need.id } } })).id
    }
    const id = randomUUID()
    const job = jobId('brief', 'draft', id)
    // the brief, its audit event and its draft job commit together (outbox): relayed to the runner after the commit
    await withJobs(db, queue, async (tx) => {
      await briefStore.insert(tx, { id, needId: need.id, orgId: need.org_id, writer: input.writer, needHash, jobId: job, requestedBy: keyOf(ctx) })
      await recordAudit(tx, ctx, { action: 'brief.draft', objectKind: 'brief', objectId: id, orgId: need.org_id, after: { need_id: need.id, writer: input.writer, navigation: mode } })
      await queue.enqueue('briefs.draft', { briefId: id, requester: requesterOf(ctx), navigation: mode, reportId }, { jobId: job, orgId: need.org_id, tx })
    })
    const b = (await briefStore.get(db, id))!
    return { brief: view(b, null), jobId: job, created: true }
  }

  /** Job handler: writes version 1 of a brief being drafted. */
  async function runDraft(payload: JobPayload<'briefs.draft'>, job: { attempt: number; maxAttempts: number; signal?: AbortSignal } = { attempt: 1, maxAttempts: 1 }) {
    const b = await briefStore.get(db, payload.briefId)
    if (!b || b.status !== 'drafting') return { skipped: 'not drafting' }
    try {
      return await writeDraft(b, payload, job)
    } catch (err) {
      // the last attempt (or an error no retry can fix) leaves the brief visibly failed, with the reason
      if (isPermanent(err) || job.attempt >= job.maxAttempts) {
        await briefStore.setStatus(db, b.id, { status: 'failed', failure: String((err as Error).message).slice(0, 500) }).catch(() => undefined)
      }
      throw err
    }
  }

  async function writeDraft(b: BriefRow, payload: JobPayload<'briefs.draft'>, job: { attempt: number; maxAttempts: number; signal?: AbortSignal }) {
    const need = await catalog.getItem({ ctx: SYSTEM, input: { kind: 'need', id: b.need_id } })
    const org = await orgStore.getOrg(db, need.org_id)
    const requester = callerOf(payload.requester)
    const references = await referencesFromMatches(matching, requester, need.id).catch(() => [])
    const nav = deps.navigation
      ? await navigationDigest(deps.navigation, requester, need.id, { reportId: payload.reportId, mode: payload.navigation, lastAttempt: job.attempt >= job.maxAttempts })
      : { digest: null }
    const navigation = nav.digest
    const input = {
      need,
      issuer: org?.name ?? '',
      keywords: briefKeywords(((need.terms as { term: string }[] | null) ?? []).map((t) => t.term)),
      references,
      navigation,
    }
    // a private need's text never leaves the platform for a model provider
    const useModel = chat && (b.writer === 'model' || b.writer === 'auto') && need.visibility !== 'private'
    let written: { content: Content; writer: 'template' | 'model'; model?: string; promptVersion?: string; inputHash?: string; notes: Record<string, unknown> }
    if (useModel) {
      try {
        const d = await writeWithModel(chat, input)
        written = { content: d.content, writer: 'model', model: d.model, promptVersion: d.promptVersion, inputHash: d.inputHash, notes: d.notes }
      } catch (err) {
        deps.logger?.warn('brief model writer failed; template used', { brief_id: b.id, error: (err as Error).message })
        written = { content: templateBrief(input), writer: 'template', notes: { model_error: String((err as Error).message).slice(0, 300), ...((err as { notes?: object }).notes ?? {}) } }
      }
    } else {
      written = { content: templateBrief(input), writer: 'template', notes: need.visibility === 'private' && chat && b.writer !== 'template' ? { model_skipped: 'private need' } : {} }
    }
    const inputHash = written.inputHash ?? templateHash(input)
    const version = await db.transaction(async (tx) => {
      const locked = await briefStore.get(tx, b.id, { forUpdate: true })
      if (!locked || locked.status !== 'drafting') return null
      const v = await briefStore.addVersion(tx, locked, {
        content: written.content, clarity: clarityOf(written.content), writer: written.writer, model: written.model ?? null,
        promptVersion: written.promptVersion ?? 'template/v1', inputHash, notes: { ...written.notes, ...(navigation ? { navigation_report: navigation.reportId } : {}), ...(nav.pending ? { navigation_pending: nav.pending } : {}) },
      }, 'draft')
      await recordAudit(tx, SYSTEM, { action: 'brief.write', objectKind: 'brief', objectId: b.id, orgId: b.org_id, after: { version: v, writer: written.writer }, note: { model: written.model ?? null } })
      checkAborted(job.signal) // given up meanwhile (timeout): nothing lands after the runner failed or retried the job
      return v
    })
    return { version, writer: written.writer }
  }

  async function getBrief({ ctx, input }: { ctx: Caller; input: { id: string } }): Promise<BriefView> {
    const b = await visible(ctx, input.id)
    return view(b, await briefStore.current(db, b))
  }

  async function listBriefsForNeed({ ctx, input }: { ctx: Caller; input: { needId: string } }): Promise<BriefView[]> {
    await catalog.getItem({ ctx, input: { kind: 'need', id: input.needId } })
    const rows = (await briefStore.listForNeed(db, input.needId)).filter((b) => maySeeBrief(ctx, b))
    return Promise.all(rows.map(async (b) => view(b, await briefStore.current(db, b))))
  }

  async function editBrief({ ctx, input }: { ctx: Caller; input: { id: string; baseVersion: number; content: unknown } }): Promise<BriefView> {
    const b0 = await visible(ctx, input.id)
    assertWriter(ctx, b0)
    const patch = BriefContentPatch.safeParse(input.content)
    if (!patch.success) throw new InvalidError(patch.error.issues.map((i) => ({ field: ['body', 'content', ...i.path.map(String)].join('.'), message: i.message })))
    const raw = (input.content ?? {}) as { indicators?: { basis?: unknown }[] }
    return db.transaction(async (tx) => {
      const b = (await briefStore.get(tx, input.id, { forUpdate: true }))!
      if (!['draft', 'edited', 'confirmed'].includes(b.status)) throw new ConflictError(`A brief that is ${b.status} cannot be edited / 当前状态不可编辑`, { brief_status: b.status })
      if (b.version !== input.baseVersion) throw new ConflictError('The brief changed since you read it / 榜单已被他人修改，请刷新后再编辑', { current_version: b.version })
      const cur = (await briefStore.current(tx, b))!
      // only the fields sent (a default of the schema must not overwrite a field nobody touched)
      const sent = new Set(Object.keys((input.content ?? {}) as object))
      const p = Object.fromEntries(Object.entries(patch.data).filter(([k]) => sent.has(k))) as Partial<Content>
      // an indicator a person writes without saying where its target comes from is the person's own figure
      if (p.indicators) p.indicators = p.indicators.map((i, k) => (raw.indicators?.[k]?.basis === undefined ? { ...i, basis: '人工填写' as const } : i))
      // jsonb keeps keys in its own order: compare both in the schema's order
      const before = BriefContent.parse(cur.content)
      const content = BriefContent.parse({ ...before, ...p })
      if (JSON.stringify(content) === JSON.stringify(before)) throw new InvalidError([{ field: 'body.content', message: 'no change' }], 'Nothing changed / 内容无变化')
      const clarity = clarityOf(content)
      const v = await briefStore.addVersion(tx, b, { content, clarity, writer: 'person', authorKeyId: keyOf(ctx), authorRole: ctx.role }, 'edited')
      // an edit after confirmation needs a new confirmation
      if (b.status === 'confirmed') await briefStore.setStatus(tx, b.id, { confirmed: true, confirmedVersion: null, confirmedBy: null })
      await recordAudit(tx, ctx, {
        action: 'brief.edit', objectKind: 'brief', objectId: b.id, orgId: b.org_id,
        before: { version: b.version, ...Object.fromEntries(Object.keys(p).map((k) => [k, cur.content[k as keyof Content]])) },
        after: { version: v, ...Object.fromEntries(Object.keys(p).map((k) => [k, content[k as keyof Content]])) },
      })
      return view((await briefStore.get(tx, b.id))!, await briefStore.version(tx, b.id, v))
    })
  }

  async function listBriefVersions({ ctx, input }: { ctx: Caller; input: { id: string } }) {
    const b = await visible(ctx, input.id)
    return (await briefStore.versions(db, b.id)).map((v) => ({
      version: v.version, writer: v.writer, model: v.model, prompt_version: v.prompt_version, input_hash: v.input_hash,
      clarity_score: v.clarity.score, author_role: v.author_role, notes: v.notes, created_at: iso(v.created_at)!,
    }))
  }

  async function getBriefVersion({ ctx, input }: { ctx: Caller; input: { id: string; version: number } }) {
    const b = await visible(ctx, input.id)
    const v = await briefStore.version(db, b.id, input.version)
    if (!v) throw new NotFoundError(`Version ${input.version} 版本`)
    return { version: v.version, content: v.content, clarity: v.clarity, writer: v.writer, model: v.model, prompt_version: v.prompt_version, input_hash: v.input_hash, notes: v.notes, created_at: iso(v.created_at)! }
  }

  async function diffBriefVersions({ ctx, input }: { ctx: Caller; input: { id: string; from: number; to: number } }) {
    const b = await visible(ctx, input.id)
    const [a, c] = await Promise.all([briefStore.version(db, b.id, input.from), briefStore.version(db, b.id, input.to)])
    if (!a) throw new NotFoundError(`Version ${input.from} 版本`)
    if (!c) throw new NotFoundError(`Version ${input.to} 版本`)
    return { from: a.version, to: c.version, clarity: { from: a.clarity.score, to: c.clarity.score }, changes: diffContent(BriefContent.parse(a.content), BriefContent.parse(c.content)) }
  }

  async function confirmBrief({ ctx, input }: { ctx: Caller; input: { id: string; version: number } }): Promise<BriefView> {
    const b0 = await visible(ctx, input.id)
    assertWriter(ctx, b0)
    return db.transaction(async (tx) => {
      const b = (await briefStore.get(tx, input.id, { forUpdate: true }))!
      if (b.status !== 'draft' && b.status !== 'edited') throw new ConflictError(`A brief that is ${b.status} cannot be confirmed / 当前状态不可确认`, { brief_status: b.status })
      if (b.version !== input.version) throw new ConflictError('You confirmed an older version; read the current one first / 确认的不是当前版本', { current_version: b.version })
      await briefStore.setStatus(tx, b.id, { status: 'confirmed', confirmed: true, confirmedVersion: b.version, confirmedBy: keyOf(ctx) })
      await recordAudit(tx, ctx, { action: 'brief.confirm', objectKind: 'brief', objectId: b.id, orgId: b.org_id, before: { status: b.status }, after: { status: 'confirmed', version: b.version } })
      const nb = (await briefStore.get(tx, b.id))!
      return view(nb, await briefStore.current(tx, nb))
    })
  }

  async function publishBrief({ ctx, input }: { ctx: Caller; input: { id: string } }): Promise<BriefView> {
    const b0 = await visible(ctx, input.id)
    assertWriter(ctx, b0)
    return db.transaction(async (tx) => {
      const b = (await briefStore.get(tx, input.id, { forUpdate: true }))!
      if (b.status !== 'confirmed') throw new ConflictError('Only a confirmed brief can be published / 榜单须先确认才能发布', { brief_status: b.status })
      await briefStore.setStatus(tx, b.id, { status: 'published', stage: 'published', published: true })
      await recordAudit(tx, ctx, { action: 'brief.publish', objectKind: 'brief', objectId: b.id, orgId: b.org_id, before: { status: b.status }, after: { status: 'published', stage: 'published', version: b.version, visibility: b.need_visibility } })
      const nb = (await briefStore.get(tx, b.id))!
      return view(nb, await briefStore.current(tx, nb))
    })
  }

  async function advanceBriefStage({ ctx, input }: { ctx: Caller; input: { id: string; stage: BriefStage } }): Promise<BriefView> {
    const b0 = await visible(ctx, input.id)
    assertWriter(ctx, b0)
    return db.transaction(async (tx) => {
      const b = (await briefStore.get(tx, input.id, { forUpdate: true }))!
      if (b.status !== 'published' || !b.stage) throw new ConflictError('Only a published brief has a lifecycle / 榜单发布后才进入榜单流程', { brief_status: b.status })
      const next = BRIEF_STAGES[BRIEF_STAGES.indexOf(b.stage) + 1]
      if (input.stage !== next) {
        throw new ConflictError(
          next ? `The next stage after ${STAGE_LABELS[b.stage]} is ${STAGE_LABELS[next]} / 下一阶段应为「${STAGE_LABELS[next]}」` : `The brief is closed / 榜单已结束`,
          { stage: b.stage, next_stage: next ?? null },
        )
      }
      await briefStore.setStatus(tx, b.id, { stage: next })
      await recordAudit(tx, ctx, { action: 'brief.stage', objectKind: 'brief', objectId: b.id, orgId: b.org_id, before: { stage: b.stage }, after: { stage: next } })
      const nb = (await briefStore.get(tx, b.id))!
      return view(nb, await briefStore.current(tx, nb))
    })
  }

  async function exportBrief({ ctx, input }: { ctx: Caller; input: { id: string; format: 'md' | 'html'; version?: number } }) {
    const b = await visible(ctx, input.id)
    const v = input.version ? await briefStore.version(db, b.id, input.version) : await briefStore.current(db, b)
    if (!v) throw new ConflictError('The brief has no content yet / 榜单尚在起草', { brief_status: b.status })
    const meta = { id: b.id, version: v.version, status: b.status, stage: b.stage, clarity: v.clarity, model: v.model, prompt_version: v.prompt_version }
    return input.format === 'md' ? briefMarkdown(v.content, meta) : briefHtml(v.content, meta)
  }

  return {
    draftBrief, runDraft, getBrief, listBriefsForNeed, editBrief, listBriefVersions, getBriefVersion, diffBriefVersions, confirmBrief,
    publishBrief, advanceBriefStage, exportBrief,
  }
}

const GENERIC = new Set(['我司', '公司', '企业', '研发', '需求', '技术', '希望', '开发', '问题', '要求', '目前', '现有', '产品', '项目', '研究'])
/** The need's stored keywords that say something about the technology (no numbers, codes or company talk). */
export function briefKeywords(terms: string[]): string[] {
  return terms.filter((t) => !GENERIC.has(t) && !/\d/.test(t) && (/[\u4e00-\u9fff]{2,}/.test(t) ? !/^[时的和与及在为]/.test(t) : /^[a-z]{3,}$/i.test(t))).slice(0, 12)
}

/** Input hash of a template draft: the same need, references and navigation give the same hash. */
function templateHash(input: unknown): string {
  return createHash('sha256').update(`template/v1\n${JSON.stringify(input)}`).digest('hex').slice(0, 32)
}

export type BriefService = ReturnType<typeof createBriefService>
