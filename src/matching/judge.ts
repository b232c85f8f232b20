// Judging (optional, only with a chat model): the model reads the need and its top candidates and its judgement scales
// their scores like a feature: score x (1 + w x (judgement - 0.5) x 2). Only what a platform-wide reader could see is
// sent (an open, non-private need; active achievements and patents that have not lapsed, which is all a run's
// candidates are). The judgement changes a score, never a state. A failing model leaves the ranking as it was.
import type { Db } from '../db'
import type { Logger } from '../log'
import type { ChatModel } from '../models/chat'
import type { RerankSide } from '../prompts/match-rerank'
import { rerankWithModel } from './rerank'
import { byScore, type ScoredMatch } from './score'
import type { ItemRow, NeedRow } from './store'

/** Row attributes the chat model is shown besides title and text. */
const ATTRS = ['industry', 'field', 'region', 'maturity', 'trl', 'transfer_modes', 'price_min', 'legal_status', 'ipc_codes', 'budget_max', 'cooperation_modes', 'maturity_min'] as const

/** What the chat model reads of a row: its title, text and the attributes that decide a match. */
export function sideOf(kind: string, row: ItemRow | NeedRow): RerankSide {
  const r: { readonly [K in (typeof ATTRS)[number]]?: unknown } = row
  const attrs = Object.fromEntries(ATTRS.map((k) => [k, r[k]]).filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && !v.length)))
  return { kind, title: row.title, text: row.body, attrs }
}

/** May this need be sent to a model provider? Only what any platform user could read. */
export const sendable = (n: NeedRow) => n.status === 'open' && n.visibility !== 'private'

export async function judge(
  deps: { db: Db; chat?: ChatModel; logger?: Logger; topN: number; weight: number },
  need: NeedRow, ranked: ScoredMatch[], rows: Map<string, ItemRow>,
): Promise<ScoredMatch[]> {
  const { chat, topN, weight } = deps
  const n = Math.min(topN, ranked.length)
  if (!chat || !n || !sendable(need)) return ranked
  const top = ranked.slice(0, n).filter((r) => rows.has(`${r.kind}:${r.id}`))
  if (!top.length) return ranked
  let result
  try {
    result = await rerankWithModel(deps.db, chat, sideOf('need', need), top.map((r) => ({ key: `${r.kind}:${r.id}`, ...sideOf(r.kind, rows.get(`${r.kind}:${r.id}`)!) })))
  } catch (err) {
    deps.logger?.warn('model re-rank failed; feature ranking kept', { model: chat.modelId, error: (err as Error).message })
    return ranked.map((r, i) => (i < n ? { ...r, components: { ...r.components, model_error: String((err as Error).message).slice(0, 200) } } : r))
  }
  return ranked
    .map((r) => {
      const j = result.judgements.get(`${r.kind}:${r.id}`)
      if (!j) return r
      return {
        ...r,
        score: Math.round(r.score * (1 + weight * (j.score - 0.5) * 2) * 1e4) / 1e4,
        components: { ...r.components, model: { score: j.score, weight } },
        model: { model: result.model, prompt_version: result.promptVersion, input_hash: result.inputHash, rationale: j.rationale },
      }
    })
    .sort(byScore)
}
