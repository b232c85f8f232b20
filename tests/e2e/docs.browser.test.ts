// /docs renders offline: the real server (`src/main.ts`, as `npm start` runs it) on a loopback port, opened in headless
// Chromium with every request to another host aborted. Chromium is Debian's package, installed by
// scripts/install-chromium.sh (npm test runs it first); where it cannot be installed this file skips and says why.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
if (!available) {
  console.warn(`SKIPPED tests/e2e/docs.browser.test.ts: no Chromium at ${CHROMIUM} ` +
    '(bash scripts/install-chromium.sh installs it as root with apt-get; or set CHROMIUM_PATH)')
}

const ROOT = path.resolve(__dirname, '../..')
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])
let server: ChildProcess | undefined
let base = ''
let browser: Browser | undefined
const dataDir = mkdtempSync(path.join(tmpdir(), 'docs-browser-'))

/** Starts src/main.ts on an ephemeral loopback port with an empty embedded database; resolves with its URL. */
function startServer(): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO_DATA: 'false', LOG_LEVEL: 'info' }
  delete env.DATABASE_URL // the page does not depend on the database: the embedded one, in a folder of its own
  delete env.REDIS_URL
  server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let out = ''
    server!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue
        try {
          const e = JSON.parse(line) as { msg?: string; url?: string }
          if (e.msg === 'listening' && e.url) resolve(e.url)
        } catch { /* a partial line */ }
      }
    })
    server!.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()))
    server!.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)))
  })
}

describe.skipIf(!available)('/docs in a browser, offline', () => {
  beforeAll(async () => {
    base = await startServer()
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    })
  })
  afterAll(async () => {
    await browser?.close()
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r))
      server.kill('SIGTERM')
      await exited
    }
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('renders the operations list with every non-loopback request blocked, and asks for none', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1400 } })
    const blocked: string[] = []
    const problems: string[] = []
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url())
      if ((url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.has(url.hostname)) return route.continue()
      if (url.protocol === 'data:' || url.protocol === 'blob:') return route.continue()
      blocked.push(url.href)
      return route.abort('internetdisconnected')
    })
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`)
    })
    const res = await page.goto(`${base}/docs`, { waitUntil: 'load' })
    expect(res!.status()).toBe(200)
    await page.waitForSelector('.opblock', { timeout: 30_000 })
    const operations = await page.locator('.opblock').count()
    expect(operations).toBeGreaterThan(10)
    // every operation of the document is listed (tags start expanded)
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> }
    const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options'])
    expect(operations).toBe(Object.values(spec.paths).flatMap((ops) => Object.keys(ops).filter((m) => METHODS.has(m))).length)
    await expect.poll(() => page.locator('.info .title').textContent()).toContain('科技成果转化')
    const shot = path.join(tmpdir(), 'docs-offline.png')
    await page.screenshot({ path: shot, fullPage: false })
    console.log(`docs screenshot: ${shot} (${operations} operations)`)
    expect(blocked).toEqual([])
    expect(problems).toEqual([])
  })
})
