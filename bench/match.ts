// `npm run bench -- match [--pg-items 100000] [--pglite-items 20000] [--queries 200] [--db pglite|pg|both] [--json]`
// Latency of a full match (retrieve, fuse, re-rank; no model) over a synthetic catalogue, and the dense ANN stage's
// recall@20 against an exact scan of the same query.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger } from '../src/log'
import { validateRecord } from '../src/catalog/service'
import type { Fields } from '../src/catalog/kinds'
import { loadConfig } from '../src/config'
import type { Db } from '../src/db'
import { toVectorLiteral } from '../src/db'
import { openPg } from '../src/db/pg'
import { openPglite } from '../src/db/pglite'
import { mapRecord, resolveMapping } from '../src/imports/mapping'
import { denseCandidates } from '../src/matching/retrieve'
import { SYSTEM } from '../src/orgs/access'
import { orgStore } from '../src/orgs/store'
import { openRuntime } from '../src/runtime'
import { synthetic } from './synthetic'
import { freshPgDatabase } from './util'

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10
}

export async function benchMatch(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: {
    'pg-items': { type: 'string', default: '100000' }, 'pglite-items': { type: 'string', default: '20000' },
    queries: { type: 'string', default: '200' }, db: { type: 'string', default: 'both' }, json: { type: 'boolean', default: false },
  } })
  const log = (s: string) => !values.json && console.log(s)
  const results = []
  for (const kind of values.db === 'both' ? ['pglite', 'pg'] : [values.db!]) {
    const n = Number(kind === 'pg' ? values['pg-items'] : values['pglite-items'])
    let db: Db
    let cleanup: () => Promise<void>
    if (kind === 'pg') {
      const f = await freshPgDatabase('match')
      db = openPg(f.url)
      cleanup = f.drop
    } else {
      const dir = mkdtempSync(path.join(tmpdir(), 'bench-match-'))
      db = await openPglite(dir)
      cleanup = async () => rmSync(dir, { recursive: true, force: true })
    }
    const config = loadConfig({ LOG_LEVEL: 'silent', DEMO_DATA: 'false' })
    const rt = await openRuntime(config, createLogger('silent'), { db })
    const org = await orgStore.insertOrg(rt.db, { name: 'bench', kind: 'university' })
    const t0 = performance.now()
    let batch: Fields[] = []
    let mapping: Record<string, string> | undefined
    for (const item of synthetic(n, 7)) {
      mapping ??= resolveMapping('achievement', Object.keys(item))
      batch.push(validateRecord('achievement', mapRecord('achievement', mapping, item as never).record).data!)
      if (batch.length === 500) {
        await rt.services.catalog.upsertMany('achievement', org.id, batch, 'bench')
        batch = []
      }
    }
    if (batch.length) await rt.services.catalog.upsertMany('achievement', org.id, batch, 'bench')
    await rt.queue.drain()
    await rt.services.catalog.maintain('achievement') // as an import of this size does when it finishes
    log(`  ${kind}: loaded ${n} items in ${((performance.now() - t0) / 1000).toFixed(0)} s`)

    const queries = [...synthetic(Number(values.queries), 99)].map((q) => ({ title: q.title, text: q.summary.slice(0, 200) }))
    await rt.services.matching.search(SYSTEM, { query: queries[0]!.text, kinds: ['achievement'], mode: 'hybrid', limit: 20 }) // warm-up
    const lat: number[] = []
    let recall = 0
    for (const q of queries) {
      const s = performance.now()
      await rt.services.matching.search(SYSTEM, { query: q.text, title: q.title, kinds: ['achievement'], mode: 'hybrid', limit: 20 })
      lat.push(performance.now() - s)
      // ANN vs exact top 20 of the dense stage
      const emb = await rt.services.embedder.embedQuery(`${q.title}\n${q.text}`)
      const ann = await denseCandidates(rt.db, 'achievements', emb, { k: 20, efSearch: config.HNSW_EF_SEARCH, where: () => "t.status = 'active'" })
      const exact = await rt.db.transaction(async (tx) => {
        await tx.query("SELECT set_config('enable_indexscan', 'off', true), set_config('enable_bitmapscan', 'off', true)")
        return (await tx.query<{ id: string }>(`SELECT id FROM achievements t WHERE t.status = 'active' AND embedding IS NOT NULL ORDER BY embedding <=> $1::vector, id LIMIT 20`, [toVectorLiteral(emb)])).rows
      })
      const truth = new Set(exact.map((r) => r.id))
      recall += ann.filter((c) => truth.has(c.id)).length / Math.max(1, truth.size)
    }
    const r = { db: kind, items: n, queries: queries.length, p50_ms: pct(lat, 50), p95_ms: pct(lat, 95), p99_ms: pct(lat, 99), 'ann_recall@20': Math.round((recall / queries.length) * 1000) / 1000 }
    results.push(r)
    log(`  ${kind}: ${n} items, ${queries.length} queries: p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms, p99 ${r.p99_ms} ms; dense ANN recall@20 ${r['ann_recall@20']} (ef_search ${config.HNSW_EF_SEARCH})`)
    await rt.close()
    await cleanup()
  }
  if (values.json) for (const r of results) console.log(JSON.stringify(r))
}
