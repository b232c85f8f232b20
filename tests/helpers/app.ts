// An API over a real database with its own tenants: each test creates the organisations and keys it needs.
import { createApp } from '../../src/api/app'
import { createLogger } from '../../src/api/log'
import type { Db } from '../../src/db'
import type { OrgKind, Role } from '../../src/orgs/access'
import { createServices } from '../../src/services'
import { openTestDb } from './db'
import { testConfig } from './env'

export interface TestApp {
  db: Db
  services: ReturnType<typeof createServices>
  request(path: string, init?: RequestInit & { key?: string; json?: unknown }): Promise<Response>
  adminKey: string
  /** A new organisation of the given kind with a key of the given role. */
  tenant(kind: OrgKind, role: Role, name?: string): Promise<{ orgId: string; key: string }>
  close(): Promise<void>
}

export async function createTestApp(configOverrides: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(configOverrides)
  const db = await openTestDb()
  const services = createServices(db, config)
  const app = createApp({ config, db, services }, createLogger('silent'))
  const admin = await services.orgs.bootstrapAdmin({ name: 'test admin' })

  const request: TestApp['request'] = (path, init = {}) => {
    const headers = new Headers(init.headers)
    if (init.key) headers.set('authorization', `Bearer ${init.key}`)
    let body = init.body
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json')
      body = JSON.stringify(init.json)
    }
    return Promise.resolve(app.request(path, { ...init, headers, body }))
  }

  return {
    db,
    services,
    request,
    adminKey: admin.key,
    async tenant(kind, role, name) {
      const org = await services.orgs.createOrg({ kind: 'system', role: 'system' }, { name: name ?? `test ${kind} ${Math.random().toString(36).slice(2, 8)}`, kind, region: '江苏' })
      const { key } = await services.orgs.createKeyAsOperator(org.id, { name: 'test', role })
      return { orgId: org.id, key }
    },
    close: () => db.close(),
  }
}
