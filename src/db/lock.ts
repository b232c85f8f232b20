// One process per embedded data directory. PGlite is single-process: a second process on the same directory would
// write to its own copy in memory and lose it (or corrupt the files). A lock file beside the directory names its owner;
// a lock whose owner is gone (crash, kill -9, a container restart that reuses the pid) is taken over.
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import path from 'node:path'

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError'
  constructor(readonly dir: string, readonly ownerPid: number) {
    super(
      `嵌入式数据库目录 ${dir} 正被进程 ${ownerPid} 使用，嵌入式数据库同一时间只允许一个进程打开。` +
        `请先停止该服务（或该命令）再运行；服务运行时，请通过它的 API 操作（例如 POST /v1/imports，` +
        `或 npm run cli -- --url http://localhost:3000 --key <API key> import ...）。\n` +
        `The embedded database in ${dir} is in use by process ${ownerPid}; only one process may open it at a time. ` +
        `Stop that server (or command) first, or, while it runs, go through its API (POST /v1/imports, or ` +
        `npm run cli -- --url http://localhost:3000 --key <API key> import ...).`,
    )
  }
}

interface Owner {
  pid: number
  host: string
  /** the owner's start time as the kernel counts it (Linux), so a reused pid is not mistaken for the owner */
  start: string | null
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), or null where there is no /proc. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

function alive(owner: Owner): boolean {
  if (owner.host !== hostname()) return true // another machine on a shared disk: never guess
  try {
    process.kill(owner.pid, 0)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  if (owner.start == null) return true
  const now = processStart(owner.pid)
  return now == null || now === owner.start
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs
  } catch {
    return Infinity
  }
}

const held = new Set<string>()

/** Takes the lock of an embedded data directory, or throws DataDirLockedError naming the live owner. */
export function lockDataDir(dir: string): { file: string; release(): void } {
  const file = `${dir}.lock`
  if (held.has(file)) throw new DataDirLockedError(dir, process.pid)
  const me: Owner = { pid: process.pid, host: hostname(), start: processStart(process.pid) }
  mkdirSync(path.dirname(file), { recursive: true }) // a fresh DATA_DIR
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644)
      writeSync(fd, JSON.stringify(me) + '\n')
      closeSync(fd)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err
    }
    let owner: Owner | null = null
    try {
      owner = JSON.parse(readFileSync(file, 'utf8')) as Owner
    } catch {
      // unreadable: being written this instant (give its writer a moment), or its writer died while writing it
      if (ageMs(file) < 2000) throw new DataDirLockedError(dir, 0)
    }
    if (owner && alive(owner)) throw new DataDirLockedError(dir, owner.pid)
    try {
      unlinkSync(file) // stale: take it over
    } catch {
      /* another process took it over first; the next attempt sees its lock */
    }
  }
  held.add(file)
  const onExit = () => release()
  process.once('exit', onExit)
  function release() {
    if (!held.delete(file)) return
    process.off('exit', onExit)
    try {
      const owner = JSON.parse(readFileSync(file, 'utf8')) as Owner
      if (owner.pid === me.pid && owner.start === me.start) unlinkSync(file)
    } catch {
      /* already gone */
    }
  }
  return { file, release }
}
