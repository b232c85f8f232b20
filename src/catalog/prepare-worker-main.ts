// Runs prepareBatch for the parent thread: { id, kind, records } in, { id, prepared } or { id, error } out.
import { parentPort, workerData } from 'node:worker_threads'
import { HashEmbedder } from '../models/hash-embedder'
import type { Kind } from './kinds'
import { prepareBatch } from './prepare'

const embedder = new HashEmbedder((workerData as { dim: number }).dim)
parentPort!.on('message', (m: { id: number; kind: Kind; records: Record<string, unknown>[] }) => {
  try {
    parentPort!.postMessage({ id: m.id, prepared: prepareBatch(m.kind, m.records, embedder) })
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message })
  }
})
parentPort!.postMessage({ ready: true })
