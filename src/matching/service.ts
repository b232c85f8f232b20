// Matching, orchestrated: query (query.ts) -> candidates (candidates.ts, retrieve.ts) -> scoring and explaining
// (score.ts, explain.ts, calibrate.ts) -> judging (judge.ts) -> storing (store.ts). One path ranks a need's list;
// an item change re-runs the needs it may enter, so every list is on the need's own scale.
// Reading and reviewing (review.ts) apply one rule (visibility.ts): a match is shown only to a caller who may read both ends.
import { DEFAULT_MATCH_WEIGHTS, type Config, type MatchWeights } from '../config'
import type { Db } from '../db'
import type { Logger } from '../log'
import { ConflictError, ForbiddenError } from '../errors'
import { KIND_DEFS } from '../catalog/kinds'
import { checkAborted, jobId, type JobQueue, RetryLaterError } from '../jobs/registry'
import { jobStore } from '../jobs/store'
import type { Embedder } from '../models'
import type { ChatModel } from '../models/chat'
import { type Caller, ownsOrStaff, requireRole, visibleOr404 } from '../orgs/access'
import { type Band, bandOf, DEFAULT_CALIBRATION } from './calibrate'
import { createRetriever, type Mode, type Ranked } from './candidates'
import { inferIpcGroups } from './features'
import { judge } from './judge'
import { type MatchQuery, queryFromRow, queryFromText } from './query'
import { byScore, type QuerySide, type Ranker, recalibrate, scoreCandidates, type ScoredMatch } from './score'
import { type ItemKind, type ItemRow, matchStore, type NeedRow, TABLE_OF } from './store'
import { createTermStats } from './term-stats'
import { createRankerSource, fitRanker } from './ranker/learned'
import { rankerStore } from './ranker/store'
import { createMatchReview } from './review'

export type { Mode } from './candidates'
export { MODE_SOURCES } from './candidates'
export type { ItemKind } from './store'
export { REVIEW_REASONS, type MatchView } from './review'

/** Needs an item change re-runs: the open needs it ranks highest for, plus those that already list it. */
const AFFECTED_NEEDS = 30
const PAGE = 500
/**
 * Rows a search's sparse stage scores exactly (a need's run scores 300). Measured on patents-cls-dev, the search path:
 * 100 rows scored nDCG@10 0.3020 against 0.3012 (Recall@100 0.3346 / 0.3389), at a sixth less database time per request
 * under load (README). Need runs keep 300: on zhibei-dev 200 already cost 0.012.
 */
const SEARCH_RESCORE = 100


/** A re-match waits for index jobs still running: the runner retries it (an expected wait, not a fault). */
export class IndexPendingError extends RetryLaterError {
  override name = 'IndexPendingError'
}

export function createMatchingService(deps: { db: Db; embedder: Embedder; config: Config; queue: JobQueue; chat?: ChatModel; logger?: Logger; ranker?: Ranker }) {
  const { db, embedder, config, queue, chat } = deps
  const termStats = createTermStats(db)
  const weights: MatchWeights = { ...DEFAULT_MATCH_WEIGHTS, ...(config.MATCH_WEIGHTS as Partial<MatchWeights>) }
  // the promoted learned ranker of the platform, else the hand-set weights (ranker/learned.ts)
  const rankers = createRankerSource(db, weights)
  const retriever = createRetriever({ db, config, weights, termStats })
  const { rank } = retriever
  const floor = config.MATCH_STRENGTH_FLOOR ?? DEFAULT_CALIBRATION.floor

  // ---- ranking ----

  /**
   * Ranks achievements and patents for a query side. Candidate rows are read once: the patents' rows also give the
   * IPC groups the query is likely about (from its nearest patents).
   */
  async function rankItems(
    q: MatchQuery, side: Omit<QuerySide, 'need'> & { need: Omit<QuerySide['need'], 'ipcGroups'> }, kinds: ItemKind[], mode: Mode, limit: number,
    o: { textSignals?: boolean; rescore?: number } = {},
  ) {
    const ranker = deps.ranker ?? (await rankers.current())
    // the rows scored: the sparse stage returns its best rows' fields with them, the others are read here
    const n = Math.max(limit * 3, 50)
    const scope = (table: 'patents' | 'achievements') => ({ rows: { columns: matchStore.columns(table), n }, rescore: o.rescore })
    const rowsOf = async (table: 'patents' | 'achievements', fused: Ranked[]) => {
      const top = fused.slice(0, n)
      const rows = new Map(top.filter((c) => c.row).map((c) => [c.id, c.row as unknown as ItemRow]))
      for (const [id, r] of await matchStore.itemRows(db, table, top.filter((c) => !c.row).map((c) => c.id))) rows.set(id, r)
      return rows
    }
    // the nearest patents' IPC groups only score patents: a search of achievements alone reads no patent
    const none = Promise.resolve([] as Ranked[])
    const [patents, achievements] = await Promise.all([
      kinds.includes('patent') ? rank('patents', q, mode, undefined, scope('patents')) : none,
      kinds.includes('achievement') ? rank('achievements', q, mode, undefined, scope('achievements')) : none,
    ])
    const [patentRows, achievementRows] = await Promise.all([rowsOf('patents', patents), rowsOf('achievements', achievements)])
    const ipcGroups = inferIpcGroups(patents.slice(0, 10).filter((c) => patentRows.has(c.id)).map((c) => ({ ipc_codes: patentRows.get(c.id)!.ipc_codes ?? [] })))
    const query: QuerySide = { ...side, need: { ...side.need, ipcGroups } }
    const scored: ScoredMatch[] = []
    const rows = new Map<string, ItemRow>()
    for (const [kind, fused, byId] of [['patent', patents, patentRows], ['achievement', achievements, achievementRows]] as const) {
      if (!kinds.includes(kind)) continue
      scored.push(...scoreCandidates(query, kind, fused.slice(0, n), byId, ranker, weights.features, { ...o, limit }))
      for (const [id, r] of byId) rows.set(`${kind}:${id}`, r)
    }
    return { scored: scored.sort(byScore), rows }
  }

  const needQuerySide = (n: NeedRow): Parameters<typeof rankItems>[1] => ({
    title: n.title, need_id: n.id,
    text: [n.title, n.body, n.indicators.map((i) => [i.name, i.target, i.unit].filter(Boolean).join(' ')).join('；')].filter(Boolean).join('\n'),
    indicators: n.indicators ?? [],
    need: { industry: n.industry, region: n.region, budget_max: n.budget_max, cooperation_modes: n.cooperation_modes, maturity_min: n.maturity_min },
  })

  /** A need's ranked, judged, calibrated suggestions (not stored): what a run writes and what evaluation reads. */
  async function rankNeed(need: NeedRow & Parameters<typeof queryFromRow>[0]) {
    const { scored, rows } = await rankItems(queryFromRow(need), needQuerySide(need), ['achievement', 'patent'], 'hybrid', config.MATCH_MAX_SUGGESTIONS)
    const judged = await judge({ db, chat, logger: deps.logger, topN: config.RERANK_TOP_N, weight: weights.model }, need, scored, rows)
    return judged
      .map((m) => (m.model ? recalibrate(m, weights.features) : m))
      .filter((m) => m.strength >= floor)
      .slice(0, config.MATCH_MAX_SUGGESTIONS)
  }

  /** Job: match one need and store its suggestions (reviewed pairs stay as they are). */
  async function runForNeed(needId: string, runId: string, catalogVersion?: number, signal?: AbortSignal) {
    const need = await matchStore.queryRow(db, 'needs', needId)
    if (!need) return { skipped: 'need not found' }
    if (need.status !== 'open') return { skipped: `need is ${need.status}`, withdrawn: await matchStore.withdrawNeed(db, needId) }
    if (catalogVersion !== undefined) {
      const last = await matchStore.lastRunVersion(db, needId)
      if (last !== null && last >= catalogVersion) return { skipped: 'already matched at this catalogue version' }
    }
    const version = await matchStore.catalogVersion(db) // read before ranking: a later change re-runs the need
    const ranked = await rankNeed(need)
    checkAborted(signal) // given up while ranking: the run stores nothing
    return db.transaction(async (tx) => {
      const saved = await matchStore.saveRun(tx, needId, runId, ranked.map((m) => ({
        need_id: needId, item_kind: m.kind, item_id: m.id, score: m.score, strength: m.strength, components: m.components, explanation: m.explanation,
        model: m.model?.model, prompt_version: m.model?.prompt_version, input_hash: m.model?.input_hash, model_rationale: m.model?.rationale,
      })))
      await matchStore.recordRun(tx, needId, version)
      return { ...saved, catalog_version: version }
    })
  }

  /** Queues a re-run per need, its id from the need and the catalogue version (queued twice = run once). */
  async function enqueueNeedRuns(needIds: string[], version: number): Promise<number> {
    const ids = [...new Set(needIds)]
    for (let i = 0; i < ids.length; i += PAGE) {
      await queue.enqueueMany(ids.slice(i, i + PAGE).map((id) => ({
        name: 'matching.run' as const,
        payload: { kind: 'need' as const, id, runId: `need:${id}:v${version}`, catalogVersion: version },
        opts: { jobId: jobId('match', 'need', id, `v${version}`), orgId: null },
      })))
    }
    return ids.length
  }

  /**
   * Job: an achievement or patent was written. The open needs it may enter (its best-ranked open needs) and those
   * that list it already are re-run through their own ranking: one scale for every list.
   */
  async function runForItem(kind: ItemKind, itemId: string, signal?: AbortSignal) {
    const table = TABLE_OF[kind]
    const item = await matchStore.queryRow(db, table, itemId)
    // a version of its own: the write that indexed the item moved the sequence before it committed (sequences are not
    // transactional), so a need run that started in between recorded that version without seeing the item, and a
    // re-run at the same version would be skipped as already done
    const version = await matchStore.bumpCatalogVersion(db)
    const already = (await matchStore.needsSuggesting(db, itemId)).map((n) => n.id)
    // a withdrawn or unindexed item enters no list (its suggestions went with the write that withdrew it)
    if (!item || !item.embedding || item.status !== 'active') return { needs: await enqueueNeedRuns(already, version) }
    const fused = await rank('needs', queryFromRow(item), 'hybrid')
    checkAborted(signal)
    return { needs: await enqueueNeedRuns([...fused.slice(0, AFFECTED_NEEDS).map((c) => c.id), ...already], version) }
  }

  /** Queues one re-run of every open need at this catalogue version. */
  async function rematchOpenNeeds(version: number): Promise<{ needs: number }> {
    let needs = 0
    for (let after: string | null = null; ; ) {
      const page = await matchStore.openNeedIds(db, after, PAGE)
      if (!page.length) break
      needs += await enqueueNeedRuns(page.map((n) => n.id), version)
      after = page[page.length - 1]!.id
    }
    return { needs }
  }

  /**
   * Job `matching.rematch` (after an import or a re-embed): once the index jobs it waits for (ids starting with
   * `after`) have finished, every open need is re-run once against the indexed rows. While one is still waiting,
   * running or retrying, this attempt fails and the runner retries it with backoff; the last attempt re-matches with
   * what is indexed, at a catalogue version of its own (needs re-embedded change their own candidates although the
   * catalogue does not move, and a need run may have started while the last index write was committing).
   */
  async function rematchWhenIndexed(p: { kinds: string[]; after: string }, attempt: { n: number; max: number }) {
    const pending = await jobStore.countUnfinished(db, p.after)
    if (pending && attempt.n < attempt.max) throw new IndexPendingError(`waiting for ${pending} index job(s) ${p.after}* / 等待索引完成后再重新匹配`)
    // a version of its own (see runForItem): a need run that started while the last index write was committing may have
    // recorded the current version without seeing its rows
    const version = await matchStore.bumpCatalogVersion(db)
    const { needs } = await rematchOpenNeeds(version)
    return { needs, catalog_version: version, ...(pending ? { unindexed_jobs: pending } : {}) }
  }

  /**
   * POST /v1/search: rank the catalogue for free text over what the caller may see (filtered inside each source, so
   * ranks, normalisation and fusion never count a row the caller cannot read).
   */
  async function search(ctx: Caller, input: { query: string; title?: string; kinds: ('achievement' | 'patent' | 'need')[]; mode: Mode; limit: number }) {
    // the dense source weighs 0 by default (it only runs in dense mode then): no embedding to compute or pay for
    const q = await queryFromText(input.mode === 'dense' || weights.dense > 0 ? embedder : null, input.query, input.title)
    const itemKinds = input.kinds.filter((k): k is ItemKind => k !== 'need')
    const results: { kind: string; id: string; title: string; score: number; strength: number | null; band: Band | null; components: unknown; explanation: unknown }[] = []
    if (itemKinds.length) {
      const text = input.title ? `${input.title}\n${input.query}` : input.query
      // nothing of a search is kept: text agreement only if the ranker reads it
      const { scored } = await rankItems(q, { text, title: input.title, indicators: [], need: {} }, itemKinds, input.mode, input.limit, { textSignals: false, rescore: SEARCH_RESCORE })
      results.push(...scored.map((m) => ({ kind: m.kind, id: m.id, title: m.title, score: m.score, strength: m.strength, band: bandOf(m.strength), components: m.components, explanation: m.explanation })))
    }
    if (input.kinds.includes('need')) {
      const fused = await rank('needs', q, input.mode, (p) => KIND_DEFS.need.visibleSql(ctx, p))
      const rows = await matchStore.needRows(db, fused.slice(0, input.limit * 3).map((c) => c.id))
      const best = fused[0]?.rrf || 1
      for (const c of fused) {
        const n = rows.get(c.id)
        if (!n || !KIND_DEFS.need.maySee(ctx, n)) continue
        results.push({ kind: 'need', id: c.id, title: n.title, score: Math.round((c.rrf / best) * 1e4) / 1e4, strength: null, band: null, components: { rrf: c.rrf, sources: c.ranks }, explanation: {} })
      }
    }
    return results.sort(byScore).slice(0, input.limit)
  }

  // ---- running on request ----

  /** POST /v1/needs/{id}/match: the owning enterprise or staff queue a run of an open need. */
  async function runNeed({ ctx, input }: { ctx: Caller; input: { id: string } }) {
    const need = visibleOr404(await matchStore.end(db, 'needs', input.id), (n) => KIND_DEFS.need.maySee(ctx, n), KIND_DEFS.need.label)
    if (!ownsOrStaff(ctx, need.org_id)) throw new ForbiddenError('Only the owning enterprise or a manager may run matching / 仅需求方或技术经理人可发起匹配')
    if (need.status !== 'open') throw new ConflictError(`Only open needs are matched; this one is ${need.status} / 仅对开放中的需求进行匹配`)
    const now = Date.now()
    const job = jobId('match', 'need', need.id, now)
    await queue.enqueue('matching.run', { kind: 'need', id: need.id, runId: `need:${need.id}:manual-${now}` }, { jobId: job, orgId: need.org_id })
    return { job_id: job }
  }

  return {
    termStats, rank, rankItems, rankNeed, needQuerySide, queryFromText: (text: string, title?: string) => queryFromText(embedder, text, title),
    runForNeed, runForItem, rematchWhenIndexed, search,
    runNeed,
    ...createMatchReview({
      db,
      // enough new reviews since the last fit: one fit job per platform and batch of new reviews (it decides itself)
      onReviewed: async () => {
        const n = await rankerStore.count(db)
        const last = await rankerStore.lastFit(db, 'default')
        if (n < config.RANKER_MIN_REVIEWS || n - last < config.RANKER_MIN_NEW_REVIEWS) return
        const batch = Math.floor((n - last) / config.RANKER_MIN_NEW_REVIEWS)
        await queue.enqueue('matching.fit-ranker', { platform: 'default' }, { jobId: jobId('fit-ranker', 'default', last, batch), orgId: null })
      },
    }),
    fitRanker: (platform: string, signal?: AbortSignal) =>
      fitRanker(db, platform, { minReviews: config.RANKER_MIN_REVIEWS, minNew: config.RANKER_MIN_NEW_REVIEWS, signal }).finally(() => rankers.invalidate()),
    rankerVersions: ({ ctx, input }: { ctx: Caller; input: { platform?: string } }) => {
      requireRole(ctx, 'manager', 'admin')
      return rankerStore.versions(db, input.platform ?? 'default')
    },
  }
}

export type MatchingService = ReturnType<typeof createMatchingService>
