// One process per embedded database: a second process on the same data directory is refused at once with a message
// that says what to do; a lock left by a process that is gone is taken over.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openPglite } from '../../src/db/pglite'
import { ROOT } from '../helpers/server-process'

const dir = mkdtempSync(path.join(tmpdir(), 'tt-lock-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The real CLI in a child process on DATA_DIR=dir. */
function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dir, LOG_LEVEL: 'warn', EMBEDDING_DIM: '64' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('exit', (code) => resolve({ code, out }))
  })
}

describe('data-directory lock', () => {
  it('refuses a second process while one holds the embedded database, then lets it in', async () => {
    const db = await openPglite(path.join(dir, 'pgdata'))
    const file = path.join(dir, 'rows.csv')
    writeFileSync(file, 'title,summary\n锂电池健康状态估计,一种方法\n')
    try {
      const refused = await cli(['import', 'achievement', file, '--org-name', '某大学'])
      expect(refused.code).not.toBe(0)
      expect(refused.out).toContain(`in use by process ${process.pid}`)
      expect(refused.out).toContain('正被进程')
      expect(refused.out).toMatch(/Stop that server/)
      expect(refused.out).not.toMatch(/import [0-9a-f-]{36}/) // nothing was accepted
    } finally {
      await db.close()
    }
    expect(existsSync(path.join(dir, 'pgdata.lock'))).toBe(false)
    const after = await cli(['migrate'])
    expect(after.out).toMatch(/applied|up to date/)
    expect(after.code).toBe(0)
  }, 600_000)

  it('takes over a lock whose owner is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString()
    writeFileSync(path.join(dir, 'pgdata.lock'), JSON.stringify({ pid: Number(gone), host: hostname(), start: '1' }) + '\n')
    const r = await cli(['migrate'])
    expect(r.out).toMatch(/applied|up to date/)
    expect(r.code).toBe(0)
    expect(existsSync(path.join(dir, 'pgdata.lock'))).toBe(false) // released at exit
  }, 600_000)

  it('refuses the same directory twice in one process', async () => {
    const db = await openPglite(path.join(dir, 'pgdata'))
    try {
      await expect(openPglite(path.join(dir, 'pgdata'))).rejects.toThrow(/in use/)
    } finally {
      await db.close()
    }
  }, 600_000)
})
