// Request body limit that a client can actually read the answer to: an oversized body is read and discarded (up to a
// bound) before the 413 is sent, and the 413 closes the connection. Answering early and leaving the rest of the body
// unread made the server reset the socket under the client, which then saw a socket error instead of the 413.
import type { Context, MiddlewareHandler } from 'hono'
import { TooLargeError } from '../errors'

/** At most this much of an oversized body is read to discard it; past it the connection is simply closed. */
const DRAIN_MAX_BYTES = 32 * 1024 * 1024
const DRAIN_MAX_MS = 10_000

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, budget: number): Promise<void> {
  const deadline = Date.now() + DRAIN_MAX_MS
  try {
    while (budget > 0 && Date.now() < deadline) {
      const { done, value } = await reader.read()
      if (done) return
      budget -= value.byteLength
    }
    await reader.cancel()
  } catch {
    // the client went away: nothing to answer
  }
}

export function bodyLimit(maxFor: (c: Context) => number): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body
    if (!body) return next()
    const max = maxFor(c)
    const tooLarge = () => new TooLargeError(`Request body exceeds ${max} bytes / 请求体超过 ${max} 字节`)
    const length = c.req.raw.headers.get('content-length')
    // Number(null) is 0: a body without a declared length must be counted, not waved through.
    const declared = length == null || c.req.raw.headers.has('transfer-encoding') ? NaN : Number(length)
    if (Number.isFinite(declared)) {
      if (declared <= max) return next()
      await drain(body.getReader(), DRAIN_MAX_BYTES)
      throw tooLarge()
    }
    // No length declared (chunked): count while reading, keep the body for the handlers.
    const reader = body.getReader()
    const chunks: Uint8Array[] = []
    let size = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > max) {
        await drain(reader, DRAIN_MAX_BYTES - size)
        throw tooLarge()
      }
      chunks.push(value)
    }
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks) })
    return next()
  }
}
