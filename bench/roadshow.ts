// `npm run bench -- roadshow [--items 5000] [--orgs 20] [--runs 30] [--db pglite|pg] [--json]`
// Latency of what an organiser waits for: suggesting a shortlist (search 200 deep, theme filters, per-organisation cap,
// entries written), reading it back (every entry re-checked against the reader) and exporting the programme, over a
// synthetic catalogue spread across organisations.
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import type { Fields } from '../src/catalog/kinds'
import { validateRecord } from '../src/catalog/service'
import { loadConfig } from '../src/config'
import { mapRecord, resolveMapping } from '../src/imports/mapping'
import { createLogger } from '../src/log'
import type { Caller } from '../src/orgs/access'
import { orgStore } from '../src/orgs/store'
import { openRuntime } from '../src/runtime'
import { rng, synthetic } from './synthetic'
import { benchDb } from './util'

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10
}

export async function benchRoadshow(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: {
    items: { type: 'string', default: '5000' }, orgs: { type: 'string', default: '20' }, runs: { type: 'string', default: '30' },
    db: { type: 'string', default: 'pglite' }, json: { type: 'boolean', default: false },
  } })
  const log = (s: string) => !values.json && console.log(s)
  const n = Number(values.items)
  const { db, cleanup } = await benchDb(values.db!, 'roadshow')
  const rt = await openRuntime(loadConfig({ LOG_LEVEL: 'silent', DEMO_DATA: 'false' }), createLogger('silent'), { db })
  const orgs = []
  for (let i = 0; i < Number(values.orgs); i++) orgs.push(await orgStore.insertOrg(rt.db, { name: `bench-uni-${i}`, kind: 'university' }))
  const t0 = performance.now()
  // each organisation's items in one batch (upsertMany writes one organisation's rows)
  const byOrg = new Map<string, Fields[]>()
  const r = rng(5)
  let mapping: Record<string, string> | undefined
  for (const item of synthetic(n, 11)) {
    mapping ??= resolveMapping('achievement', Object.keys(item))
    const org = orgs[Math.floor(r() * orgs.length)]!.id
    byOrg.set(org, [...(byOrg.get(org) ?? []), validateRecord('achievement', mapRecord('achievement', mapping, item as never).record).data!])
  }
  for (const [org, rows] of byOrg) for (let i = 0; i < rows.length; i += 500) await rt.services.catalog.upsertMany('achievement', org, rows.slice(i, i + 500), 'bench')
  await rt.queue.drain()
  await rt.services.catalog.maintain('achievement')
  log(`  ${values.db}: loaded ${n} items across ${orgs.length} organisations in ${((performance.now() - t0) / 1000).toFixed(0)} s`)

  const organiser = await orgStore.insertOrg(rt.db, { name: 'bench-organiser', kind: 'organizer' })
  const ctx: Caller = { kind: 'key', keyId: randomUUID(), role: 'organizer', orgId: organiser.id, orgKind: 'organizer' }
  const themes = [...synthetic(Number(values.runs), 77)].map((q, i) => ({
    title: `路演 ${i}`, kind: 'achievements' as const, size: 10, slot: { pitch: 8, qa: 7 }, breaks: [{ after: 5, minutes: 10, label: '茶歇' }],
    theme: { keywords: q.keywords.slice(0, 2), industry: i % 2 ? q.industry : undefined, min_maturity: i % 3 ? undefined : ('pilot' as const) },
  }))
  await rt.services.roadshows.createRoadshow({ ctx, input: { ...themes[0]!, title: 'warm-up' } }) // first use loads the word lists
  const create: number[] = []
  const read: number[] = []
  const exp: number[] = []
  let filled = 0
  for (const th of themes) {
    let s = performance.now()
    const rs = await rt.services.roadshows.createRoadshow({ ctx, input: { ...th } })
    create.push(performance.now() - s)
    filled += rs.entries.length
    s = performance.now()
    await rt.services.roadshows.getRoadshow({ ctx, input: { id: rs.id } })
    read.push(performance.now() - s)
    s = performance.now()
    await rt.services.roadshows.exportRoadshow({ ctx, input: { id: rs.id, format: 'html' } })
    exp.push(performance.now() - s)
  }
  const out = {
    db: values.db, items: n, organisations: orgs.length, runs: themes.length, mean_entries: Math.round((filled / themes.length) * 10) / 10,
    create_p50_ms: pct(create, 50), create_p95_ms: pct(create, 95), read_p50_ms: pct(read, 50), read_p95_ms: pct(read, 95), export_p50_ms: pct(exp, 50), export_p95_ms: pct(exp, 95),
  }
  if (values.json) console.log(JSON.stringify(out))
  else {
    log(`  suggest a shortlist (size 10): p50 ${out.create_p50_ms} ms, p95 ${out.create_p95_ms} ms; ${out.mean_entries} entries on average`)
    log(`  read it back: p50 ${out.read_p50_ms} ms, p95 ${out.read_p95_ms} ms; export HTML: p50 ${out.export_p50_ms} ms, p95 ${out.export_p95_ms} ms`)
  }
  await rt.close()
  await cleanup()
}
