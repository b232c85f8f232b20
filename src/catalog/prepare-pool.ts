// Bulk imports analyse and embed on a worker thread while the database writes the previous batch: with the embedded
// database (WASM, on the main thread) that is the difference between one core and two. Only the local `hash`
// embedder runs there (a remote one is called by index jobs). If the worker cannot start or fails, batches are
// prepared in this thread: slower, same result.
import { Worker } from 'node:worker_threads'
import type { Embedder } from '../models'
import { HashEmbedder } from '../models/hash-embedder'
import type { Kind } from './kinds'
import { prepareBatch } from './prepare'
import type { Prepared } from './store'

interface Pending {
  resolve(p: Prepared[]): void
  reject(e: Error): void
}

export class PreparePool {
  private worker?: Worker
  private ready?: Promise<void>
  private broken = false
  private seq = 0
  private pending = new Map<number, Pending>()
  /** batches prepared on the worker thread so far */
  served = 0

  constructor(private embedder: Embedder) {}

  private start(dim: number): Promise<void> {
    const w = new Worker(new URL('./prepare-worker.mjs', import.meta.url), { workerData: { dim } })
    w.unref() // never keeps the process alive
    this.worker = w
    const fail = (err: Error) => {
      this.broken = true
      this.worker = undefined
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    w.on('error', fail)
    w.on('exit', (code) => fail(new Error(`prepare worker exited (${code})`)))
    return new Promise((resolve, reject) => {
      w.once('error', reject)
      w.on('message', (m: { ready?: boolean; id?: number; prepared?: Prepared[]; error?: string }) => {
        if (m.ready) return resolve()
        const p = this.pending.get(m.id!)
        if (!p) return
        this.pending.delete(m.id!)
        if (m.error) p.reject(new Error(m.error))
        else p.resolve(m.prepared!)
      })
    })
  }

  /** Prepared rows for validated records (deduplicated by natural key), computed off this thread when possible. */
  async prepare(kind: Kind, records: Record<string, unknown>[]): Promise<Prepared[]> {
    if (!(this.embedder instanceof HashEmbedder) || this.broken || !records.length) return prepareBatch(kind, records, this.embedder)
    try {
      this.ready ??= this.start(this.embedder.dim)
      await this.ready
      const id = ++this.seq
      const out = await new Promise<Prepared[]>((resolve, reject) => {
        this.pending.set(id, { resolve, reject })
        this.worker!.postMessage({ id, kind, records })
      })
      this.served++
      return out
    } catch {
      this.broken = true
      return prepareBatch(kind, records, this.embedder)
    }
  }

  async close(): Promise<void> {
    const w = this.worker
    this.worker = undefined
    this.broken = true
    if (w) await w.terminate()
  }
}
