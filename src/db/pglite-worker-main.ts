// The thread that owns the embedded database (PGlite, WASM): every statement runs here, so a long query or a bulk
// write never holds the thread that answers HTTP. Protocol (see pglite.ts): { id, op, ... } in, { id, ok, ... } out.
import { mkdirSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite, type Results, type Transaction } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { fromSql } from 'pgvector'
import { BASE_PARSERS, lookupVectorOids } from './db'
import type { WorkerReply, WorkerRequest } from './pglite-protocol'

const port = parentPort!
const { dataDir } = workerData as { dataDir?: string }

type Runner = Pick<PGlite, 'query' | 'exec'> | Transaction
interface OpenTx {
  tx: Transaction
  end(commit: boolean): void
  done: Promise<unknown>
}

const BYTEA = 17

async function main() {
  if (dataDir) mkdirSync(dataDir, { recursive: true })
  // Same value shapes as the pg adapter (see BASE_PARSERS), so callers never see a difference.
  const pg = await PGlite.create(dataDir, { extensions: { vector }, parsers: BASE_PARSERS })
  let parsers: Record<number, (v: string) => unknown> | undefined
  const txs = new Map<number, OpenTx>()
  let nextTx = 0

  const runnerOf = (tx?: number): Runner => {
    if (tx === undefined) return pg
    const open = txs.get(tx)
    if (!open) throw new Error('Transaction is closed')
    return open.tx
  }

  async function query(runner: Runner, sql: string, params: unknown[]): Promise<{ reply: WorkerReply; transfer: ArrayBuffer[] }> {
    if (!parsers) {
      // vector types exist once the first migration ran; look them up through the runner (inside a transaction pg waits)
      const oids = await lookupVectorOids(runner)
      if (oids) parsers = { ...BASE_PARSERS, ...Object.fromEntries(Object.values(oids).map((oid) => [oid, (v: string) => fromSql(v)])) }
    }
    const r: Results<Record<string, unknown>> = await runner.query(sql, params, parsers ? { parsers } : undefined)
    // bytea values (uploaded files) move to the parent thread without a copy
    const transfer: ArrayBuffer[] = []
    const bytea = r.fields.filter((f) => f.dataTypeID === BYTEA).map((f) => f.name)
    if (bytea.length) {
      for (const row of r.rows) {
        for (const name of bytea) {
          const v = row[name]
          if (v instanceof Uint8Array && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer) transfer.push(v.buffer)
        }
      }
    }
    return { reply: { id: 0, ok: true, rows: r.rows, rowCount: r.affectedRows ?? r.rows.length }, transfer }
  }

  async function begin(): Promise<number> {
    const id = ++nextTx
    let end!: (commit: boolean) => void
    const ended = new Promise<boolean>((resolve) => (end = resolve))
    let started!: (tx: Transaction) => void
    const ready = new Promise<Transaction>((resolve) => (started = resolve))
    // PGlite's own transaction holds its lock until we end it: other statements queue behind it meanwhile.
    const done = pg.transaction(async (tx) => {
      started(tx)
      if (!(await ended)) await tx.rollback()
    })
    done.catch(() => {}) // observed by commit/rollback below
    const tx = await Promise.race([ready, done.then(() => Promise.reject(new Error('transaction ended before it began')))])
    txs.set(id, { tx, end, done })
    return id
  }

  async function finish(id: number, commit: boolean): Promise<void> {
    const open = txs.get(id)
    if (!open) {
      if (commit) throw new Error('Transaction is closed')
      return
    }
    txs.delete(id)
    open.end(commit)
    await open.done
  }

  async function handle(m: WorkerRequest): Promise<void> {
    try {
      switch (m.op) {
        case 'query': {
          const { reply, transfer } = await query(runnerOf(m.tx), m.sql, m.params ?? [])
          reply.id = m.id
          port.postMessage(reply, transfer)
          return
        }
        case 'exec':
          await runnerOf(m.tx).exec(m.sql)
          break
        case 'begin':
          port.postMessage({ id: m.id, ok: true, tx: await begin() } satisfies WorkerReply)
          return
        case 'commit':
        case 'rollback':
          await finish(m.tx, m.op === 'commit')
          break
        case 'close':
          for (const id of [...txs.keys()]) await finish(id, false).catch(() => {})
          await pg.close()
          break
      }
      port.postMessage({ id: m.id, ok: true } satisfies WorkerReply)
    } catch (err) {
      port.postMessage({ id: m.id, ok: false, error: serializeError(err) } satisfies WorkerReply)
    }
  }

  // Requests are handled as they arrive; PGlite runs one statement at a time and queues the rest in order.
  port.on('message', (m: WorkerRequest) => void handle(m))
  port.postMessage({ id: 0, ok: true, ready: true } satisfies WorkerReply)
}

/** The fields of PostgreSQL's error (code, detail, constraint...), as plain data. */
function serializeError(err: unknown): NonNullable<WorkerReply['error']> {
  const e = err instanceof Error ? err : new Error(String(err))
  const fields: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(e)) if ((typeof v === 'string' || typeof v === 'number') && k !== 'query') fields[k] = v
  return { message: e.message, name: e.name, fields }
}

main().catch((err) => {
  port.postMessage({ id: 0, ok: false, error: serializeError(err) } satisfies WorkerReply)
})
