// `npm run eval -- dense-study --dataset <BEIR dir> [--dim 128] [--exclude-self] [--json]`
// Would a corpus embedding help as a dense source? Fits LSA (models/lsa.ts) over the corpus's own sparse vectors (the
// ones the catalogue stores, from the same analysis) and scores every query against every document, exhaustively:
// the sparse cosine alone (the query weighted as the sparse stage weights it), the LSA cosine alone, and fusions of
// the two. A study of a candidate source, not the service's ranking (that is `npm run eval`); no database.
import { parseArgs } from 'node:util'
import { validateRecord } from '../catalog/service'
import { KIND_DEFS } from '../catalog/kinds'
import { analyzeRow } from '../catalog/prepare'
import { achievementRecord, needRecord, patentRecord, readDataset, splitTitle } from '../eval/dataset'
import { meanMetrics, type Metrics, queryMetrics } from '../matching/metrics'
import { embedLsa, fitLsa } from '../models/lsa'
import { sparseFromAnalysis, type SparseVector, weightQuery, wordIndex } from '../models/sparse'
import { analyze, STOP_WORDS } from '../text/analyze'

const USAGE = 'usage: npm run eval -- dense-study --dataset <dir> [--dim 128] [--exclude-self] [--json]'

const dot = (a: SparseVector, b: Map<number, number>) => a.indices.reduce((s, ix, k) => s + a.values[k]! * (b.get(ix) ?? 0), 0)

export async function runDenseStudy(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { dataset: { type: 'string' }, dim: { type: 'string', default: '128' }, 'exclude-self': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } })
  if (!values.dataset || !(Number(values.dim) >= 2)) throw new Error(USAGE)
  const ds = readDataset(values.dataset)
  const kind = ds.corpusKind
  const valid = (k: 'achievement' | 'patent' | 'need', rec: Record<string, unknown>) => {
    const r = validateRecord(k, rec)
    if (!r.success) throw new Error(`${k}: ${r.error.issues[0]?.message}`)
    return r.data
  }
  const words = new Set<number>()
  const docs = ds.corpus.map((d) => {
    const { analysis, sparse } = analyzeRow(KIND_DEFS[kind], valid(kind, kind === 'achievement' ? achievementRecord(d) : patentRecord(d)))
    for (const t of analysis.tokens) if (!STOP_WORDS.has(t)) words.add(wordIndex(t))
    return sparse
  })
  // queries as the service builds them: a need's stored vector, or free text with its title (matching/query.ts)
  const queries = ds.queries.map((q) => {
    if (ds.queryKind === 'need') return analyzeRow(KIND_DEFS.need, valid('need', needRecord(q))).sparse
    const { title } = splitTitle(q.text)
    return sparseFromAnalysis(analyze(title ? `${title}\n${q.text}` : q.text), title ? analyze(title) : undefined, Infinity)
  })
  const df = new Map<number, number>()
  for (const d of docs) for (const ix of d.indices) df.set(ix, (df.get(ix) ?? 0) + 1)
  const idf = (ix: number) => Math.log((docs.length + 1) / ((df.get(ix) ?? 0) + 1)) + 1
  const docMaps = docs.map((d) => new Map(d.indices.map((ix, k) => [ix, d.values[k]!])))

  const t0 = performance.now()
  const model = fitLsa(docs, { dim: Number(values.dim), keep: (ix) => words.has(ix) })
  const fitSeconds = (performance.now() - t0) / 1000
  const docE = docs.map((d) => embedLsa(model, d))
  const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0)

  const fusions: [string, (s: number, e: number) => number][] = [
    ['sparse cosine (exhaustive)', (s) => s],
    ['LSA cosine alone', (_, e) => e],
    ['0.95 sparse + 0.05 LSA', (s, e) => 0.95 * s + 0.05 * Math.max(0, e)],
    ['0.9 sparse + 0.1 LSA', (s, e) => 0.9 * s + 0.1 * Math.max(0, e)],
    ['sparse x LSA^0.25', (s, e) => s * Math.max(0, e) ** 0.25],
  ]
  const rows: (Metrics & { system: string })[] = []
  for (const [name, f] of fusions) {
    const per: Metrics[] = []
    ds.queries.forEach((q, qi) => {
      const rel = ds.qrels.get(q._id)
      if (!rel || ![...rel.values()].some((g) => g >= 1)) return
      const qv = weightQuery(queries[qi]!, idf)
      const qe = embedLsa(model, queries[qi]!)
      let ranking = ds.corpus.map((d, i) => ({ id: d._id, score: f(dot(qv, docMaps[i]!), cos(qe, docE[i]!)) }))
        .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).map((x) => x.id)
      if (values['exclude-self']) ranking = ranking.filter((d) => d !== q._id)
      per.push(queryMetrics(ranking.slice(0, 100), rel))
    })
    rows.push({ system: name, ...meanMetrics(per) })
  }
  if (values.json) console.log(JSON.stringify({ dim: model.dim, terms: model.rows.size, docs: docs.length, fit_seconds: Math.round(fitSeconds * 10) / 10, rows }))
  else {
    console.log(`LSA over ${docs.length} documents, ${model.rows.size} words (df >= 2), ${model.dim} dimensions, fitted in ${fitSeconds.toFixed(1)} s`)
    console.log('| system | nDCG@10 | judged@10 | condensed nDCG@10 | Recall@10 | Recall@100 | MRR@10 |')
    console.log('|---|---|---|---|---|---|---|')
    for (const r of rows) {
      console.log(`| ${r.system} | ${[r['ndcg@10'], r['judged@10'], r['ndcg@10_condensed'], r['recall@10'], r['recall@100'], r['mrr@10']].map((x) => x.toFixed(4)).join(' | ')} |`)
    }
  }
}
