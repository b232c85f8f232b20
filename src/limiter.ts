// A FIFO concurrency limit for expensive work (retrieval): callers beyond the limit wait in memory, in order, instead of
// holding database connections (PostgreSQL) or filling the one embedded database's queue (PGlite), so cheap requests
// such as reading a match list are not stuck behind them.
export function createLimiter(max: number) {
  let running = 0
  const waiting: (() => void)[] = []
  const release = () => {
    const next = waiting.shift()
    if (next) next()
    else running--
  }
  return async function limit<T>(fn: () => Promise<T>): Promise<T> {
    if (running < max) running++
    else await new Promise<void>((resolve) => waiting.push(resolve)) // the releasing caller hands its slot over
    try {
      return await fn()
    } finally {
      release()
    }
  }
}
