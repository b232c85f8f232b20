import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Db } from '../src/db'
import { openPg } from '../src/db/pg'
import { openPglite } from '../src/db/pglite'
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

/** A database of its own for one bench run: a scratch PostgreSQL database, or PGlite in a temporary folder. */
export async function benchDb(kind: string, tag: string): Promise<{ db: Db; cleanup: () => Promise<void> }> {
  if (kind === 'pg') {
    const f = await freshPgDatabase(tag)
    return { db: openPg(f.url), cleanup: f.drop }
  }
  const dir = mkdtempSync(path.join(tmpdir(), `bench-${tag}-`))
  return { db: await openPglite(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) }
}
