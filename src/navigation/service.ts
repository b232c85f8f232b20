// Patent-navigation reports: order (a job builds it), read (JSON, Markdown, HTML), list, rebuild, confirm the summary.
// Who: managers, admins and organisers for any scope; an enterprise for its own needs only. A report is built with
// the visibility of whoever ordered it, and read by staff and by the organisation that ordered it.
import type { Db, Queryable } from '../db'
import { ConflictError, ForbiddenError, InvalidError } from '../errors'
import { recordAudit } from '../audit/store'
import { type CatalogRow, KIND_DEFS } from '../catalog/kinds'
import { catalogStore } from '../catalog/store'
import { checkAborted, jobId, PermanentJobError, type JobQueue } from '../jobs/registry'
import { withJobs } from '../jobs/outbox'
import type { MatchingService } from '../matching/service'
import type { ChatModel } from '../models/chat'
import { type Caller, isStaff, requireRole, SYSTEM, visibleOr404 } from '../orgs/access'
import { buildReport, type NeedScope } from './build'
import { patentsForNeed } from './need-scope'
import { renderHtml, renderMarkdown } from './render'
import { ConfirmBody, ReportCreate, REPORT_STATUS, type ReportStatus, type Scope, scopeHasCriteria } from './schema'
import { navigationStore as store, type ReportRow, type StoredCaller } from './store'
import { writeSummary } from './summary'
import { z } from 'zod'
import { decodeCursor, encodeCursor } from '../pagination'
import { isoDateTime } from '../validation'
import { zodFieldErrors } from '../errors'

const LABEL = '专利导航报告 navigation report'
const CursorSchema = z.object({ at: isoDateTime(), id: z.uuid() }).strict()

export const maySeeReport = (caller: Caller, r: Pick<ReportRow, 'org_id'>) => isStaff(caller) || (caller.kind === 'key' && caller.orgId === r.org_id)

function storedCaller(c: Caller): StoredCaller {
  return c.kind === 'key' ? { kind: 'key', keyId: c.keyId, role: c.role, orgId: c.orgId, orgKind: c.orgKind } : { kind: 'system', role: 'system' }
}
const asCaller = (c: StoredCaller): Caller => c as Caller

function parse<T extends z.ZodType>(schema: T, input: unknown, prefix = 'body'): z.output<T> {
  const r = schema.safeParse(input)
  if (!r.success) throw new InvalidError(zodFieldErrors(r.error.issues, prefix))
  return r.data
}

export function createNavigationService(deps: { db: Db; queue: JobQueue; matching: MatchingService; chat?: ChatModel }) {
  const { db, queue } = deps

  /** The need a report is scoped by, read through the catalogue's store (its owner checks visibility). */
  const needRow = (id: string): Promise<CatalogRow<'need'> | null> => catalogStore.get(db, KIND_DEFS.need, id)

  /** Records the build job in the writer's transaction (outbox): the report and its job commit together. */
  async function enqueue(tx: Queryable, row: Pick<ReportRow, 'id' | 'org_id'>, build: number): Promise<string> {
    const id = jobId('navigation', row.id, build)
    await store.setJob(tx, row.id, id)
    await queue.enqueue('navigation.build', { reportId: row.id, build }, { jobId: id, orgId: row.org_id, tx })
    return id
  }

  /** POST /v1/navigation-reports: checks who may order this scope, stores the report (queued) and queues its build. */
  async function createReport({ ctx, input }: { ctx: Caller; input: unknown }): Promise<ReportRow> {
    requireRole(ctx, 'manager', 'admin', 'organizer', 'enterprise')
    const body = parse(ReportCreate, input)
    if (!scopeHasCriteria(body.scope)) {
      throw new InvalidError([{ field: 'body.scope', message: 'name a need, keywords, IPC prefixes, applicants, dates, types or legal status' }], '检索范围为空 / The scope is empty')
    }
    if (body.scope.date_from && body.scope.date_to && body.scope.date_from > body.scope.date_to) {
      throw new InvalidError([{ field: 'body.scope.date_to', message: 'must not be before date_from' }])
    }
    let need: CatalogRow<'need'> | null = null
    if (body.scope.need_id) {
      need = visibleOr404(await needRow(body.scope.need_id), (n) => KIND_DEFS.need.maySee(ctx, n), KIND_DEFS.need.label)
    }
    if (ctx.kind === 'key' && ctx.role === 'enterprise' && (!need || need.org_id !== ctx.orgId)) {
      throw new ForbiddenError('An enterprise may order navigation reports for its own needs only / 企业只能为本企业的需求生成导航报告')
    }
    if (ctx.kind !== 'key') throw new ForbiddenError('no organisation')
    const title = body.title ?? (need ? `${need.title} 专利导航` : `${[...body.scope.keywords, ...body.scope.ipc].slice(0, 3).join('、') || '专利'} 专利导航`)
    return withJobs(db, queue, async (tx) => {
      const r = await store.insert(tx, { orgId: ctx.orgId, caller: storedCaller(ctx), title, scope: { ...body.scope, ...(body.k ? { k: body.k } : {}) }, needId: need?.id ?? null })
      await recordAudit(tx, ctx, { action: 'navigation_report.create', objectKind: 'navigation_report', objectId: r.id, orgId: r.org_id, after: { title, scope: r.scope }, note: { need: Boolean(need) } })
      return { ...r, job_id: await enqueue(tx, r, r.build) }
    })
  }

  async function getReport({ ctx, input }: { ctx: Caller; input: { id: string } }): Promise<ReportRow> {
    return visibleOr404(await store.get(db, input.id), (r) => maySeeReport(ctx, r), LABEL)
  }

  /** GET /v1/navigation-reports/{id}?format=md|html: the built report rendered (409 while it is not built yet). */
  async function renderReport({ ctx, input }: { ctx: Caller; input: { id: string; format: 'md' | 'html' } }): Promise<string> {
    const row = await getReport({ ctx, input })
    if (row.status !== 'completed' || !row.report) throw new ConflictError(`The report is ${row.status}, not built yet / 报告尚未生成（${row.status}）`, { report_status: row.status })
    const meta = { summary: row.summary, summaryState: row.summary_state, confirmedAt: row.confirmed_at }
    return input.format === 'html' ? renderHtml(row.report, meta) : renderMarkdown(row.report, meta)
  }

  async function listReports({ ctx, input }: { ctx: Caller; input: { limit: number; cursor?: string; status?: ReportStatus } }) {
    const before = decodeCursor(input.cursor, CursorSchema)
    const orgId = isStaff(ctx) ? undefined : ctx.kind === 'key' ? ctx.orgId : undefined
    if (input.status && !REPORT_STATUS.includes(input.status)) throw new InvalidError([{ field: 'query.status', message: 'unknown status' }])
    const rows = await store.list(db, { orgId, status: input.status, before, limit: input.limit + 1 })
    const page = rows.slice(0, input.limit)
    const last = page[page.length - 1]
    return { items: page.map(({ at_key: _k, ...r }) => r), next_cursor: rows.length > input.limit && last ? encodeCursor({ at: last.at_key, id: last.id }) : null }
  }

  /** POST .../rebuild: a new build over the current data (the summary becomes a draft again). */
  async function rebuildReport({ ctx, input }: { ctx: Caller; input: { id: string } }): Promise<ReportRow> {
    const row = await getReport({ ctx, input })
    requireRole(ctx, 'manager', 'admin', 'organizer', 'enterprise')
    if (row.status === 'queued' || row.status === 'running') throw new ConflictError('The report is being built / 报告正在生成', { report_status: row.status })
    await withJobs(db, queue, async (tx) => {
      const locked = await store.get(tx, row.id, { forUpdate: true })
      if (!locked || locked.status === 'queued' || locked.status === 'running') throw new ConflictError('The report is being built / 报告正在生成')
      const b = await store.rebuild(tx, row.id)
      await recordAudit(tx, ctx, { action: 'navigation_report.rebuild', objectKind: 'navigation_report', objectId: row.id, orgId: row.org_id, note: { build: b } })
      await enqueue(tx, row, b)
    })
    return (await store.get(db, row.id))!
  }

  /** POST .../confirm (managers): the summary, as drafted or as edited, becomes the confirmed one. */
  async function confirmReport({ ctx, input }: { ctx: Caller; input: { id: string; body: unknown } }): Promise<ReportRow> {
    const row = await getReport({ ctx, input })
    requireRole(ctx, 'manager', 'admin')
    const body = parse(ConfirmBody, input.body ?? {})
    if (row.status !== 'completed' || !row.summary) throw new ConflictError(`The report is ${row.status}, nothing to confirm / 报告尚未生成`, { report_status: row.status })
    const drafted = row.summary
    const edited = body.summary !== undefined && body.summary !== drafted.text
    const summary = edited ? { ...drafted, text: body.summary!, edited: true } : drafted
    await db.transaction(async (tx) => {
      await store.confirm(tx, row.id, ctx.kind === 'key' ? ctx.keyId : null, summary)
      await recordAudit(tx, ctx, {
        action: 'navigation_report.confirm', objectKind: 'navigation_report', objectId: row.id, orgId: row.org_id,
        before: { summary_state: row.summary_state, summary: drafted.text }, after: { summary_state: 'confirmed', summary: summary.text },
        note: { edited, source: drafted.source },
      })
    })
    return (await store.get(db, row.id))!
  }

  /** The newest built report of a need that the caller may read (staff: anyone's; others: their organisation's), or null. */
  async function latestReportForNeed({ ctx, input }: { ctx: Caller; input: { needId: string } }): Promise<ReportRow | null> {
    if (ctx.kind === 'key' && !isStaff(ctx)) return store.latestForNeed(db, input.needId, ctx.orgId)
    return store.latestForNeed(db, input.needId)
  }

  /** Job `navigation.build`: builds one build of a report; a superseded build stops, and so does one given up (`signal`). */
  async function runBuild(reportId: string, build: number, progress: (p: Record<string, unknown>) => Promise<void>, signal?: AbortSignal) {
    const row = await store.get(db, reportId)
    if (!row) throw new PermanentJobError(`navigation report ${reportId} not found`)
    if (row.build !== build) return { skipped: 'superseded by a newer build' }
    const step = async (s: string, percent: number) => {
      checkAborted(signal) // between build steps: a given-up build writes no further step
      await store.progress(db, reportId, build, 'running', { step: s, percent })
      await progress({ step: s, percent })
    }
    try {
      await step('start', 1)
      const caller = asCaller(row.caller)
      const scope = row.scope as Scope & { k?: number }
      let need: NeedScope | undefined
      let modelAllowed = true
      if (scope.need_id) {
        const n = await needRow(scope.need_id)
        if (!n || !KIND_DEFS.need.maySee(caller, n)) throw new PermanentJobError('the need of this report is gone or no longer visible / 需求已不存在或不可见')
        // a private need's text never leaves the platform for a model provider
        modelAllowed = n.visibility !== 'private'
        await step('need', 3)
        need = {
          need: { id: n.id, title: String(n.title), text: `${n.title}\n${n.description ?? ''}` },
          relevance: await patentsForNeed(deps.matching, n, {
            minRelevance: scope.need_min_relevance, limit: scope.need_limit, visible: (p) => KIND_DEFS.patent.visibleSql(caller, p),
          }),
        }
      }
      const report = await buildReport(db, { title: row.title, scope, k: scope.k, caller, need, progress: step })
      await step('summary', 95)
      const summary = await writeSummary(db, modelAllowed ? deps.chat : undefined, report)
      checkAborted(signal)
      const done = await db.transaction(async (tx) => {
        const ok = await store.complete(tx, reportId, build, report, summary)
        if (ok) {
          await recordAudit(tx, SYSTEM, {
            action: 'navigation_report.build', objectKind: 'navigation_report', objectId: reportId, orgId: row.org_id,
            note: { build, patents: report.counts.patents, summary: summary.source },
          })
        }
        return ok
      })
      await progress({ step: 'done', percent: 100 })
      return done ? { patents: report.counts.patents, summary: summary.source } : { skipped: 'superseded by a newer build' }
    } catch (err) {
      await store.progress(db, reportId, build, 'failed', { step: 'failed' }, String((err as Error).message).slice(0, 500))
      throw err
    }
  }

  return { createReport, getReport, renderReport, listReports, rebuildReport, confirmReport, runBuild, latestReportForNeed }
}

export type NavigationService = ReturnType<typeof createNavigationService>
