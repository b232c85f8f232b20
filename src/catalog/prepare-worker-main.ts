// Runs the CPU work of bulk writes for the parent thread:
// - { id, kind, records } -> { id, prepared }: prepareBatch (analysis and vectors);
// - { id, op: 'open', filename, content } -> { id, file: { format, encoding, headers, total } }: parses an upload whole;
//   { id, op: 'slice', file, start, end } -> { id, records }: records [start, end); { id, op: 'close', file }.
// Failures come back as { id, error, errorKind, errors } (errorKind 'bad_file' for a file that cannot be read).
import { parentPort, workerData } from 'node:worker_threads'
import { DomainError } from '../errors'
import { readRecords, type SourceRecord } from '../imports/read'
import { HashEmbedder } from '../models/hash-embedder'
import type { Fields, Kind } from './kinds'
import { prepareBatch } from './prepare'

type Message =
  | { id: number; op?: undefined; kind: Kind; records: Fields[] }
  | { id: number; op: 'open'; filename: string; content: Uint8Array }
  | { id: number; op: 'slice'; file: number; start: number; end: number }
  | { id: number; op: 'close'; file: number }

const embedder = new HashEmbedder((workerData as { dim: number }).dim)
const files = new Map<number, SourceRecord[]>()
let nextFile = 0

async function handle(m: Message): Promise<Record<string, unknown>> {
  switch (m.op) {
    case undefined:
      return { prepared: prepareBatch(m.kind, m.records, embedder) }
    case 'open': {
      const r = await readRecords(m.filename, m.content)
      const file = ++nextFile
      files.set(file, r.records)
      return { file: { id: file, format: r.format, encoding: r.encoding, headers: r.headers, total: r.records.length } }
    }
    case 'slice': {
      const records = files.get(m.file)
      if (!records) throw new Error('file is closed')
      return { records: records.slice(m.start, m.end) }
    }
    case 'close':
      files.delete(m.file)
      return {}
  }
}

parentPort!.on('message', (m: Message) => {
  handle(m).then(
    (out) => parentPort!.postMessage({ id: m.id, ...out }),
    (err: Error) =>
      parentPort!.postMessage({
        id: m.id, error: err.message, errorKind: err instanceof DomainError ? err.code : undefined, errors: err instanceof DomainError ? err.errors : undefined,
      }),
  )
})
parentPort!.postMessage({ ready: true })
