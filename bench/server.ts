// A real API server in a child process (as `npm start` runs it), on loopback, for the load and responsiveness
// benchmarks: the benchmark's own client work then never shares the server's event loop.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from '../tests/helpers/server-process'
import { freshPgDatabase } from './util'

const ROOT = path.resolve(import.meta.dirname, '..')

// `any` on purpose: the benchmark reads response bodies loosely
export const bodyOf = (r: Response): Promise<any> => r.json()


export interface BenchServer {
  url: string
  adminKey: string
  child: ChildProcess
  /** fetch with the admin key (or another) and a bounded wait */
  api(p: string, init?: RequestInit & { key?: string; json?: unknown; timeoutMs?: number }): Promise<Response>
  stop(): Promise<void>
}

/** Starts `src/main.ts` on the embedded database (a fresh data directory) or on a fresh PostgreSQL database. */
export async function startServer(db: 'pglite' | 'pg', env: Record<string, string> = {}): Promise<BenchServer> {
  const port = await freePort()
  const adminKey = 'bench-admin-' + randomBytes(16).toString('hex')
  let dataDir: string | undefined
  let drop: (() => Promise<void>) | undefined
  const dbEnv: Record<string, string> = {}
  if (db === 'pg') {
    const fresh = await freshPgDatabase('server')
    dbEnv.DATABASE_URL = fresh.url
    drop = fresh.drop
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), 'bench-server-'))
    dbEnv.DATA_DIR = dataDir
  }
  const childEnv: Record<string, string | undefined> = {
    ...process.env, DATABASE_URL: '', REDIS_URL: '', ...dbEnv,
    PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DEMO_DATA: 'false', ADMIN_BOOTSTRAP_KEY: adminKey, ...env,
  }
  // the flags of `npm start` (package.json): a 32 MB young generation, ~10% more requests a second under load (README)
  const child = spawn(process.execPath, ['--max-semi-space-size=32', '--import', 'tsx', path.join(ROOT, 'src/main.ts')], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'ignore', 'inherit'] })
  const url = `http://127.0.0.1:${port}`
  const api: BenchServer['api'] = (p, init = {}) => {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${init.key ?? adminKey}`)
    let body = init.body
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json')
      body = JSON.stringify(init.json)
    }
    return fetch(url + p, { ...init, headers, body, signal: AbortSignal.timeout(init.timeoutMs ?? 120_000) })
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering`)
    try {
      if ((await fetch(url + '/readyz', { signal: AbortSignal.timeout(2000) })).ok) break
    } catch {
      /* not yet listening */
    }
    if (i > 600) throw new Error('server did not become ready in 2 minutes')
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url,
    adminKey,
    child,
    api,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        const t = setTimeout(() => child.kill('SIGKILL'), 30_000)
        await exited
        clearTimeout(t)
      }
      if (drop) await drop()
      if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** An organisation of the given kind with a key of the given role, made through the API. */
export async function benchTenant(s: BenchServer, kind: string, role: string): Promise<{ orgId: string; key: string }> {
  const org = await bodyOf(await s.api('/v1/orgs', { method: 'POST', json: { name: `bench ${kind} ${randomBytes(3).toString('hex')}`, kind, region: '江苏' } }))
  if (!org.id) throw new Error(`could not create an organisation: ${JSON.stringify(org)}`)
  const k = await bodyOf(await s.api(`/v1/orgs/${org.id}/keys`, { method: 'POST', json: { name: 'bench', role } }))
  if (!k.key) throw new Error(`could not create a key: ${JSON.stringify(k)}`)
  return { orgId: org.id, key: k.key }
}

/** Uploads a file to POST /v1/imports and waits until the import has finished; returns its final state. */
export async function importFile(s: BenchServer, key: string, kind: string, name: string, content: Uint8Array | string, limitMs = 30 * 60_000) {
  const form = new FormData()
  form.set('file', new File([content], name))
  form.set('kind', kind)
  const r = await s.api('/v1/imports', { method: 'POST', key, body: form, timeoutMs: limitMs })
  const imp = await bodyOf(r)
  if (r.status !== 202) throw new Error(`import refused: ${r.status} ${JSON.stringify(imp)}`)
  const deadline = Date.now() + limitMs
  for (;;) {
    // a server that stops answering (undici gives up after 5 minutes without headers) is asked again until the deadline
    const cur = await s.api(`/v1/imports/${imp.id}`, { key, timeoutMs: limitMs }).then(bodyOf, () => null)
    if (cur?.status === 'completed' || cur?.status === 'failed') return cur as { id: string; status: string; rows_inserted: number; error?: string }
    // not finished in time: say so with what was done (the caller still reports what it measured)
    if (Date.now() > deadline) return { id: String(imp.id), status: 'unfinished', rows_inserted: Number(cur?.rows_inserted ?? 0), error: 'not finished in time' }
    await new Promise((res) => setTimeout(res, 250))
  }
}

/** Probes GET /healthz every `everyMs` (each probe on its own, so a stall shows in every probe it delays). */
export function probeHealth(url: string, everyMs = 100) {
  const samples: number[] = []
  let errors = 0
  const pending = new Set<Promise<void>>()
  const timer = setInterval(() => {
    const t0 = performance.now()
    const p = fetch(url + '/healthz', { signal: AbortSignal.timeout(120_000) })
      .then(async (r) => {
        await r.arrayBuffer()
        if (!r.ok) errors++
      })
      .catch(() => {
        errors++
      })
      .finally(() => {
        samples.push(performance.now() - t0)
        pending.delete(p)
      })
    pending.add(p)
  }, everyMs)
  return {
    async stop() {
      clearInterval(timer)
      await Promise.all(pending)
      return { samples, errors }
    },
  }
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}

export const round1 = (x: number) => Math.round(x * 10) / 10
