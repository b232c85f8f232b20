// Wires the domain services together; routes and job handlers receive this one object.
import type { Config } from './config'
import type { Db } from './db'
import { createOrgService } from './orgs/service'

export function createServices(db: Db, _config: Config) {
  return {
    orgs: createOrgService(db),
  }
}

export type Services = ReturnType<typeof createServices>
