// Wires the domain services together; routes and job handlers receive this one object.
import type { Logger } from './log'
import type { Config } from './config'
import { createAuditService } from './audit/service'
import { createBriefService } from './briefs/service'
import type { Db } from './db'
import { createDemoService } from './demo/service'
import { PreparePool } from './catalog/prepare-pool'
import { createCatalogService } from './catalog/service'
import { createImportService } from './imports/service'
import { createMatchingService } from './matching/service'
import { createNavigationService } from './navigation/service'
import { JOBS, type JobHandlers, type JobQueue } from './jobs/registry'
import { createEmbedder, type Embedder } from './models'
import { type ChatModel, createChatModel } from './models/chat'
import { createOrgService } from './orgs/service'
import { createRoadshowService } from './roadshows/service'
import { createJudgeService } from './roadshows/judges'

export function createServices(db: Db, config: Config, queue: JobQueue, opts: { embedder?: Embedder; chat?: ChatModel | null; logger?: Logger } = {}) {
  const embedder = opts.embedder ?? createEmbedder(config)
  const preparePool = new PreparePool(embedder)
  const catalog = createCatalogService({ db, queue, embedder, preparePool })
  const chat = opts.chat === undefined ? createChatModel(config) : opts.chat ?? undefined
  const matching = createMatchingService({ db, embedder, config, queue, chat, logger: opts.logger })
  const navigation = createNavigationService({ db, queue, matching, chat })
  return {
    preparePool,
    queue,
    embedder,
    matching,
    navigation,
    briefs: createBriefService({ db, queue, catalog, matching, navigation, chat, logger: opts.logger }),
    roadshows: createRoadshowService({ db, matching }),
    judges: createJudgeService({ db }),
    orgs: createOrgService(db),
    audit: createAuditService(db),
    catalog,
    demo: createDemoService({ db, catalog }),
    imports: createImportService({ db, queue, catalog, preparePool }),
  }
}

export type Services = ReturnType<typeof createServices>

/** Job name -> handler; every job in the catalogue has exactly one (the type says so). */
export function createJobHandlers(s: Services): JobHandlers {
  return {
    'catalog.index': (p, ctx) => s.catalog.indexRows(p.kind, p.ids, p.force, ctx.signal),
    'catalog.reembed': (p, ctx) => s.catalog.reembed(p.kinds, p.force, ctx.progress, ctx.signal, ctx.jobId),
    'imports.run': (p, ctx) => s.imports.run(p.importId, ctx.progress, ctx.signal),
    'navigation.build': (p, ctx) => s.navigation.runBuild(p.reportId, p.build, ctx.progress, ctx.signal),
    'briefs.draft': (p, ctx) => s.briefs.runDraft(p, { attempt: ctx.attempt, maxAttempts: JOBS['briefs.draft'].attempts, signal: ctx.signal }),
    'matching.fit-ranker': (p, ctx) => s.matching.fitRanker(p.platform, ctx.signal),
    'matching.rematch': async (p, ctx) => {
      const r = await s.matching.rematchWhenIndexed(p, { n: ctx.attempt, max: JOBS['matching.rematch'].attempts })
      if (p.importId) await s.imports.setRematched(p.importId, r.needs)
      return r
    },
    'matching.run': (p, ctx) => (p.kind === 'need' ? s.matching.runForNeed(p.id, p.runId, p.catalogVersion, ctx.signal) : s.matching.runForItem(p.kind, p.id, ctx.signal)),
  }
}
