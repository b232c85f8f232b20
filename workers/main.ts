// Worker entrypoint: `npm run worker`. Consumes BullMQ jobs with the same handlers the inline runner uses.
import { createLogger } from '../src/log'
import { loadConfigOrExit } from '../src/config'
import { startBullWorker } from '../src/jobs/bullmq'
import { openRuntime, withDeadline } from '../src/runtime'

const config = loadConfigOrExit()
const logger = createLogger(config.LOG_LEVEL)
if (!config.REDIS_URL) {
  logger.error('REDIS_URL is not set: without Redis, jobs run inline in the API process (npm start) and no worker is needed')
  process.exit(78)
}
const rt = await openRuntime(config, logger, { runInlineJobs: false })
const worker = startBullWorker(config.REDIS_URL, rt.handlers, rt.queue, { concurrency: config.WORKER_CONCURRENCY, logger })
logger.info('worker started', { concurrency: config.WORKER_CONCURRENCY, database: rt.db.engine })

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  logger.info('worker stopping: finishing active jobs', { signal })
  // waits for running jobs (unstarted ones stay queued for other workers); at the deadline the rest are handed back:
  // their locks lapse and another worker picks them up as stalled (jobs are idempotent)
  if (!(await withDeadline(worker.close(), config.SHUTDOWN_TIMEOUT_MS))) {
    logger.warn('jobs still running at the shutdown deadline are handed back to the queue', { timeout_ms: config.SHUTDOWN_TIMEOUT_MS })
    await worker.close(true).catch(() => {})
  }
  await rt.close()
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
