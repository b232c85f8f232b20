// `npm run bench -- ingest [--n 20000] [--db pglite|pg|both] [--json]`
// Synthetic achievements through the real import path (file -> parse -> validate -> upsert -> index jobs -> done),
// on PGlite and on PostgreSQL; prints docs/s per stage and peak RSS.
import { rmSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger } from '../src/log'
import { KIND_DEFS } from '../src/catalog/kinds'
import { validateRecord } from '../src/catalog/service'
import { loadConfig } from '../src/config'
import { openPg } from '../src/db/pg'
import { openPglite } from '../src/db/pglite'
import { mapRecord, resolveMapping } from '../src/imports/mapping'
import { readRecords } from '../src/imports/read'
import { HashEmbedder } from '../src/models/hash-embedder'
import { SYSTEM } from '../src/orgs/access'
import { orgStore } from '../src/orgs/store'
import { openRuntime } from '../src/runtime'
import { analyze } from '../src/text/analyze'
import { synthetic } from './synthetic'
import { freshPgDatabase, peakRss } from './util'

export async function benchIngest(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { n: { type: 'string', default: '20000' }, db: { type: 'string', default: 'both' }, json: { type: 'boolean', default: false }, dim: { type: 'string', default: '256' } } })
  const n = Number(values.n)
  const dim = Number(values.dim)
  const file = Buffer.from([...synthetic(n)].map((x) => JSON.stringify(x)).join('\n'))
  const log = (s: string) => !values.json && console.log(s)
  log(`ingest benchmark: ${n} synthetic achievements (${(file.length / 1e6).toFixed(1)} MB JSONL), hash embedder ${dim} dims, inline jobs`)

  // Stage rates, measured alone (CPU only).
  let t0 = performance.now()
  const read = await readRecords('bench.jsonl', file)
  const mapping = resolveMapping('achievement', read.headers)
  const valid = read.records.map((r) => validateRecord('achievement', mapRecord('achievement', mapping, r.data).record).data!)
  const parseRate = n / ((performance.now() - t0) / 1000)
  const embedder = new HashEmbedder(dim)
  const sample = valid.slice(0, Math.min(n, 3000)).map((v) => KIND_DEFS.achievement.text(v))
  t0 = performance.now()
  for (const s of sample) embedder.embedAnalysis(analyze(s))
  const analyseRate = sample.length / ((performance.now() - t0) / 1000)
  log(`  parse+validate: ${parseRate.toFixed(0)} docs/s; analyse+embed: ${analyseRate.toFixed(0)} docs/s (one core)`)

  const results = []
  const dbs = values.db === 'both' ? ['pglite', 'pg'] : [values.db!]
  for (const kind of dbs) {
    const rss = peakRss()
    let dir: string | undefined
    let drop: (() => Promise<void>) | undefined
    let db
    if (kind === 'pg') {
      const fresh = await freshPgDatabase('ingest')
      db = openPg(fresh.url)
      drop = fresh.drop
    } else {
      dir = mkdtempSync(path.join(tmpdir(), 'bench-pglite-'))
      db = await openPglite(dir)
    }
    const config = loadConfig({ EMBEDDING_DIM: String(dim), LOG_LEVEL: 'silent', DEMO_DATA: 'false' })
    const rt = await openRuntime(config, createLogger('silent'), { db })
    const org = await orgStore.insertOrg(rt.db, { name: 'bench university', kind: 'university' })

    // Database write rate alone: upserts without indexing (the index jobs are counted end to end below).
    const start = performance.now()
    const imp = await rt.services.imports.create(SYSTEM, { kind: 'achievement', filename: 'bench.jsonl', content: file, orgId: org.id })
    let written = 0
    let writeDone = 0
    for (;;) {
      const cur = await rt.services.imports.get(SYSTEM, imp.id)
      written = cur.rows_inserted
      if (cur.status !== 'queued' && cur.status !== 'running') {
        writeDone = performance.now()
        break
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    await rt.queue.drain()
    const end = performance.now()
    const indexed = (await rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM achievements WHERE embedding IS NOT NULL')).rows[0]!.n
    const r = {
      db: kind,
      docs: n,
      inserted: written,
      indexed,
      import_docs_per_s: Math.round(n / ((writeDone - start) / 1000)),
      end_to_end_docs_per_s: Math.round(n / ((end - start) / 1000)),
      parse_docs_per_s: Math.round(parseRate),
      analyse_embed_docs_per_s: Math.round(analyseRate),
      seconds: Math.round((end - start) / 100) / 10,
      peak_rss_mb: rss.stop(),
    }
    results.push(r)
    log(`  ${kind}: import (parse+validate+upsert) ${r.import_docs_per_s} docs/s; end to end (indexed and embedded) ${r.end_to_end_docs_per_s} docs/s in ${r.seconds} s; ${indexed}/${n} indexed; peak RSS ${r.peak_rss_mb} MB`)
    await rt.close()
    if (drop) await drop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
  if (values.json) for (const r of results) console.log(JSON.stringify(r))
}
