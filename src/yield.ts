/**
 * Lets the event loop run (timers, sockets, other requests) between chunks of CPU work on the thread that answers HTTP,
 * so a long job never leaves /healthz unanswered for more than one chunk.
 */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Rows of text analysis (jieba, ~1 ms each) between two yields. */
export const ANALYSE_CHUNK = 50
