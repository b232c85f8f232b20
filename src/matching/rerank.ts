// Stage 4 (optional): a chat model judges the top candidates. Its answer is untrusted: size-capped, parsed in linear
// time, validated with zod, ids checked against what was asked, scores clamped, rationales made inert (no markup, no
// bidirectional or control characters) and clipped. Model text is data: it never sets a match's state. The judgement
// is stored with the model id, prompt version and input hash, and cached by that hash; a failing model never fails
// the match (the feature ranking stands).
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { Db } from '../db'
import type { ChatModel } from '../models/chat'
import { modelOutputStore } from '../models/outputs-store'
import { inertText, unfence } from '../text/untrusted'
import { matchRerankInput, type RerankSide } from '../prompts/match-rerank'
import { loadPrompt } from '../prompts/registry'

const PROMPT = loadPrompt('match-rerank', 1)

export const RerankOutput = z.object({
  results: z
    .array(z.object({ id: z.string().max(20), score: z.number().min(0).max(10), rationale: z.string().max(2000).default('') }))
    .max(200),
})

export interface Judgement {
  /** the model's score scaled to [0, 1] */
  score: number
  rationale: string
}

export interface RerankResult {
  model: string
  promptVersion: string
  inputHash: string
  cached: boolean
  /** by candidate key; candidates the model did not judge are absent */
  judgements: Map<string, Judgement>
}

/** The longest model answer parsed (characters); a judgement of 200 candidates fits in far less. */
export const MAX_RERANK_ANSWER = 256 * 1024
/** Rationales are kept to this many characters. */
export const MAX_RATIONALE = 200


/** Parses and checks a model answer against the candidate ids that were sent. Throws on anything but a valid object. */
export function parseRerank(text: string, ids: string[]): Map<string, Judgement> {
  if (text.length > MAX_RERANK_ANSWER) throw new Error(`model answer too long (${text.length} > ${MAX_RERANK_ANSWER} characters)`)
  let json: unknown
  try {
    json = JSON.parse(unfence(text))
  } catch {
    throw new Error('model answer is not JSON')
  }
  const out = RerankOutput.parse(json) // unknown keys (a "state", an "approved") are dropped here
  const known = new Set(ids)
  const judgements = new Map<string, Judgement>()
  for (const r of out.results) {
    if (!known.has(r.id) || judgements.has(r.id)) continue // unknown or repeated ids are ignored
    judgements.set(r.id, { score: Math.round((r.score / 10) * 1e4) / 1e4, rationale: inertText(r.rationale, MAX_RATIONALE) })
  }
  return judgements
}

export async function rerankWithModel(
  db: Db, chat: ChatModel, query: RerankSide, candidates: (RerankSide & { key: string })[],
): Promise<RerankResult> {
  const numbered = candidates.map((c, i) => ({ ...c, id: `c${i + 1}` }))
  const input = matchRerankInput(query, numbered)
  const { system, user } = await PROMPT.render({ input: JSON.stringify(input) })
  const inputHash = createHash('sha256').update(`${chat.modelId}\n${PROMPT.id}\n${system}\n${user}`).digest('hex').slice(0, 32)
  const ids = numbered.map((c) => c.id)
  const byId = new Map(numbered.map((c) => [c.id, c.key]))
  const toResult = (j: Map<string, Judgement>, cached: boolean): RerankResult => ({
    model: chat.modelId, promptVersion: PROMPT.id, inputHash, cached,
    judgements: new Map([...j].map(([id, v]) => [byId.get(id)!, v])),
  })
  const hit = await modelOutputStore.get(db, inputHash)
  if (hit != null) return toResult(parseRerank(JSON.stringify(hit), ids), true)
  const judgements = parseRerank(await chat.completeJson(system, user), ids)
  const output = { results: [...judgements].map(([id, j]) => ({ id, score: j.score * 10, rationale: j.rationale })) }
  await modelOutputStore.put(db, { inputHash, model: chat.modelId, promptVersion: PROMPT.id, output })
  return toResult(judgements, false)
}
