// `npm run bench -- load [--db pglite|pg|both] [--clients 200] [--seconds 30] [--items 20000] [--json]`
// Concurrent clients against a real server process (loopback): a catalogue of synthetic achievements and a few needs
// with their matches, then a mix of match-list reads (60%) and searches (40%) for a fixed time, while /healthz is
// probed every 100 ms. Prints per database: clients, rps, p50/p95/p99 latency (and p95 per request type), errors, and
// the slowest /healthz.
import { parseArgs } from 'node:util'
import { benchTenant, bodyOf, importFile, percentile, probeHealth, round1, startServer } from './server'
import { rng, synthetic } from './synthetic'

const NEEDS = 20

export async function benchLoad(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string', default: 'both' }, clients: { type: 'string', default: '200' }, seconds: { type: 'string', default: '30' },
      items: { type: 'string', default: '20000' }, json: { type: 'boolean', default: false },
    },
  })
  const clients = Number(values.clients)
  const seconds = Number(values.seconds)
  const items = Number(values.items)
  const log = (s: string) => !values.json && console.log(s)
  const dbs = (values.db === 'both' ? ['pglite', 'pg'] : [values.db!]) as ('pglite' | 'pg')[]
  // files of at most 20,000 rows (a 100,000-row catalogue is over the default upload limit as one file)
  const rows = [...synthetic(items)].map((x) => JSON.stringify(x))
  const files = Array.from({ length: Math.ceil(rows.length / 20_000) }, (_, i) => rows.slice(i * 20_000, (i + 1) * 20_000).join('\n'))
  const needs = [...synthetic(NEEDS, 99)]
  log(`load benchmark: ${items} synthetic achievements, ${NEEDS} needs; ${clients} clients for ${seconds} s (60% match lists, 40% search)`)

  for (const db of dbs) {
    const server = await startServer(db)
    try {
      const t0 = performance.now()
      const uni = await benchTenant(server, 'university', 'university')
      const ent = await benchTenant(server, 'enterprise', 'enterprise')
      for (const [i, file] of files.entries()) {
        const imp = await importFile(server, uni.key, 'achievement', `catalogue-${i + 1}.jsonl`, file)
        if (imp.status !== 'completed') throw new Error(`catalogue import ${imp.status}: ${imp.error}`)
      }
      const needIds: string[] = []
      for (const n of needs) {
        const r = await server.api('/v1/needs', { method: 'POST', key: ent.key, json: { title: n.title, description: n.summary, industry: n.industry } })
        const body = await bodyOf(r)
        if (r.status !== 201) throw new Error(`need refused: ${r.status} ${JSON.stringify(body)}`)
        needIds.push(body.id)
      }
      // Matching runs as jobs after each need is indexed: wait (bounded) until every need has its matches.
      const deadline = Date.now() + 10 * 60_000
      for (const id of needIds) {
        for (;;) {
          const m = await bodyOf(await server.api(`/v1/needs/${id}/matches?limit=5`))
          if (m.items?.length) break
          if (Date.now() > deadline) throw new Error('matches did not appear in 10 minutes')
          await new Promise((r) => setTimeout(r, 500))
        }
      }
      log(`  ${db}: catalogue ready in ${round1((performance.now() - t0) / 1000)} s`)

      const r = rng(1)
      const words = needs.flatMap((n) => n.keywords)
      const latencies: number[] = []
      const byType: Record<'match_list' | 'search', number[]> = { match_list: [], search: [] }
      let errors = 0
      const errorKinds = new Map<string, number>()
      const fail = (why: string) => {
        errors++
        errorKinds.set(why, (errorKinds.get(why) ?? 0) + 1)
      }
      const probe = probeHealth(server.url, 100)
      const start = performance.now()
      const end = start + seconds * 1000
      async function client() {
        while (performance.now() < end) {
          const t = performance.now()
          const type = r() < 0.6 ? 'match_list' : 'search'
          try {
            const res =
              type === 'match_list'
                ? await server.api(`/v1/needs/${needIds[Math.floor(r() * needIds.length)]}/matches?limit=20`, { timeoutMs: 60_000 })
                : await server.api('/v1/search', {
                    method: 'POST', timeoutMs: 60_000,
                    json: { query: `${words[Math.floor(r() * words.length)]}${words[Math.floor(r() * words.length)]}的关键技术`, kinds: ['achievement'], limit: 20 },
                  })
            await res.arrayBuffer()
            if (res.ok) {
              latencies.push(performance.now() - t)
              byType[type].push(performance.now() - t)
            }
            else fail(`http ${res.status}`)
          } catch (err) {
            fail((err as Error).name === 'TimeoutError' ? 'timeout' : (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name)
          }
        }
      }
      await Promise.all(Array.from({ length: clients }, client))
      const elapsed = (performance.now() - start) / 1000
      const health = await probe.stop()
      const out = {
        db, items, clients, seconds: round1(elapsed), requests: latencies.length + errors,
        rps: round1(latencies.length / elapsed),
        p50_ms: round1(percentile(latencies, 50)), p95_ms: round1(percentile(latencies, 95)), p99_ms: round1(percentile(latencies, 99)),
        match_list_p95_ms: round1(percentile(byType.match_list, 95)), search_p95_ms: round1(percentile(byType.search, 95)),
        errors, error_kinds: Object.fromEntries(errorKinds),
        healthz_max_ms: round1(Math.max(...health.samples)), healthz_errors: health.errors,
      }
      if (values.json) console.log(JSON.stringify(out))
      else log(`  ${db}: ${out.rps} requests/s; p50 ${out.p50_ms} ms, p95 ${out.p95_ms} ms, p99 ${out.p99_ms} ms (p95 match lists ${out.match_list_p95_ms} ms, search ${out.search_p95_ms} ms); ${errors} errors${errors ? ' ' + JSON.stringify(out.error_kinds) : ''}; /healthz max ${out.healthz_max_ms} ms`)
    } finally {
      await server.stop()
    }
  }
}
