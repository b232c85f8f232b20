// Bulk imports: accept a file (checked at once: format, encoding, columns), then a job parses, validates and upserts it
// in batches, recording every rejected row with its line number, field and reason.
import { createHash } from 'node:crypto'
import { BadFileError, DomainError, InvalidError } from '../errors'
import { type Kind, KIND_DEFS } from '../catalog/kinds'
import { type CatalogService, validateRecord } from '../catalog/service'
import type { PreparePool } from '../catalog/prepare-pool'
import type { Db } from '../db'
import { jobId, type JobQueue, PermanentJobError } from '../jobs/registry'
import type { MatchingService } from '../matching/service'
import { createTermStats } from '../matching/term-stats'
import { type Caller, isStaff, ownsOrStaff, visibleOr404 } from '../orgs/access'
import { mapRecord, MappingError, resolveMapping } from './mapping'
import { readRecords } from './read'
import { type ImportErrorRow, importStore, type ImportRow } from './store'

const BATCH = 500

export interface ImportRequest {
  kind: Kind
  filename: string
  content: Uint8Array
  map?: Record<string, string>
  orgId?: string
}

/** "field=column" pairs (CLI --map and the API's map field) into an object. */
export function parseMapPairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of pairs) {
    const i = p.indexOf('=')
    if (i <= 0) throw new InvalidError([{ field: 'map', message: `"${p}" is not field=column` }])
    out[p.slice(0, i).trim()] = p.slice(i + 1).trim()
  }
  return out
}

/** Rows written by one import after which its catalogue is vacuumed and analysed. */
const MAINTAIN_AFTER = 1000

export function createImportService(deps: { db: Db; queue: JobQueue; catalog: CatalogService; preparePool: PreparePool; matching: Pick<MatchingService, 'rematchNeedsAfter'> }) {
  const { db, queue, catalog, preparePool } = deps

  /** Checks the file and its columns now (one clear error if it is not what it claims), then queues the import. */
  async function create(caller: Caller, req: ImportRequest): Promise<ImportRow> {
    const orgId = await catalog.ownerFor(caller, req.kind, req.orgId, 'org_id')
    const head = await readRecords(req.filename, req.content, { headerOnly: true })
    let mapping: Record<string, string>
    try {
      mapping = resolveMapping(req.kind, head.headers, req.map)
    } catch (err) {
      if (err instanceof MappingError) {
        if (err.field === 'file') throw new BadFileError(err.message, [{ field: 'file', message: err.message }])
        throw new InvalidError([{ field: 'map', message: err.message }])
      }
      throw err
    }
    await queue.ping()
    const row = await db.transaction((tx) =>
      importStore.insert(
        tx,
        {
          org_id: orgId, kind: req.kind, filename: req.filename.slice(0, 255), format: head.format, encoding: head.encoding, mapping,
          file_sha256: createHash('sha256').update(req.content).digest('hex'), size_bytes: req.content.length,
          created_by: caller.kind === 'key' ? caller.keyId : null,
        },
        req.content,
      ),
    )
    const id = jobId('import', row.id)
    await importStore.setJob(db, row.id, id)
    await queue.enqueue('imports.run', { importId: row.id }, { jobId: id, orgId })
    return { ...row, job_id: id }
  }

  async function get(caller: Caller, id: string): Promise<ImportRow> {
    return visibleOr404(await importStore.get(db, id), (r) => ownsOrStaff(caller, r.org_id), 'Import')
  }

  async function list(caller: Caller, limit: number): Promise<ImportRow[]> {
    return importStore.list(db, isStaff(caller) ? null : caller.kind === 'key' ? caller.orgId : null, limit)
  }

  async function errors(caller: Caller, id: string, limit: number, afterLine = 0): Promise<ImportErrorRow[]> {
    await get(caller, id)
    return importStore.errors(db, id, limit, afterLine)
  }

  /** Job handler. */
  async function run(importId: string, progress: (p: Record<string, unknown>) => Promise<void>) {
    const imp = await importStore.get(db, importId)
    if (!imp) throw new PermanentJobError(`import ${importId} not found`)
    if (imp.status === 'completed') return { skipped: 'already completed' }
    const content = await importStore.file(db, importId)
    if (!content) throw new PermanentJobError('the uploaded file is gone')
    await importStore.start(db, importId)
    const counts = { read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, rematched_needs: 0 }
    try {
      const { records } = await readRecords(imp.filename, content)
      // The CPU work of a batch (parse, validate, analyse, embed) overlaps the database writes of the previous ones:
      // on PostgreSQL two batches are written at once (one server process each; rows in key order, so no deadlock),
      // on PGlite, a single thread, one.
      const writers = db.kind === 'pg' ? 2 : 1
      const inflight: Promise<void>[] = []
      for (let i = 0; i < records.length; i += BATCH) {
        const good: Record<string, unknown>[] = []
        const bad: ImportErrorRow[] = []
        for (const src of records.slice(i, i + BATCH)) {
          counts.read++
          const { record, errors } = mapRecord(imp.kind, imp.mapping, src.data)
          const v = validateRecord(imp.kind, record)
          const all = [
            ...errors,
            ...(v.success ? [] : v.error.issues.filter((x) => !errors.some((e) => e.field === String(x.path[0]))).map((x) => ({ field: x.path.map(String).join('.') || '(row)', reason: x.message }))),
          ]
          if (all.length) {
            counts.rejected++
            const raw = Object.fromEntries(Object.entries(src.data).map(([k, val]) => [k, typeof val === 'string' ? val.slice(0, 500) : val]))
            // One line per field; the same field twice on a line keeps the first reason.
            const seen = new Set<string>()
            for (const e of all) if (!seen.has(e.field) && seen.add(e.field)) bad.push({ line: src.line, field: e.field, reason: e.reason, raw })
          } else good.push(v.data!)
        }
        // PGlite writes on this thread: analyse on a worker meanwhile. PostgreSQL writes in its own processes, which
        // the two cores are busy enough with (measured: a worker thread there cost ~10% of the import rate).
        const prepared = db.kind === 'pglite' ? await preparePool.prepare(imp.kind, good) : catalog.prepareMany(imp.kind, good)
        const snapshot = { ...counts }
        if (inflight.length >= writers) await inflight.shift()
        const write = (async () => {
          const r = await catalog.writeMany(imp.kind, imp.org_id, prepared, good.length, `import-${importId}-${i / BATCH}`)
          counts.inserted += r.inserted
          counts.updated += r.updated
          counts.unchanged += r.unchanged
          await importStore.addErrors(db, importId, bad)
          await importStore.progress(db, importId, { ...snapshot, inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged })
          await progress({ ...snapshot, inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, total: records.length })
        })()
        write.catch(() => {}) // observed when shifted above, or after the loop
        inflight.push(write)
      }
      await Promise.all(inflight)
      // every open need whose candidates could change is re-matched once (one job per need)
      counts.rematched_needs = (await deps.matching.rematchNeedsAfter({ kind: imp.kind, changed: counts.inserted + counts.updated })).needs
      await importStore.setRematched(db, importId, counts.rematched_needs)
      await importStore.progress(db, importId, counts)
      await importStore.finish(db, importId, 'completed', null)
      if (counts.inserted + counts.updated >= MAINTAIN_AFTER) {
        // optimisations only: planner statistics, and the document frequencies recounted here rather than in the
        // first search after the import (a scan of every sparse vector)
        // (on PostgreSQL the two run at once, on two connections)
        await Promise.all([
          catalog.maintain(imp.kind).catch(() => {}),
          createTermStats(db).ensureFresh(KIND_DEFS[imp.kind].table).catch(() => {}),
        ])
      }
      return counts
    } catch (err) {
      // A file that cannot be read will not read better on a retry.
      if (err instanceof DomainError) {
        await importStore.finish(db, importId, 'failed', err.message)
        throw new PermanentJobError(err.message)
      }
      await importStore.noteError(db, importId, (err as Error).message) // the job retries; its state shows the rest
      throw err
    }
  }

  return { create, get, list, errors, run }
}

export type ImportService = ReturnType<typeof createImportService>
