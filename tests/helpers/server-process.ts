// A real API server in a child process (`node --import tsx src/main.ts`) on loopback, for tests of process-level
// behaviour: signals, the data-directory lock, connections.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import path from 'node:path'

export const ROOT = path.resolve(import.meta.dirname, '../..')

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface ServerProcess {
  url: string
  adminKey: string
  child: ChildProcess
  output(): string
  exited: Promise<number | null>
}

/** Starts the server on the embedded database in dataDir and waits until /readyz answers (bounded). */
export async function startServerProcess(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort()
  const adminKey = 'test-admin-' + randomBytes(16).toString('hex')
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env, DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1',
      LOG_LEVEL: 'info', DEMO_DATA: 'false', ADMIN_BOOTSTRAP_KEY: adminKey, EMBEDDING_DIM: '64', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${out}`)
    const ok = await fetch(url + '/readyz', { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false)
    if (ok) break
    if (i > 900) {
      child.kill('SIGKILL')
      throw new Error(`server not ready: ${out}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return { url, adminKey, child, output: () => out, exited }
}

/** JSON request with a bearer key; the body is read loosely. */
export async function call(url: string, key: string, p: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers)
  headers.set('authorization', `Bearer ${key}`)
  if (init.json !== undefined) headers.set('content-type', 'application/json')
  const r = await fetch(url + p, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body, signal: AbortSignal.timeout(120_000) })
  // `any` on purpose: tests read bodies loosely and assert on them
  const body: any = r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text()
  return { status: r.status, body }
}
