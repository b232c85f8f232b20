// Loads data/demo/ through the same bulk-upsert path as imports (idempotent by natural key).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Kind } from '../catalog/kinds'
import { validateRecord } from '../catalog/service'
import type { OrgKind } from '../orgs/access'
import { orgStore } from '../orgs/store'
import type { Runtime } from '../runtime'

export const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/demo')

type DemoOrg = { key: string; name: string; kind: OrgKind; region: string }
type DemoRow = Record<string, unknown> & { org: string }

const load = <T>(name: string): T => JSON.parse(readFileSync(path.join(DEMO_DIR, `${name}.json`), 'utf8')) as T

/** Loads the demo set; returns counts. Throws if a demo row fails validation (a bug in the data). */
export async function loadDemoData(rt: Runtime): Promise<Record<string, number>> {
  const orgIds = new Map<string, { id: string; region: string }>()
  for (const o of load<DemoOrg[]>('organizations')) {
    const org = (await orgStore.findOrgByName(rt.db, o.name, o.kind)) ?? (await orgStore.insertOrg(rt.db, o))
    orgIds.set(o.key, { id: org.id, region: o.region })
  }
  const counts: Record<string, number> = {}
  for (const [kind, file] of [['achievement', 'achievements'], ['patent', 'patents'], ['need', 'needs']] as [Kind, string][]) {
    const byOrg = new Map<string, Record<string, unknown>[]>()
    for (const { org, ...row } of load<DemoRow[]>(file)) {
      const owner = orgIds.get(org)!
      const v = validateRecord(kind, { region: owner.region, ...row })
      if (!v.success) throw new Error(`demo ${kind} "${row.title}": ${v.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
      byOrg.set(owner.id, [...(byOrg.get(owner.id) ?? []), v.data])
    }
    counts[file] = 0
    for (const [orgId, rows] of byOrg) {
      const r = await rt.services.catalog.upsertMany(kind, orgId, rows, `demo-${kind}-${orgId}`)
      counts[file] += r.inserted + r.updated + r.unchanged
    }
  }
  return counts
}

/** First start of the embedded default: load once (a later deletion of demo rows is respected). */
export async function loadDemoOnce(rt: Runtime): Promise<Record<string, number> | null> {
  const done = await rt.db.query("SELECT 1 FROM app_settings WHERE key = 'demo_loaded'")
  if (done.rows.length) return null
  const counts = await loadDemoData(rt)
  await rt.db.query("INSERT INTO app_settings (key, value) VALUES ('demo_loaded', now()::text) ON CONFLICT (key) DO NOTHING")
  return counts
}
