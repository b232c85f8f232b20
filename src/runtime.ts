// Boot sequence shared by the API, the worker and the CLI: config -> database -> migrations -> services.
import type { Config } from './config'
import { type Db, openDb } from './db'
import { migrate } from './db/migrate'
import { createServices, type Services } from './services'
import type { Logger } from './api/log'

export interface Runtime {
  config: Config
  db: Db
  services: Services
  close(): Promise<void>
}

export async function openRuntime(config: Config, logger: Logger, opts: { db?: Db } = {}): Promise<Runtime> {
  const db = opts.db ?? (await openDb(config))
  const applied = await migrate(db, { embeddingDim: config.EMBEDDING_DIM, log: (m) => logger.info(m) })
  if (applied.length) logger.info('migrations applied', { applied })
  const services = createServices(db, config)
  return {
    config,
    db,
    services,
    async close() {
      await db.close()
    },
  }
}
