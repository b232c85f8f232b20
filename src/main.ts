// API server entrypoint: `npm start`.
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { serve } from '@hono/node-server'
import type { Server } from 'node:http'
import { createApp } from './api/app'
import { createLogger } from './log'
import { loadConfigOrExit } from './config'
import { DataDirLockedError } from './db/lock'
import { openRuntime, withDeadline } from './runtime'

const t0 = performance.now()
const config = loadConfigOrExit()
const logger = createLogger(config.LOG_LEVEL)
const rt = await openRuntime(config, logger).catch((err) => {
  if (err instanceof DataDirLockedError) {
    console.error(err.message)
    process.exit(75) // EX_TEMPFAIL: another process holds the embedded database
  }
  throw err
})

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

let draining = false
const app = createApp(
  { config, db: rt.db, services: rt.services, queuePing: rt.queue.runner === 'bullmq' ? () => rt.queue.ping() : undefined, draining: () => draining },
  logger,
)
const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  logger.info('listening', {
    url: `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${info.port}`,
    database: rt.db.engine,
    startup_ms: Math.round(performance.now() - t0),
  })
}) as Server

/**
 * Graceful shutdown: /readyz answers 503 (for SHUTDOWN_DELAY_MS while still accepting), then stop accepting connections, let in-flight requests finish (answers say `Connection: close`,
 * /readyz says 503), let the running job finish or hand it back, then close the queue and the database. Everything is
 * bounded by SHUTDOWN_TIMEOUT_MS; a second signal exits at once.
 */
async function shutdown(signal: string) {
  if (draining) {
    logger.warn('second signal: exiting now', { signal })
    process.exit(1)
  }
  draining = true
  const started = performance.now()
  logger.info('shutting down: finishing in-flight requests', { signal, delay_ms: config.SHUTDOWN_DELAY_MS })
  if (config.SHUTDOWN_DELAY_MS) await new Promise((r) => setTimeout(r, config.SHUTDOWN_DELAY_MS))
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  if (!(await withDeadline(closed, config.SHUTDOWN_TIMEOUT_MS))) {
    logger.warn('in-flight requests cut off at the shutdown deadline', { timeout_ms: config.SHUTDOWN_TIMEOUT_MS })
    server.closeAllConnections()
  }
  await rt.close()
  logger.info('stopped', { ms: Math.round(performance.now() - started) })
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
