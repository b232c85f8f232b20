// Graceful shutdown of a real server process under load: SIGTERM -> /readyz 503 while draining, every request that was
// in flight is answered (no 500 "pool after end", no reset), the embedded database is closed and its lock released,
// and the next start finds everything written before.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { call, ROOT, startServerProcess } from '../helpers/server-process'

const dir = mkdtempSync(path.join(tmpdir(), 'tt-shutdown-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The real CLI in a child process (its own DATA_DIR: in API mode it opens no database). */
function cliOut(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT, env: { ...process.env, DATA_DIR: path.join(dir, 'cli-unused'), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'],
    })
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.on('exit', (code) => resolve({ code, stdout }))
  })
}

const WORDS = ['锂离子电池', '健康状态', '储能', '机器视觉', '缺陷检测', '复合材料', '增材制造', '单克隆抗体']

describe('graceful shutdown', () => {
  it('drains in-flight requests under load, says not ready meanwhile, and exits cleanly', async () => {
    const s = await startServerProcess(dir, { SHUTDOWN_DELAY_MS: '1500', SHUTDOWN_TIMEOUT_MS: '60000' })
    let killed = false
    try {
      const org = await call(s.url, s.adminKey, '/v1/orgs', { method: 'POST', json: { name: '某大学', kind: 'university', region: '江苏' } })
      expect(org.status).toBe(201)
      const key = (await call(s.url, s.adminKey, `/v1/orgs/${org.body.id}/keys`, { method: 'POST', json: { name: 't', role: 'university' } })).body.key
      // while the server holds the embedded database, the CLI imports through its API
      const csv = path.join(dir, 'three.csv')
      writeFileSync(csv, 'title,summary\n钙钛矿光伏组件封装,提高寿命\n焊缝缺陷检测系统,机器视觉\n石墨烯导热膜,降低成本\n')
      const viaApi = await cliOut(['--url', s.url, '--key', key, 'import', 'achievement', csv])
      expect(viaApi.code).toBe(0)
      expect(JSON.parse(viaApi.stdout.trim().split('\n').pop()!)).toMatchObject({ inserted: 3, rejected: 0 })
      for (let i = 0; i < 24; i++) {
        const r = await call(s.url, key, '/v1/achievements', {
          method: 'POST',
          json: { title: `${WORDS[i % WORDS.length]}关键技术${i}`, summary: `本成果围绕${WORDS[(i + 3) % WORDS.length]}和${WORDS[i % WORDS.length]}开展研究，提高效率。` },
        })
        expect(r.status).toBe(201)
      }

      // 12 clients search in a loop; each request notes whether it began before the signal
      const results: { before: boolean; status?: number; error?: string }[] = []
      let signalled = false
      let stop = false
      const client = async (c: number) => {
        for (let i = 0; !stop; i++) {
          const before = !signalled
          try {
            const r = await fetch(s.url + '/v1/search', {
              method: 'POST',
              headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
              body: JSON.stringify({ query: `${WORDS[(c + i) % WORDS.length]}的方法`, kinds: ['achievement'], limit: 10 }),
              signal: AbortSignal.timeout(120_000),
            })
            await r.arrayBuffer()
            results.push({ before, status: r.status })
          } catch (err) {
            results.push({ before, error: (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message })
            if (signalled) return // the server has stopped accepting
          }
        }
      }
      const clients = Array.from({ length: 12 }, (_, c) => client(c))
      while (results.filter((r) => r.status === 200).length < 24) await new Promise((r) => setTimeout(r, 50))

      signalled = true
      s.child.kill('SIGTERM')
      killed = true
      // while draining, readiness says no (requests are still accepted for SHUTDOWN_DELAY_MS)
      let ready: number | undefined
      for (let i = 0; i < 100 && ready !== 503; i++) {
        ready = await fetch(s.url + '/readyz').then((r) => r.status, () => undefined)
        if (ready !== 503) await new Promise((r) => setTimeout(r, 20))
      }
      expect(ready).toBe(503)

      const code = await s.exited
      stop = true
      await Promise.all(clients)
      expect(code).toBe(0)
      expect(s.output()).toContain('"msg":"stopped"')
      expect(s.output()).not.toContain('Cannot use a pool')
      expect(results.filter((r) => (r.status ?? 0) >= 500)).toEqual([])
      // every request sent before the signal was answered, and answered well
      expect(results.filter((r) => r.before && r.status !== 200)).toEqual([])
      // after the signal: answered, or refused once the server stopped listening
      for (const r of results.filter((x) => !x.before && x.error)) expect(r.error).toMatch(/ECONNREFUSED|UND_ERR_SOCKET|ECONNRESET/)
      expect(existsSync(path.join(dir, 'pgdata.lock'))).toBe(false)
    } finally {
      if (!killed) s.child.kill('SIGKILL')
    }

    // the next start opens the same directory and finds what was written
    const again = await startServerProcess(dir)
    try {
      const list = await call(again.url, again.adminKey, '/v1/achievements?limit=100')
      expect(list.status).toBe(200)
      expect(list.body.items.length).toBe(27)
    } finally {
      again.child.kill('SIGTERM')
      expect(await again.exited).toBe(0)
    }
  }, 900_000)
})
