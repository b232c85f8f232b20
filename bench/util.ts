import { createScratchDatabase } from '../src/db/scratch'

/** A fresh database on the server of DATABASE_URL (default: local postgres), dropped afterwards. */
export const freshPgDatabase = (tag: string) =>
  createScratchDatabase(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres', `bench_${tag}`)

/** Samples RSS every 50 ms; stop() returns the peak in MB. */
export function peakRss() {
  let peak = process.memoryUsage().rss
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 50)
  return {
    stop() {
      clearInterval(t)
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 1e6)
    },
  }
}
