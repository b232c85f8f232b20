// `npm run eval -- clusters --dataset <BEIR dir> [--k N] [--seed S] [--json]`
// Clusters a BEIR corpus with the code the navigation reports use (src/navigation/cluster.ts) and, when the qrels
// define classes (a query and its relevant documents share a class, as in patents-cls-dev), prints NMI and purity.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { clusterDocs, clusterQuality } from '../navigation/cluster'
import { parseQrels } from '../matching/metrics'

const readJsonl = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))

/** Classes from qrels: connected components of "query - relevant document" links (union-find). */
export function classesFromQrels(ids: string[], qrels: Map<string, Map<string, number>>): Map<string, number> {
  const parent = new Map<string, string>()
  const find = (x: string): string => {
    let r = x
    while (parent.get(r) !== r) r = parent.get(r)!
    while (parent.get(x) !== r) {
      const nx = parent.get(x)!
      parent.set(x, r)
      x = nx
    }
    return r
  }
  const add = (x: string) => !parent.has(x) && parent.set(x, x)
  for (const id of ids) add(id)
  for (const [q, rel] of qrels) {
    add(q)
    for (const [d, s] of rel) {
      if (s < 1) continue
      add(d)
      const a = find(q)
      const b = find(d)
      if (a !== b) parent.set(a, b)
    }
  }
  const label = new Map<string, number>()
  const out = new Map<string, number>()
  for (const id of ids) {
    const r = find(id)
    if (!label.has(r)) label.set(r, label.size)
    out.set(id, label.get(r)!)
  }
  return out
}

export async function runClusterEval(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: { dataset: { type: 'string' }, k: { type: 'string' }, seed: { type: 'string', default: '42' }, json: { type: 'boolean', default: false }, dims: { type: 'string' }, 'title-weight': { type: 'string' } },
  })
  if (!values.dataset) throw new Error('usage: npm run eval -- clusters --dataset <dir> [--k N] [--seed S] [--json]')
  const dir = values.dataset
  const corpus = readJsonl(path.join(dir, 'corpus.jsonl')) as { _id: string; title?: string; text: string }[]
  const t0 = performance.now()
  const result = clusterDocs(corpus.map((d) => ({ title: d.title ?? '', text: d.text })), {
    k: values.k ? Number(values.k) : undefined,
    seed: Number(values.seed),
    dims: values.dims ? Number(values.dims) : undefined,
    titleWeight: values['title-weight'] ? Number(values['title-weight']) : undefined,
  })
  const seconds = (performance.now() - t0) / 1000
  let quality: { nmi: number; purity: number; classes: number } | null = null
  const qdir = path.join(dir, 'qrels')
  const files = readdirSync(qdir).filter((f) => f.endsWith('.tsv')).sort()
  if (files.length) {
    const qrels = parseQrels(files.map((f) => readFileSync(path.join(qdir, f), 'utf8')).join('\n'))
    const classes = classesFromQrels(corpus.map((d) => d._id), qrels)
    const truth = corpus.map((d) => classes.get(d._id)!)
    quality = { ...clusterQuality(result.assign, truth), classes: new Set(truth).size }
  }
  const out = { k: result.k, nmi: quality ? round(quality.nmi) : null, purity: quality ? round(quality.purity) : null, classes: quality?.classes ?? null, documents: corpus.length, seconds: round(seconds, 2), criterion: result.criterion }
  if (values.json) console.log(JSON.stringify(out))
  else {
    console.log(`dataset ${dir}: ${corpus.length} documents, ${out.classes ?? 'no'} classes from qrels; ${result.criterion}; ${out.seconds} s`)
    if (result.scores) console.log('silhouette by k: ' + result.scores.map((s) => `${s.k}:${s.silhouette}`).join(' '))
    console.log(`k ${out.k}  NMI ${out.nmi}  purity ${out.purity}`)
    result.terms.slice(0, 40).forEach((t, c) => console.log(`  #${c} (${result.assign.filter((a) => a === c).length}) ${t.join(' ')}`))
  }
  return out
}

const round = (x: number, p = 4) => Math.round(x * 10 ** p) / 10 ** p
