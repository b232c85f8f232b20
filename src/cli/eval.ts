// `npm run eval -- --dataset <dir> [--mode hybrid|dense|lexical] [--run out.trec] [--exclude-self] [--json]`
// Loads a BEIR dataset into a fresh database and runs every query through the matching service the API uses.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger } from '../log'
import { validateRecord } from '../catalog/service'
import { loadConfig } from '../config'
import type { Db } from '../db'
import { openPg } from '../db/pg'
import { openPglite } from '../db/pglite'
import { createScratchDatabase } from '../db/scratch'
import { meanMetrics, type Metrics, parseQrels, queryMetrics } from '../matching/metrics'
import type { Mode } from '../matching/service'
import { SYSTEM } from '../orgs/access'
import { orgStore } from '../orgs/store'
import { openRuntime } from '../runtime'

const readJsonl = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))

export async function runEval(argv: string[], env: Record<string, string | undefined> = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' }, mode: { type: 'string', default: 'hybrid' }, run: { type: 'string' },
      'exclude-self': { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, split: { type: 'string' },
    },
  })
  if (!values.dataset || !['hybrid', 'dense', 'lexical'].includes(values.mode!)) {
    throw new Error('usage: npm run eval -- --dataset <dir> [--mode hybrid|dense|lexical] [--run out.trec] [--exclude-self] [--json]')
  }
  const dir = values.dataset
  const mode = values.mode as Mode
  const log = (s: string) => !values.json && console.error(s)
  const corpus = readJsonl(path.join(dir, 'corpus.jsonl')) as { _id: string; title?: string; text: string; metadata?: { assignee?: string } }[]
  const queries = readJsonl(path.join(dir, 'queries.jsonl')) as { _id: string; text: string }[]
  const qrelFile = values.split ? `${values.split}.tsv` : readdirSync(path.join(dir, 'qrels')).filter((f) => f.endsWith('.tsv')).sort()[0]!
  const qrels = parseQrels(readFileSync(path.join(dir, 'qrels', qrelFile), 'utf8'))

  // A fresh database: PostgreSQL when DATABASE_URL is set (a new database on that server), else in-memory PGlite.
  let db: Db
  let drop: (() => Promise<void>) | undefined
  if (env.DATABASE_URL) {
    const scratch = await createScratchDatabase(env.DATABASE_URL, 'eval')
    db = openPg(scratch.url)
    drop = scratch.drop
  } else db = await openPglite()
  const config = loadConfig({ ...env, DATABASE_URL: undefined, REDIS_URL: undefined, LOG_LEVEL: 'silent', DEMO_DATA: 'false' })
  const rt = await openRuntime(config, createLogger('silent'), { db })
  try {
    // The corpus goes in as patents, through the same bulk path as imports (publication number = document id).
    const org = await orgStore.insertOrg(rt.db, { name: 'eval corpus', kind: 'university' })
    const byNumber = new Map<string, string>()
    const records = corpus.map((d) => {
      const rec = validateRecord('patent', { publication_number: d._id, title: (d.title || d.text.slice(0, 60)).slice(0, 200), abstract: d.text, applicants: d.metadata?.assignee ? [d.metadata.assignee] : [] })
      if (!rec.success) throw new Error(`document ${d._id}: ${rec.error.issues[0]?.message}`)
      byNumber.set(String(rec.data.publication_number), d._id)
      return rec.data
    })
    const t0 = performance.now()
    for (let i = 0; i < records.length; i += 500) await rt.services.catalog.upsertMany('patent', org.id, records.slice(i, i + 500), `eval-${i}`)
    await rt.queue.drain()
    await rt.services.matching.termStats.refresh('patents')
    const idOf = new Map((await rt.db.query<{ id: string; publication_number: string }>('SELECT id, publication_number FROM patents')).rows.map((r) => [r.id, byNumber.get(r.publication_number)!]))
    log(`loaded ${corpus.length} documents in ${((performance.now() - t0) / 1000).toFixed(1)} s (${rt.db.kind}, ${rt.services.embedder.modelId})`)

    const per: Metrics[] = []
    const run: string[] = []
    const t1 = performance.now()
    for (const q of queries) {
      const rel = qrels.get(q._id)
      if (!rel) continue
      // BEIR patent queries are "title。abstract": the part before the first 。 is passed as the title.
      const cut = q.text.indexOf('。')
      const title = cut > 0 && cut <= 200 ? q.text.slice(0, cut) : undefined
      const results = await rt.services.matching.search(SYSTEM, { query: q.text, title, kinds: ['patent'], mode, limit: 110 })
      let ranking = results.map((r) => idOf.get(r.id)!).filter(Boolean)
      if (values['exclude-self']) ranking = ranking.filter((d) => d !== q._id)
      ranking = ranking.slice(0, 100)
      per.push(queryMetrics(ranking, rel))
      ranking.forEach((d, i) => run.push(`${q._id} Q0 ${d} ${i + 1} ${(100 - i).toFixed(0)} techtransfer-${mode}`))
    }
    const m = meanMetrics(per)
    const qps = per.length / ((performance.now() - t1) / 1000)
    if (values.run) writeFileSync(values.run, run.join('\n') + '\n')
    if (values.json) console.log(JSON.stringify({ mode, queries: per.length, ...m }))
    else {
      console.log(`dataset ${dir} (${qrelFile}), mode ${mode}, ${per.length} queries${values['exclude-self'] ? ', query document excluded' : ''}, ${qps.toFixed(1)} queries/s`)
      console.log('| mode | nDCG@10 | Recall@10 | Recall@100 | MAP@100 | MRR@10 |')
      console.log('|---|---|---|---|---|---|')
      console.log(`| ${mode} | ${m['ndcg@10'].toFixed(4)} | ${m['recall@10'].toFixed(4)} | ${m['recall@100'].toFixed(4)} | ${m['map@100'].toFixed(4)} | ${m['mrr@10'].toFixed(4)} |`)
    }
    return m
  } finally {
    await rt.close()
    if (drop) await drop()
  }
}
