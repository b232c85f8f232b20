// API server entrypoint: `npm start`.
import { serve } from '@hono/node-server'
import { createApp } from './api/app'
import { createLogger } from './api/log'
import { loadConfigOrExit } from './config'
import { openRuntime } from './runtime'

const t0 = performance.now()
const config = loadConfigOrExit()
const logger = createLogger(config.LOG_LEVEL)
const rt = await openRuntime(config, logger)

if (config.ADMIN_BOOTSTRAP_KEY) {
  const r = await rt.services.orgs.bootstrapAdmin({ key: config.ADMIN_BOOTSTRAP_KEY, name: 'ADMIN_BOOTSTRAP_KEY' })
  if (r.created) logger.info('bootstrap admin key registered from ADMIN_BOOTSTRAP_KEY')
}

const app = createApp({ config, db: rt.db, services: rt.services }, logger)
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
