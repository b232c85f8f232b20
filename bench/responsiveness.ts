// `npm run bench -- responsiveness [--rows 50000] [--json]`
// A CSV import of synthetic achievements on the embedded default (a real server process, inline jobs) while GET /healthz
// is probed every 100 ms: how long the server leaves a liveness probe waiting while it imports.
import { parseArgs } from 'node:util'
import { benchTenant, importFile, percentile, probeHealth, round1, startServer } from './server'
import { synthetic } from './synthetic'

const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)

/** A CSV of n synthetic achievements (header names the importer maps without --map). */
export function syntheticCsv(n: number, seed = 7): string {
  const lines = ['external_id,title,summary,industry,keywords,maturity,transfer_modes']
  for (const x of synthetic(n, seed)) {
    lines.push([x.external_id, x.title, x.summary, x.industry, x.keywords.join(';'), x.maturity, x.transfer_modes.join(';')].map(cell).join(','))
  }
  return lines.join('\n') + '\n'
}

export async function benchResponsiveness(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { rows: { type: 'string', default: '50000' }, json: { type: 'boolean', default: false } } })
  const rows = Number(values.rows)
  const log = (s: string) => !values.json && console.log(s)
  const csv = syntheticCsv(rows)
  log(`responsiveness benchmark: import of ${rows} synthetic achievements (${(Buffer.byteLength(csv) / 1e6).toFixed(1)} MB CSV) on the embedded database, /healthz every 100 ms`)
  // 50,000 synthetic rows are ~67 MB of CSV, above the default upload limit (50 MB)
  const server = await startServer('pglite', { UPLOAD_LIMIT_BYTES: String(Math.max(52_428_800, Buffer.byteLength(csv) + 1_000_000)) })
  try {
    const uni = await benchTenant(server, 'university', 'university')
    const probe = probeHealth(server.url, 100)
    const t0 = performance.now()
    const done = await importFile(server, uni.key, 'achievement', 'bench.csv', csv)
    const importSeconds = (performance.now() - t0) / 1000
    const { samples, errors } = await probe.stop()
    const r = {
      db: 'pglite',
      rows,
      status: done.status,
      inserted: done.rows_inserted,
      import_seconds: round1(importSeconds),
      healthz_probes: samples.length,
      healthz_errors: errors,
      healthz_p50_ms: round1(percentile(samples, 50)),
      healthz_p99_ms: round1(percentile(samples, 99)),
      healthz_max_ms: round1(Math.max(...samples)),
    }
    if (values.json) console.log(JSON.stringify(r))
    else log(`  import ${r.status}: ${r.inserted} rows in ${r.import_seconds} s; /healthz over ${r.healthz_probes} probes: p50 ${r.healthz_p50_ms} ms, p99 ${r.healthz_p99_ms} ms, max ${r.healthz_max_ms} ms, ${r.healthz_errors} errors`)
  } finally {
    await server.stop()
  }
}
