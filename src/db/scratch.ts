import { openPg } from './pg'

/**
 * A new, empty database on the server of `baseUrl` (for the eval command, benchmarks and isolated tests);
 * `drop()` removes it.
 */
export async function createScratchDatabase(baseUrl: string, tag: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = openPg(baseUrl, { max: 1 })
  const name = `tt_${tag}_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`.replace(/[^a-z0-9_]/g, '_')
  await admin.exec(`CREATE DATABASE ${name}`)
  const url = new URL(baseUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.close()
    },
  }
}
