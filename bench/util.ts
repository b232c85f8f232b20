import { openPg } from '../src/db/pg'

/** A fresh database on the server of DATABASE_URL (default: local postgres), dropped afterwards. */
export async function freshPgDatabase(tag: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres')
  const admin = openPg(base.toString(), { max: 1 })
  const name = `tt_bench_${tag}_${Date.now()}`
  await admin.exec(`CREATE DATABASE ${name}`)
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.close()
    },
  }
}

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
