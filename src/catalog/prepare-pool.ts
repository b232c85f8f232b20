// Bulk imports analyse and embed on a worker thread while the database writes the previous batch: with the embedded
// database that is the difference between one core and two. Only the local `hash` embedder runs there (a remote one is
// called by index jobs). The same worker parses uploaded files, so the thread that answers HTTP never spends seconds in
// one parse. If the worker cannot start or fails, the work is done in this thread: slower, same result.
import { Worker } from 'node:worker_threads'
import { BadFileError } from '../errors'
import { readRecords, type Format, type SourceRecord } from '../imports/read'
import type { Embedder } from '../models'
import { HashEmbedder } from '../models/hash-embedder'
import type { Fields, Kind } from './kinds'
import { prepareBatch } from './prepare'
import type { Prepared } from './store'

interface Reply {
  ready?: boolean
  id?: number
  prepared?: Prepared[]
  file?: { id: number; format: Format; encoding: string | null; headers: string[]; total: number }
  records?: SourceRecord[]
  error?: string
  errorKind?: string
  errors?: { field: string; message: string }[]
}

interface Pending {
  resolve(r: Reply): void
  reject(e: Error): void
}

/** An uploaded file parsed off this thread, handed out a batch of records at a time. */
export interface RecordReader {
  format: Format
  encoding: string | null
  headers: string[]
  total: number
  /** records [start, end) in file order */
  slice(start: number, end: number): Promise<SourceRecord[]>
  close(): Promise<void>
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
      w.on('message', (m: Reply) => {
        if (m.ready) return resolve()
        const p = this.pending.get(m.id!)
        if (!p) return
        this.pending.delete(m.id!)
        if (m.errorKind === 'bad_file') p.reject(new BadFileError(m.error!, m.errors))
        else if (m.error) p.reject(new Error(m.error))
        else p.resolve(m)
      })
    })
  }

  /** Prepared rows for validated records (deduplicated by natural key), computed off this thread when possible. */
  async prepare(kind: Kind, records: Fields[]): Promise<Prepared[]> {
    if (!(this.embedder instanceof HashEmbedder) || this.broken || !records.length) return prepareBatch(kind, records, this.embedder)
    try {
      const out = (await this.call({ kind, records })).prepared!
      this.served++
      return out
    } catch {
      this.broken = true
      return prepareBatch(kind, records, this.embedder)
    }
  }

  private async call(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    this.ready ??= this.start(this.embedder.dim)
    await this.ready
    if (!this.worker) throw new Error('prepare worker is gone')
    const id = ++this.seq
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker!.postMessage({ id, ...msg }, transfer)
    })
  }

  /**
   * Parses an uploaded file (CSV, XLSX, JSON, JSONL) on the worker thread and hands its records out in batches.
   * The content's bytes are moved to the worker (the caller must not use them afterwards).
   */
  async openFile(filename: string, content: Uint8Array): Promise<RecordReader> {
    if (!this.broken) {
      let opened: Reply | undefined
      try {
        const whole = content.byteOffset === 0 && content.byteLength === content.buffer.byteLength && content.buffer instanceof ArrayBuffer
        opened = await this.call({ op: 'open', filename, content }, whole ? [content.buffer as ArrayBuffer] : [])
      } catch (err) {
        if (err instanceof BadFileError) throw err
        this.broken = true // the worker is unavailable: read here (below)
      }
      if (opened?.file) {
        const f = opened.file
        return {
          format: f.format, encoding: f.encoding, headers: f.headers, total: f.total,
          slice: async (start, end) => (await this.call({ op: 'slice', file: f.id, start, end })).records!,
          close: async () => {
            await this.call({ op: 'close', file: f.id }).catch(() => {})
          },
        }
      }
    }
    const r = await readRecords(filename, content)
    return {
      format: r.format, encoding: r.encoding, headers: r.headers, total: r.records.length,
      slice: async (start, end) => r.records.slice(start, end),
      close: async () => {},
    }
  }

  async close(): Promise<void> {
    const w = this.worker
    this.worker = undefined
    this.broken = true
    if (w) await w.terminate()
  }
}
