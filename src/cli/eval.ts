// `npm run eval -- --dataset <dir> [--mode hybrid|dense|lexical] [--run out.trec] [--exclude-self] [--json] [--learn-folds N]`
// Loads a BEIR dataset into a fresh database and runs every query through the matching service the API uses:
// with a `dataset.json` naming achievements and needs, the corpus goes in as achievements and each query as a need,
// ranked by the need -> achievement path of POST /v1/needs/{id}/match (features included); otherwise as patents and
// free-text search (patents-cls).
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createLogger } from '../log'
import { kindDef } from '../catalog/kinds'
import { validateRecord } from '../catalog/service'
import { catalogStore } from '../catalog/store'
import { loadConfig } from '../config'
import type { Db } from '../db'
import { openPg } from '../db/pg'
import { openPglite } from '../db/pglite'
import { createScratchDatabase } from '../db/scratch'
import { achievementRecord, needRecord, patentRecord, readDataset, splitTitle } from '../eval/dataset'
import { calibrationReport, fitCalibration, writeCalibration } from '../eval/calibrate'
import { type JudgedList, learnFolds } from '../eval/learn'
import { DEFAULT_CALIBRATION } from '../matching/calibrate'
import { meanMetrics, type Metrics, queryMetrics } from '../matching/metrics'
import { queryFromRow } from '../matching/query'
import { matchStore } from '../matching/store'
import type { Mode } from '../matching/service'
import { SYSTEM } from '../orgs/access'
import { orgStore } from '../orgs/store'
import { openRuntime } from '../runtime'

const USAGE = 'usage: npm run eval -- --dataset <dir> [--mode hybrid|dense|lexical] [--run out.trec] [--exclude-self] [--as-patents] [--fit-calibration [--write-calibration]] [--learn-folds N] [--json]'

export async function runEval(argv: string[], env: Record<string, string | undefined> = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' }, mode: { type: 'string', default: 'hybrid' }, run: { type: 'string' },
      'exclude-self': { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, split: { type: 'string' },
      // ignore dataset.json: corpus as patents, queries as free text (how zhibei-dev was measured before the need path)
      'as-patents': { type: 'boolean', default: false },
      // need datasets: fit the strength curve on the judged pairs; k-fold (by need) learned re-ranker
      'fit-calibration': { type: 'boolean', default: false }, 'write-calibration': { type: 'boolean', default: false }, 'learn-folds': { type: 'string' }, 'save-lists': { type: 'string' },
    },
  })
  if (!values.dataset || !['hybrid', 'dense', 'lexical'].includes(values.mode!)) throw new Error(USAGE)
  const ds = readDataset(values.dataset, values.split)
  if (values['as-patents']) Object.assign(ds, { corpusKind: 'patent', queryKind: 'text' })
  const mode = values.mode as Mode
  const log = (s: string) => !values.json && console.error(s)

  // A fresh database: PostgreSQL when DATABASE_URL is set (a new database on that server), else in-memory PGlite.
  let db: Db
  let drop: (() => Promise<void>) | undefined
  if (env.DATABASE_URL) {
    const scratch = await createScratchDatabase(env.DATABASE_URL, 'eval')
    db = openPg(scratch.url)
    drop = scratch.drop
  } else db = await openPglite()
  const config = loadConfig({ ...env, DATABASE_URL: undefined, REDIS_URL: undefined, LOG_LEVEL: 'silent', DEMO_DATA: 'false', RERANK_TOP_N: env.RERANK_TOP_N ?? '0' })
  const rt = await openRuntime(config, createLogger('silent'), { db })
  try {
    const t0 = performance.now()
    const kind = ds.corpusKind
    const table = kind === 'achievement' ? 'achievements' : 'patents'
    const keyCol = kind === 'achievement' ? 'external_id' : 'publication_number'
    const validated = <K extends 'achievement' | 'patent' | 'need'>(k: K, id: string, rec: Record<string, unknown>) => {
      const r = validateRecord(k, rec)
      if (!r.success) throw new Error(`${k} ${id}: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`)
      return r.data
    }
    // Needs first (their matching jobs then run on an empty catalogue), the corpus after (a bulk write matches nothing).
    const needIds = new Map<string, string>()
    if (ds.queryKind === 'need') {
      const ent = await orgStore.insertOrg(rt.db, { name: 'eval needs', kind: 'enterprise' })
      const recs = ds.queries.map((q) => validated('need', q._id, needRecord(q)))
      for (let i = 0; i < recs.length; i += 500) await rt.services.catalog.upsertMany('need', ent.id, recs.slice(i, i + 500), `eval-needs-${i}`)
      await rt.queue.drain()
      for (const r of await catalogStore.idsWith(rt.db, kindDef('need'), 'external_id')) needIds.set(r.key, r.id)
    }
    const org = await orgStore.insertOrg(rt.db, { name: 'eval corpus', kind: 'university' })
    const records = ds.corpus.map((d) => validated(kind, d._id, kind === 'achievement' ? achievementRecord(d) : patentRecord(d)))
    for (let i = 0; i < records.length; i += 500) await rt.services.catalog.upsertMany(kind, org.id, records.slice(i, i + 500), `eval-${i}`)
    await rt.queue.drain()
    await rt.services.matching.termStats.refresh(table)
    const byKey = new Map(ds.corpus.map((d) => [kind === 'achievement' ? d._id : validated('patent', d._id, patentRecord(d)).publication_number, d._id]))
    const idOf = new Map((await catalogStore.idsWith(rt.db, kindDef(kind), keyCol)).map((r) => [r.id, byKey.get(r.key)!]))
    log(`loaded ${ds.corpus.length} ${kind}s in ${((performance.now() - t0) / 1000).toFixed(1)} s (${rt.db.engine}, ${rt.services.embedder.modelId})`)

    const per: Metrics[] = []
    const lists: JudgedList[] = []
    const run: string[] = []
    const t1 = performance.now()
    for (const q of ds.queries) {
      const rel = ds.qrels.get(q._id)
      // trec_eval's convention: queries with at least one relevant document
      if (!rel || ![...rel.values()].some((g) => g >= 1)) continue
      let results: { id: string; score: number }[]
      if (ds.queryKind === 'need') {
        // the need's own run (POST /v1/needs/{id}/match): its ranking before the floor and the suggestion cap
        const need = await matchStore.queryRow(rt.db, 'needs', needIds.get(q._id)!)
        const { scored, rows } = await rt.services.matching.rankItems(queryFromRow(need!), rt.services.matching.needQuerySide(need!), [kind], mode, 110)
        results = scored
        const item = (id: string) => { const r = rows.get(`${kind}:${id}`); return { field: r?.field ?? null, maturity: r?.maturity ?? null } }
        lists.push({ qid: q._id, rel, ranked: scored.filter((r) => idOf.has(r.id)).slice(0, 100).map((r) => ({ ...r, doc: idOf.get(r.id)!, item: item(r.id) })) })
      } else {
        const { title } = splitTitle(q.text)
        results = await rt.services.matching.search(SYSTEM, { query: q.text, title, kinds: [kind], mode, limit: 110 })
      }
      let ranking = results.map((r) => idOf.get(r.id)!).filter(Boolean)
      if (values['exclude-self']) ranking = ranking.filter((d) => d !== q._id)
      ranking = ranking.slice(0, 100)
      per.push(queryMetrics(ranking, rel))
      ranking.forEach((d, i) => run.push(`${q._id} Q0 ${d} ${i + 1} ${(100 - i).toFixed(0)} techtransfer-${mode}`))
    }
    const m = meanMetrics(per)
    const qps = per.length / ((performance.now() - t1) / 1000)
    if (values.run) writeFileSync(values.run, run.join('\n') + '\n')
    const extra: Record<string, unknown> = {}
    // the ranked, judged lists (signals only, no text) for offline study of the re-ranker
    if (values['save-lists']) writeFileSync(values['save-lists'], JSON.stringify(lists.map((l) => ({ ...l, rel: [...l.rel] }))))
    if (lists.length) {
      // the strength as the service computes it now (its curve, and its floor unless MATCH_STRENGTH_FLOOR is set)
      extra.calibration = calibrationReport(lists, config.MATCH_STRENGTH_FLOOR ?? DEFAULT_CALIBRATION.floor)
      if (values['fit-calibration']) {
        // a new curve and floor from these judged pairs: in-sample, and cross-validated by need (5 folds)
        const fit = fitCalibration(lists)
        const { version, model, floor } = fit.calibration
        extra.calibration_fit = { version, inputs: model.names, weights: model.weights, bias: model.bias, floor }
        extra.calibration_fitted_in_sample = fit.in_sample
        extra.calibration_fitted_cross_validated = fit.cross_validated
        if (values['write-calibration']) extra.calibration_written = writeCalibration(fit.calibration, `${ds.dir.split('/').filter(Boolean).pop()} ${ds.qrelFile}: judged pairs in the need path's top 100, label >= 1, each need weighted equally`)
      }
      if (values['learn-folds']) {
        const k = Number(values['learn-folds'])
        if (!(k >= 2)) throw new Error(USAGE)
        const r = learnFolds(lists, k)
        Object.assign(extra, { 'ndcg@10_condensed_base': r.base['ndcg@10_condensed'], 'ndcg@10_condensed_learned': r.learned['ndcg@10_condensed'], 'ndcg@10_base': r.base['ndcg@10'], 'ndcg@10_learned': r.learned['ndcg@10'], 'mrr@10_base': r.base['mrr@10'], 'mrr@10_learned': r.learned['mrr@10'], learn_folds: k, learn_needs: r.needs, learn_per_fold: r.folds })
      }
    }
    if (values.json) console.log(JSON.stringify({ mode, queries: per.length, ...m, ...extra }))
    else {
      console.log(`dataset ${ds.dir} (${ds.qrelFile}), ${kind}s, ${ds.queryKind === 'need' ? 'queries as needs' : 'free-text queries'}, mode ${mode}, ${per.length} queries${values['exclude-self'] ? ', query document excluded' : ''}, ${qps.toFixed(1)} queries/s`)
      console.log('| mode | nDCG@10 | judged@10 | condensed nDCG@10 | Recall@10 | Recall@100 | MAP@100 | MRR@10 |')
      console.log('|---|---|---|---|---|---|---|---|')
      const f = (k: keyof Metrics) => m[k].toFixed(4)
      console.log(`| ${mode} | ${f('ndcg@10')} | ${f('judged@10')} | ${f('ndcg@10_condensed')} | ${f('recall@10')} | ${f('recall@100')} | ${f('map@100')} | ${f('mrr@10')} |`)
      if (Object.keys(extra).length) console.log(JSON.stringify(extra, null, 1))
    }
    return m
  } finally {
    await rt.close()
    if (drop) await drop()
  }
}
