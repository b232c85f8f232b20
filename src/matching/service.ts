// Matching: retrieve (dense + sparse + lexical) -> fuse (RRF) -> feature re-rank -> explain -> store for review.
import { ConflictError, InvalidError } from '../errors'
import { DEFAULT_MATCH_WEIGHTS, type Config, type MatchWeights } from '../config'
import type { Db } from '../db'
import { Params } from '../db/params'
import type { Logger } from '../log'
import type { Embedder } from '../models'
import type { ChatModel } from '../models/chat'
import { parseSparse, sparseFromAnalysis, type SparseVector, weightQuery, wordIndex } from '../models/sparse'
import { type Caller, isStaff, requireRole, visibleOr404 } from '../orgs/access'
import { analyze, normalize, searchTokens, tokenize } from '../text/analyze'
import { KIND_DEFS, type Row } from '../catalog/kinds'
import { computeFeatures, finalScore, inferIpcGroups, ipcGroup, type ItemSide, type NeedSide, reasons } from './features'
import { type Candidate, denseCandidates, exactScores, lexicalCandidates, reciprocalRankFusion, relevanceOf, type RetrievalOptions, sparseCandidates, type Source, type Table } from './retrieve'
import { type MatchRow, matchStore, type NewMatch } from './store'
import type { RerankSide } from '../prompts/match-rerank'
import { rerankWithModel } from './rerank'
import { createTermStats } from './term-stats'

export type Mode = 'hybrid' | 'dense' | 'lexical'
export const MODE_SOURCES: Record<Mode, Source[]> = { hybrid: ['dense', 'sparse', 'lexical'], dense: ['dense'], lexical: ['sparse', 'lexical'] }
export type ItemKind = 'achievement' | 'patent'
const TOP_PER_KIND = 30
/** Row attributes the chat model is shown besides title and text. */
const RERANK_ATTRS = new Set(['industry', 'field', 'region', 'maturity', 'trl', 'transfer_modes', 'price_min', 'legal_status', 'ipc_codes', 'budget_max', 'cooperation_modes', 'maturity_min'])
export const REVIEW_REASONS = ['技术方向不符', '成熟度不足', '价格或预算不符', '地域或合作方式不符', '已有合作', '其他'] as const

/** Where each target kind may be matched from: published achievements, patents that are not lapsed, open needs. */
const ELIGIBLE: Record<Table, string> = {
  achievements: "t.status = 'active'",
  patents: "t.legal_status IS DISTINCT FROM 'invalid'",
  needs: "t.status = 'open'",
}

export interface MatchQuery {
  embedding: number[]
  sparse: SparseVector
  terms: string[]
}

interface Ranked {
  id: string
  rrf: number
  /** exact relevance in [0, 1] (retrieve.ts relevanceOf): absolute, so comparable across queries */
  relevance: number
  ranks: Partial<Record<Source, number>>
  scores: Partial<Record<Source, number>>
}

const META: Record<Table, string> = {
  achievements: 'id, org_id, title, summary AS body, industry, field, region, maturity, trl, transfer_modes, price_min, terms, updated_at AS date',
  patents: "id, org_id, title, abstract AS body, NULL AS industry, NULL AS field, region, NULL AS maturity, NULL::int AS trl, '{}'::text[] AS transfer_modes, NULL::numeric AS price_min, legal_status, ipc_codes, terms, coalesce(application_date::text, updated_at::text) AS date",
  needs: 'id, org_id, title, description AS body, industry, region, budget_max, cooperation_modes, maturity_min, visibility, terms, updated_at AS date',
}

export function createMatchingService(deps: { db: Db; embedder: Embedder; config: Config; chat?: ChatModel; logger?: Logger }) {
  const { db, embedder, config, chat } = deps
  const termStats = createTermStats(db)
  const weights: MatchWeights = { ...DEFAULT_MATCH_WEIGHTS, ...(config.MATCH_WEIGHTS as Partial<MatchWeights>) }
  const opts = (table: Table): RetrievalOptions => ({
    k: config.MATCH_CANDIDATES,
    efSearch: Math.max(config.HNSW_EF_SEARCH, config.MATCH_CANDIDATES),
    where: () => ELIGIBLE[table],
    prfDocs: weights.prf > 0 ? 10 : 0,
    prfBeta: weights.prf,
    // bounded work per query (see retrieve.ts); chosen on the patents dev split and the 100k benchmark (README)
    queryTerms: 64,
    postingsPerTerm: 300,
    rescore: 300,
    lexicalRows: 600,
  })

  /** Stage 1 + 2: candidates from each source of the mode, fused. */
  async function rank(table: Table, q: MatchQuery, mode: Mode): Promise<Ranked[]> {
    // no indexable word (e.g. "!!! ???"): nothing to match, rather than a zero vector's NaN distances in SQL
    if (!q.terms.length && !q.sparse.indices.length) return []
    const o = opts(table)
    const sources = MODE_SOURCES[mode]
    // the sources are independent: on PostgreSQL they run at once on separate connections
    const none = Promise.resolve(undefined)
    const [dense, sparse, lexical] = await Promise.all([
      sources.includes('dense') ? denseCandidates(db, table, q.embedding, o) : none,
      sources.includes('sparse') ? sparseCandidates(db, table, q.sparse, o, async (ix) => (await termStats.idfFor(table, ix)).idf) : none,
      sources.includes('lexical')
        ? termStats.idfFor(table, q.terms.map(wordIndex)).then((stats) => lexicalCandidates(db, table, q.terms, o, (t) => stats.df(wordIndex(t))))
        : none,
    ])
    const lists: Partial<Record<Source, Candidate[]>> = {}
    if (dense) lists.dense = dense
    if (sparse) lists.sparse = sparse
    if (lexical) lists.lexical = lexical
    // the sources propose candidates; each is then scored exactly (absolute, comparable across queries) and ordered by it
    const fused = reciprocalRankFusion(lists, weights, config.MATCH_RRF_K)
    const plain = sources.includes('sparse') ? weightQuery(q.sparse, (await termStats.idfFor(table, q.sparse.indices)).idf) : undefined
    const exact = await exactScores(db, table, fused.map((c) => c.id), { sparse: plain, embedding: sources.includes('dense') && weights.dense > 0 ? q.embedding : undefined })
    return fused
      .map((c) => ({ ...c, relevance: relevanceOf(exact.get(c.id), weights, sources) }))
      .sort((a, b) => b.relevance - a.relevance || b.rrf - a.rrf || (a.id < b.id ? -1 : 1))
  }

  async function meta(table: Table, ids: string[]): Promise<Map<string, Row & Record<string, unknown>>> {
    if (!ids.length) return new Map()
    const r = await db.query<Row>(`SELECT ${META[table]} FROM ${table} WHERE id = ANY($1::uuid[])`, [ids])
    return new Map(r.rows.map((x) => [x.id, x]))
  }

  /** A query from free text (search, eval) or from a stored row (its vectors and keywords). */
  async function queryFromText(text: string, title?: string): Promise<MatchQuery> {
    const a = analyze(title ? `${title}\n${text}` : text)
    const embedding = await embedder.embedQuery(title ? `${title}\n${text}` : text)
    return { embedding, sparse: sparseFromAnalysis(a, title ? analyze(title) : undefined, Infinity), terms: [...new Set([...searchTokens(title ?? ''), ...a.terms.map((t) => t.term)])].slice(0, 40) }
  }

  async function queryFromRow(table: Table, id: string): Promise<{ q: MatchQuery; row: Row } | null> {
    const r = await db.query<Row & { embedding: number[] | null; sparse: unknown; terms: { term: string }[] }>(
      `SELECT ${META[table]}, embedding, sparse FROM ${table} WHERE id = $1`,
      [id],
    )
    const row = r.rows[0]
    if (!row) return null
    if (!row.embedding || !row.sparse) throw new ConflictError('This item is not indexed yet; matching runs when indexing finishes / 尚未完成索引')
    const terms = [...new Set([...searchTokens(String(row.title)), ...row.terms.map((t) => t.term)])].slice(0, 40)
    // the stored vector's words (not its bigrams) are what it can look up in the inverted index
    const words = tokenize(`${row.title}\n${row.body ?? ''}`).map(wordIndex)
    return { q: { embedding: row.embedding, sparse: { ...parseSparse(row.sparse), posted: words }, terms }, row }
  }

  /** Shared key terms: the query's keywords found in the candidate's title or text. */
  function sharedTerms(terms: string[], item: Record<string, unknown>): string[] {
    const hay = normalize(`${item.title} ${item.body ?? ''}`).toLowerCase()
    return terms.filter((t) => t.length >= 2 && hay.includes(t)).slice(0, 8)
  }

  function needSide(n: Record<string, unknown> | null, ipcGroups?: Map<string, number>): NeedSide {
    if (!n) return { ipcGroups }
    return {
      industry: n.industry as string, region: n.region as string, budget_max: n.budget_max as number,
      cooperation_modes: n.cooperation_modes as string[], maturity_min: n.maturity_min as string, ipcGroups,
    }
  }

  function itemSide(kind: ItemKind, m: Record<string, unknown>): ItemSide {
    return {
      kind, industry: m.industry as string, field: m.field as string, region: m.region as string, maturity: m.maturity as string,
      trl: m.trl as number, transfer_modes: m.transfer_modes as string[], price_min: m.price_min as number,
      legal_status: m.legal_status as string, ipc_codes: m.ipc_codes as string[], date: m.date as string,
    }
  }

  /** Stage 3: feature re-rank and explanation of fused candidates of one kind. */
  async function scoreItems(kind: ItemKind, fused: Ranked[], need: Record<string, unknown> | null, terms: string[], ipcGroups: Map<string, number>, limit: number) {
    const table = KIND_DEFS[kind].table
    const top = fused.slice(0, Math.max(limit * 3, 50))
    const metaById = await meta(table, top.map((c) => c.id))
    const ns = needSide(need, ipcGroups)
    return top
      .filter((c) => metaById.has(c.id))
      .map((c) => {
        const m = metaById.get(c.id)!
        const item = itemSide(kind, m)
        const f = computeFeatures(ns, item)
        const relevance = c.relevance
        const shared = sharedTerms(terms, m)
        const ipcOverlap = kind === 'patent' ? [...new Set((item.ipc_codes ?? []).map(ipcGroup))].filter((g) => ipcGroups.has(g)) : []
        const why = reasons(ns, item, f, shared, ipcOverlap)
        return {
          kind, id: c.id, title: String(m.title), org_id: String(m.org_id), score: finalScore(relevance, f, weights),
          components: { relevance: Math.round(relevance * 1e4) / 1e4, rrf: Math.round(c.rrf * 1e6) / 1e6, sources: c.ranks, source_scores: c.scores, features: f },
          explanation: { shared_terms: shared, ipc_overlap: ipcOverlap, reasons: why, summary: why.join('；') },
        }
      })
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, limit)
  }

  /** Ranks achievements and patents for a query (and a need's metadata, when there is one). */
  async function rankItems(q: MatchQuery, need: Record<string, unknown> | null, kinds: ItemKind[], mode: Mode, limit: number) {
    // Patents first: their IPC codes tell which IPC groups the query is likely about.
    const fusedPatents = await rank('patents', q, mode)
    const nearest = await meta('patents', fusedPatents.slice(0, 10).map((c) => c.id))
    const ipcGroups = inferIpcGroups(fusedPatents.slice(0, 10).filter((c) => nearest.has(c.id)).map((c) => ({ ipc_codes: (nearest.get(c.id)!.ipc_codes as string[]) ?? [] })))
    const out = []
    for (const kind of kinds) {
      const fused = kind === 'patent' ? fusedPatents : await rank('achievements', q, mode)
      out.push(...(await scoreItems(kind, fused, need, q.terms, ipcGroups, limit)))
    }
    return out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
  }

  /** What the chat model reads of a row: its title, text and the attributes that decide a match. */
  function sideOf(kind: string, m: Record<string, unknown>): RerankSide {
    const attrs = Object.fromEntries(
      Object.entries(m).filter(([k, v]) => RERANK_ATTRS.has(k) && v !== null && v !== undefined && !(Array.isArray(v) && !v.length)),
    )
    return { kind, title: String(m.title ?? ''), text: String(m.body ?? ''), attrs }
  }

  /**
   * Stage 4, only with a chat model: its judgement of the top RERANK_TOP_N scales their scores like a feature
   * (score x (1 + w.model x (judgement - 0.5) x 2)); the rationale joins the explanation, and model, prompt version and
   * input hash are recorded on each judged match. A failing model leaves the ranking as it was (and says so).
   * `query` null: not judged (a private need).
   */
  async function judge<T extends { kind: ItemKind | 'need'; id: string; score: number; components: Record<string, unknown>; explanation: Record<string, unknown> }>(
    query: RerankSide | null, ranked: T[],
  ): Promise<(T & { model?: string; prompt_version?: string; input_hash?: string })[]> {
    const n = Math.min(config.RERANK_TOP_N, ranked.length)
    if (!chat || !n || !query) return ranked
    const top = ranked.slice(0, n)
    const metaOf = new Map<string, Record<string, unknown>>()
    for (const kind of new Set(top.map((r) => r.kind))) {
      const rows = await meta(KIND_DEFS[kind].table, top.filter((r) => r.kind === kind).map((r) => r.id))
      for (const [id, m] of rows) metaOf.set(`${kind}:${id}`, m)
    }
    // a private need's text never leaves the platform for a model provider
    const candidates = top.filter((r) => metaOf.has(`${r.kind}:${r.id}`) && metaOf.get(`${r.kind}:${r.id}`)!.visibility !== 'private').map((r) => ({ key: `${r.kind}:${r.id}`, ...sideOf(r.kind, metaOf.get(`${r.kind}:${r.id}`)!) }))
    if (!candidates.length) return ranked
    let result
    try {
      result = await rerankWithModel(db, chat, query, candidates)
    } catch (err) {
      deps.logger?.warn('model re-rank failed; feature ranking kept', { model: chat.modelId, error: (err as Error).message })
      return ranked.map((r, i) => (i < n ? { ...r, components: { ...r.components, model_error: String((err as Error).message).slice(0, 200) } } : r))
    }
    const w = weights.model
    return ranked
      .map((r) => {
        const j = result.judgements.get(`${r.kind}:${r.id}`)
        if (!j) return r
        return {
          ...r,
          score: Math.round(r.score * (1 + w * (j.score - 0.5) * 2) * 1e4) / 1e4,
          components: { ...r.components, model: { score: j.score, weight: w } },
          explanation: { ...r.explanation, model_rationale: j.rationale },
          model: result.model, prompt_version: result.promptVersion, input_hash: result.inputHash,
        }
      })
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
  }

  /** The need -> item ranking of a stored need (stages 1-3), as its matching run computes it; also what eval measures. */
  async function rankForNeed(needId: string, kinds: ItemKind[], limit: number, mode: Mode = 'hybrid') {
    const found = await queryFromRow('needs', needId)
    if (!found) return null
    return { row: found.row, ranked: await rankItems(found.q, found.row, kinds, mode, limit) }
  }

  /** Job: match one need against achievements and patents; keeps reviewed pairs as they are. */
  async function runForNeed(needId: string, runId: string) {
    const found = await rankForNeed(needId, ['achievement', 'patent'], TOP_PER_KIND)
    if (!found) return { skipped: 'need not found' }
    const byFeatures = found.ranked
    // a private need's text never leaves the platform for a model provider
    const ranked = await judge(found.row.visibility === 'private' ? null : sideOf('need', found.row), byFeatures)
    const rows: NewMatch[] = ranked.map((r) => ({
      need_id: needId, item_kind: r.kind, item_id: r.id, score: r.score, components: r.components, explanation: r.explanation,
      model: r.model, prompt_version: r.prompt_version, input_hash: r.input_hash,
    }))
    return matchStore.saveRun(db, `need:${needId}:`, runId, rows)
  }

  /** Job: match one achievement or patent against open needs (the other way round). */
  async function runForItem(kind: ItemKind, itemId: string, runId: string) {
    const table = KIND_DEFS[kind].table
    const found = await queryFromRow(table, itemId)
    if (!found) return { skipped: `${kind} not found` }
    const fused = await rank('needs', found.q, 'hybrid')
    const needs = await meta('needs', fused.slice(0, 60).map((c) => c.id))
    const item = itemSide(kind, found.row)
    const scored = fused
      .filter((c) => needs.has(c.id))
      .map((c) => {
        const n = needs.get(c.id)!
        const ns = needSide(n)
        const f = computeFeatures(ns, item)
        const relevance = c.relevance
        const shared = sharedTerms([...new Set((n.terms as { term: string }[]).map((t) => t.term))], found.row)
        const why = reasons(ns, item, f, shared, [])
        return {
          kind: 'need' as const, id: c.id, score: finalScore(relevance, f, weights),
          components: { relevance: Math.round(relevance * 1e4) / 1e4, rrf: Math.round(c.rrf * 1e6) / 1e6, sources: c.ranks, source_scores: c.scores, features: f },
          explanation: { shared_terms: shared, ipc_overlap: [], reasons: why, summary: why.join('；') },
        }
      })
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, TOP_PER_KIND)
    const judged = await judge(sideOf(kind, found.row), scored)
    const rows: NewMatch[] = judged.map((r) => ({
      need_id: r.id, item_kind: kind, item_id: itemId, score: r.score, components: r.components, explanation: r.explanation,
      model: r.model, prompt_version: r.prompt_version, input_hash: r.input_hash,
    }))
    return matchStore.saveRun(db, `item:${itemId}:`, runId, rows)
  }

  /** POST /v1/search: rank the catalogue for free text (same pipeline; no need metadata, so features mostly neutral). */
  async function search(caller: Caller, input: { query: string; title?: string; kinds: ('achievement' | 'patent' | 'need')[]; mode: Mode; limit: number }) {
    const q = await queryFromText(input.query, input.title)
    const itemKinds = input.kinds.filter((k): k is ItemKind => k !== 'need')
    const results: { kind: string; id: string; title: string; score: number; components: unknown; explanation: unknown }[] = []
    if (itemKinds.length) results.push(...(await rankItems(q, null, itemKinds, input.mode, input.limit)))
    if (input.kinds.includes('need')) {
      const fused = await rank('needs', q, input.mode)
      const p = new Params()
      const visible = KIND_DEFS.need.visibleSql(caller, p)
      const ids = fused.slice(0, input.limit * 3).map((c) => c.id)
      const r = await db.query<{ id: string; title: string }>(`SELECT t.id, t.title FROM needs t WHERE t.id = ANY(${p.p(ids)}::uuid[]) AND ${visible}`, p.values)
      const ok = new Map(r.rows.map((x) => [x.id, x.title]))
        for (const c of fused) {
        if (!ok.has(c.id)) continue
        results.push({ kind: 'need', id: c.id, title: ok.get(c.id)!, score: Math.round(c.relevance * 1e4) / 1e4, components: { relevance: Math.round(c.relevance * 1e4) / 1e4, rrf: c.rrf, sources: c.ranks }, explanation: {} })
      }
    }
    return results.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, input.limit)
  }

  // ---- reading and reviewing, with the visibility rules ----

  /** Who sees a match: staff all; an enterprise the confirmed matches of its own needs; a university the confirmed
   * matches of its own achievements and patents, except with private needs. */
  function maySeeMatch(caller: Caller, m: MatchRow): boolean {
    if (isStaff(caller)) return true
    if (caller.kind !== 'key' || m.state !== 'confirmed') return false
    if (caller.role === 'enterprise') return m.need_org_id === caller.orgId
    if (caller.role === 'university') return m.item_org_id === caller.orgId && m.need_visibility !== 'private'
    return false
  }

  async function listForNeed(caller: Caller, needId: string, f: { kind?: ItemKind; state?: string; min_score?: number; limit: number; offset: number }) {
    const need = await db.query<Row>(`SELECT id, org_id, status, visibility FROM needs WHERE id = $1`, [needId])
    visibleOr404(need.rows[0], (r) => KIND_DEFS.need.maySee(caller, r), KIND_DEFS.need.label)
    return listMatches(caller, { needId }, f)
  }

  async function listForItem(caller: Caller, kind: ItemKind, itemId: string, f: { state?: string; min_score?: number; limit: number; offset: number }) {
    const def = KIND_DEFS[kind]
    const r = await db.query<Row>(`SELECT id, org_id, ${kind === 'achievement' ? 'status' : "'active' AS status"} FROM ${def.table} WHERE id = $1`, [itemId])
    visibleOr404(r.rows[0], (x) => def.maySee(caller, x), def.label)
    return listMatches(caller, { itemId }, { ...f, kind })
  }

  async function listMatches(caller: Caller, by: { needId?: string; itemId?: string }, f: { kind?: ItemKind; state?: string; min_score?: number; limit: number; offset: number }) {
    const staff = isStaff(caller)
    const rows = await matchStore.list(db, by, {
      itemKind: f.kind, state: f.state, minScore: f.min_score, limit: f.limit, offset: f.offset,
      onlyConfirmed: !staff,
      itemOrgId: !staff && caller.kind === 'key' && caller.role === 'university' ? caller.orgId : undefined,
      excludePrivate: !staff && caller.kind === 'key' && caller.role === 'university',
    })
    return rows.filter((m) => maySeeMatch(caller, m))
  }

  async function get(caller: Caller, id: string) {
    return visibleOr404(await matchStore.get(db, id), (m) => maySeeMatch(caller, m), 'Match')
  }

  async function review(caller: Caller, id: string, input: { decision: 'confirmed' | 'rejected'; reason_code?: string | null; note?: string | null }) {
    const m = await get(caller, id)
    requireRole(caller, 'manager', 'admin')
    if (input.decision === 'rejected' && !input.reason_code) {
      throw new InvalidError([{ field: 'body.reason_code', message: `one of ${REVIEW_REASONS.join(', ')}` }], 'A rejection needs a reason code / 驳回需选择原因')
    }
    await db.transaction((tx) =>
      matchStore.review(tx, m, {
        decision: input.decision, reasonCode: input.reason_code ?? null, note: input.note ?? null,
        keyId: caller.kind === 'key' ? caller.keyId : null, orgId: caller.kind === 'key' ? caller.orgId : null,
      }),
    )
    return { match: (await matchStore.get(db, id))!, reviews: await matchStore.reviews(db, id) }
  }

  return { termStats, rank, rankItems, queryFromText, rankForNeed, runForNeed, runForItem, search, listForNeed, listForItem, get, review }
}

export type MatchingService = ReturnType<typeof createMatchingService>
