// The demo set (data/demo/, written for this project): loaded through the same bulk-upsert path as imports
// (idempotent by natural key). A service of its own, used by the API's first start and by the CLI.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Fields, Kind } from '../catalog/kinds'
import { type CatalogService, validateRecord } from '../catalog/service'
import type { Db } from '../db'
import type { OrgKind } from '../orgs/access'
import { orgStore } from '../orgs/store'
import { demoStore } from './store'

export const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/demo')

type DemoOrg = { key: string; name: string; kind: OrgKind; region: string }
type DemoRow = Record<string, unknown> & { org: string }

const load = <T>(name: string): T => JSON.parse(readFileSync(path.join(DEMO_DIR, `${name}.json`), 'utf8')) as T

export function createDemoService({ db, catalog }: { db: Db; catalog: CatalogService }) {
  /** Loads the demo set; returns counts. Throws if a demo row fails validation (a bug in the data). */
  async function loadDemoData(): Promise<Record<string, number>> {
    const orgIds = new Map<string, { id: string; region: string }>()
    for (const o of load<DemoOrg[]>('organizations')) {
      const org = (await orgStore.findOrgByName(db, o.name, o.kind)) ?? (await orgStore.insertOrg(db, o))
      orgIds.set(o.key, { id: org.id, region: o.region })
    }
    const counts: Record<string, number> = {}
    for (const [kind, file] of [['achievement', 'achievements'], ['patent', 'patents'], ['need', 'needs']] as [Kind, string][]) {
      const byOrg = new Map<string, Fields[]>()
      for (const { org, ...row } of load<DemoRow[]>(file)) {
        const owner = orgIds.get(org)!
        const v = validateRecord(kind, { region: owner.region, ...row })
        if (!v.success) throw new Error(`demo ${kind} "${row.title}": ${v.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
        byOrg.set(owner.id, [...(byOrg.get(owner.id) ?? []), v.data])
      }
      counts[file] = 0
      for (const [orgId, rows] of byOrg) {
        const r = await catalog.upsertMany(kind, orgId, rows, `demo-${kind}-${orgId}`)
        counts[file] += r.inserted + r.updated + r.unchanged
      }
    }
    return counts
  }

  /** First start of the embedded default: load once (a later deletion of demo rows is respected). */
  async function loadDemoOnce(): Promise<Record<string, number> | null> {
    if (await demoStore.isLoaded(db)) return null
    const counts = await loadDemoData()
    await demoStore.markLoaded(db)
    return counts
  }

  return { loadDemoData, loadDemoOnce }
}
