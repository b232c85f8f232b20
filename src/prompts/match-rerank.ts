// Input of the re-rank prompt prompts/match-rerank/v1.md (the text lives there; this builds its `input` variable).
// Changing what goes in here changes what the model sees: the input hash changes with it, so cached judgements are not reused.

export interface RerankSide {
  kind: string
  title: string
  text: string
  attrs?: Record<string, unknown>
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s)

/** The user message: the query object and the numbered candidates, as JSON (texts clipped to bound the prompt). */
export function matchRerankInput(query: RerankSide, candidates: (RerankSide & { id: string })[]) {
  return {
    query: { kind: query.kind, title: clip(query.title, 200), text: clip(query.text, 1500), ...(query.attrs ?? {}) },
    candidates: candidates.map((c) => ({ id: c.id, kind: c.kind, title: clip(c.title, 200), text: clip(c.text, 600), ...(c.attrs ?? {}) })),
  }
}
