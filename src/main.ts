// API server entrypoint: `npm start`.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { serve } from '@hono/node-server'
import { createApp } from './api/app'
import { createLogger } from './log'
import { loadConfigOrExit } from './config'
import { openRuntime } from './runtime'

const t0 = performance.now()
const config = loadConfigOrExit()
const logger = createLogger(config.LOG_LEVEL)
const rt = await openRuntime(config, logger)

if (config.ADMIN_BOOTSTRAP_KEY) {
  const r = await rt.services.orgs.bootstrapAdmin({ key: config.ADMIN_BOOTSTRAP_KEY, name: 'ADMIN_BOOTSTRAP_KEY' })
  if (r.created) logger.info('bootstrap admin key registered from ADMIN_BOOTSTRAP_KEY')
} else if (!config.DATABASE_URL && (await rt.services.orgs.countKeys()) === 0) {
  // First start of the embedded default: make an admin key so the service is usable at once; shown this one time.
  const r = await rt.services.orgs.bootstrapAdmin({ name: 'first start' })
  const file = path.resolve(config.DATA_DIR, 'admin-key.txt')
  writeFileSync(file, r.key + '\n', { mode: 0o600 })
  logger.info('first start: created an admin API key (also written to the file; delete it once stored elsewhere)', { key: r.key, file })
}

if (!config.DATABASE_URL && config.DEMO_DATA) {
  const loaded = await rt.services.demo.loadDemoOnce()
  if (loaded) logger.info('demo data loaded (DEMO_DATA=false to skip); indexing runs in the background', loaded)
}

const app = createApp({ config, db: rt.db, services: rt.services, queuePing: rt.queue.kind === 'bullmq' ? () => rt.queue.ping() : undefined }, logger)
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  logger.info('listening', {
    url: `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${info.port}`,
    database: rt.db.kind,
    startup_ms: Math.round(performance.now() - t0),
  })
})

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  logger.info('shutting down', { signal })
  server.close()
  await rt.close()
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
