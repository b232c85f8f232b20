// Retrieval metrics with trec_eval's definitions. Graded relevance: gains in nDCG; relevant when >= 1 elsewhere.
export type Qrels = Map<string, Map<string, number>>

export interface Metrics {
  'ndcg@10': number
  'recall@10': number
  'recall@100': number
  'map@100': number
  'mrr@10': number
  /** nDCG@10 with unjudged documents removed from the ranking first (fair across systems on a pooled set) */
  'ndcg@10_condensed': number
  /** share of the top 10 that is judged (any label, 0 included) */
  'judged@10': number
}

function ndcgAt(ranking: string[], rel: Map<string, number>, k: number): number {
  let dcg = 0
  ranking.slice(0, k).forEach((d, i) => {
    const g = rel.get(d) ?? 0
    if (g > 0) dcg += g / Math.log2(i + 2)
  })
  const ideal = [...rel.values()].filter((g) => g > 0).sort((a, b) => b - a).slice(0, k)
  const idcg = ideal.reduce((s, g, i) => s + g / Math.log2(i + 2), 0)
  return idcg ? dcg / idcg : 0
}

export function queryMetrics(ranking: string[], rel: Map<string, number>): Metrics {
  const relevant = [...rel.values()].filter((g) => g >= 1).length
  const top = ranking.slice(0, 10)
  const hits = (k: number) => ranking.slice(0, k).filter((d) => (rel.get(d) ?? 0) >= 1).length
  let ap = 0
  let found = 0
  ranking.slice(0, 100).forEach((d, i) => {
    if ((rel.get(d) ?? 0) >= 1) {
      found++
      ap += found / (i + 1)
    }
  })
  const first = ranking.slice(0, 10).findIndex((d) => (rel.get(d) ?? 0) >= 1)
  return {
    'ndcg@10': ndcgAt(ranking, rel, 10),
    'ndcg@10_condensed': ndcgAt(ranking.filter((d) => rel.has(d)), rel, 10),
    'judged@10': top.length ? top.filter((d) => rel.has(d)).length / top.length : 0,
    'recall@10': relevant ? hits(10) / relevant : 0,
    'recall@100': relevant ? hits(100) / relevant : 0,
    'map@100': relevant ? ap / relevant : 0,
    'mrr@10': first >= 0 ? 1 / (first + 1) : 0,
  }
}

export function meanMetrics(all: Metrics[]): Metrics {
  const keys = ['ndcg@10', 'ndcg@10_condensed', 'judged@10', 'recall@10', 'recall@100', 'map@100', 'mrr@10'] as const
  const out = {} as Metrics
  for (const k of keys) out[k] = Math.round((all.reduce((s, m) => s + m[k], 0) / (all.length || 1)) * 1e4) / 1e4
  return out
}

/** qrels/*.tsv: "query-id<TAB>corpus-id<TAB>score" with a header line. */
export function parseQrels(text: string): Qrels {
  const q: Qrels = new Map()
  for (const line of text.split(/\r?\n/)) {
    const [qid, did, score] = line.split('\t')
    if (!qid || !did || qid === 'query-id' || score === undefined) continue
    if (!q.has(qid)) q.set(qid, new Map())
    q.get(qid)!.set(did, Number(score))
  }
  return q
}
