// Bulk imports: accept a file (checked at once: format, encoding, columns), then a job parses, validates and upserts it
// in batches, recording every rejected row with its line number, field and reason.
import { createHash } from 'node:crypto'
import { BadFileError, DomainError, InvalidError } from '../errors'
import type { Fields, Kind } from '../catalog/kinds'
import { type CatalogService, validateRecord } from '../catalog/service'
import type { PreparePool, RecordReader } from '../catalog/prepare-pool'
import type { Db } from '../db'
import { withJobs } from '../jobs/outbox'
import { checkAborted, jobId, type JobQueue, PermanentJobError } from '../jobs/registry'
import { type Caller, isStaff, ownsOrStaff, visibleOr404 } from '../orgs/access'
import { recordTextProblem, toStorableText, toStorableValue } from '../text/safe'
import { KIND_NAMES_ZH, likelyKind, mapRecord, MappingError, otherKindOf, resolveMapping } from './mapping'
import { readHeader, type SourceRecord } from './read'
import { yieldToEventLoop } from '../yield'
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

/** The tag of an import's index jobs (`catalog.enqueueIndex` names them index-<kind>-<tag>-<batch>-<n>). */
const importIndexTag = (importId: string) => `import-${importId}`
const importIndexJobPrefix = (kind: Kind, importId: string) => jobId('index', kind, importIndexTag(importId))

export function createImportService(deps: { db: Db; queue: JobQueue; catalog: CatalogService; preparePool: PreparePool }) {
  const { db, queue, catalog, preparePool } = deps

  /**
   * Checks the file's beginning now (format, encoding, header line, columns, that the columns are of this kind: one
   * clear error if it is not what it claims), then records the import and its job in one transaction (the outbox).
   * Only a bounded head of the file is parsed here; the job parses the rest.
   */
  async function create(caller: Caller, req: ImportRequest): Promise<ImportRow> {
    const orgId = await catalog.ownerFor(caller, req.kind, req.orgId, 'org_id')
    const head = await readHeader(req.filename, req.content)
    let mapping: Record<string, string>
    try {
      mapping = resolveMapping(req.kind, head.headers, req.map)
    } catch (err) {
      if (err instanceof MappingError) {
        if (err.field === 'file') {
          // say which kind the file looks like, when another kind's required columns are there
          const guess = likelyKind(head.headers)
          const msg = guess && guess !== req.kind
            ? `${err.message} The columns look like a ${guess} file (kind=${guess}) / 文件的列看起来属于${KIND_NAMES_ZH[guess]}`
            : err.message
          throw new BadFileError(msg, [{ field: 'file', message: msg }])
        }
        throw new InvalidError([{ field: 'map', message: err.message }])
      }
      throw err
    }
    const other = otherKindOf(req.kind, head.headers, mapping)
    if (other) {
      const msg =
        `The columns are those of a ${other.kind} file, not a ${req.kind} file (${other.evidence.slice(0, 6).join(', ')}); ` +
        `import it with kind=${other.kind} / 文件的列属于${KIND_NAMES_ZH[other.kind]}，不是${KIND_NAMES_ZH[req.kind]}，请选择正确的类型`
      throw new BadFileError(msg, [{ field: 'file', message: msg }])
    }
    const row = await withJobs(db, queue, async (tx) => {
      const inserted = await importStore.insert(
        tx,
        {
          org_id: orgId, kind: req.kind, filename: req.filename.slice(0, 255), format: head.format, encoding: head.encoding, mapping,
          file_sha256: createHash('sha256').update(req.content).digest('hex'), size_bytes: req.content.length,
          created_by: caller.kind === 'key' ? caller.keyId : null,
        },
        req.content,
      )
      const id = jobId('import', inserted.id)
      await importStore.setJob(tx, inserted.id, id)
      await queue.enqueue('imports.run', { importId: inserted.id }, { jobId: id, orgId, tx })
      return { ...inserted, job_id: id }
    })
    return row
  }

  async function get(caller: Caller, id: string): Promise<ImportRow> {
    return visibleOr404(await importStore.get(db, id), (r) => ownsOrStaff(caller, r.org_id), 'Import')
  }

  /** An import as its owner sees it: a job that ran out of retries leaves it 'running', reported as failed with the job's reason. */
  async function progress(caller: Caller, id: string): Promise<ImportRow> {
    const row = await get(caller, id)
    if (row.status === 'running' && row.job_id) {
      const job = await queue.get(row.job_id).catch(() => null)
      if (job?.state === 'failed') return { ...row, status: 'failed', error: row.error ?? job.failed_reason }
    }
    return row
  }

  async function list(caller: Caller, limit: number): Promise<ImportRow[]> {
    return importStore.list(db, isStaff(caller) ? null : caller.kind === 'key' ? caller.orgId : null, limit)
  }

  async function errors(caller: Caller, id: string, limit: number, afterLine = 0): Promise<ImportErrorRow[]> {
    await get(caller, id)
    return importStore.errors(db, id, limit, afterLine)
  }

  /**
   * Job handler. Batches of 500 rows, each committed in one transaction with its rejected rows, its jobs and its
   * record in `import_batches`; a retried or re-queued run skips the committed batches. A row is rejected (line, field,
   * reason) when it cannot be mapped, fails validation, holds text the database cannot store, or the database refuses
   * it anyway (found by bisecting its batch); the rest of the file is imported. Given up (timeout): stops between
   * batches, and a batch whose run was given up does not commit.
   */
  async function run(importId: string, progress: (p: Record<string, unknown>) => Promise<void>, signal?: AbortSignal) {
    const imp = await importStore.get(db, importId)
    if (!imp) throw new PermanentJobError(`import ${importId} not found`)
    if (imp.status === 'completed') return { skipped: 'already completed' }
    const content = await importStore.file(db, importId)
    if (!content) throw new PermanentJobError('the uploaded file is gone')
    await importStore.start(db, importId)
    const done = await importStore.batchesDone(db, importId)
    let file: RecordReader | undefined
    try {
      // parsed off this thread (the analysis worker), then taken a batch at a time: the API keeps answering
      file = await preparePool.openFile(imp.filename, content)
      const encoding = file.encoding
      if (encoding !== imp.encoding) await importStore.setEncoding(db, importId, encoding)
      // the catalogue prepares and writes the batches (preparing the next while it writes the previous ones)
      const load = catalog.bulkLoad(imp.kind, imp.org_id)
      const batches = Math.ceil(file.total / BATCH)
      for (let b = 0; b < batches; b++) {
        if (done.has(b)) continue
        checkAborted(signal)
        const slice = await file.slice(b * BATCH, (b + 1) * BATCH)
        const good: Fields[] = []
        const goodLines: number[] = []
        const bad: ImportErrorRow[] = []
        const badLines = new Set<number>()
        const reject = (src: SourceRecord, errs: { field: string; reason: string }[]) => {
          badLines.add(src.line)
          const raw = toStorableValue(src.data)
          // One line per field; the same field twice on a line keeps the first reason.
          const seen = new Set<string>()
          for (const e of errs) if (!seen.has(e.field) && seen.add(e.field)) bad.push({ line: src.line, field: toStorableText(e.field), reason: toStorableText(e.reason), raw })
        }
        for (const [k, src] of slice.entries()) {
          if (k && k % 100 === 0) await yieldToEventLoop() // mapping and validating 500 rows: tens of ms
          const { record, errors } = mapRecord(imp.kind, imp.mapping, src.data)
          const v = validateRecord(imp.kind, record)
          const all = [
            ...errors,
            ...(v.success ? [] : v.error.issues.filter((x) => !errors.some((e) => e.field === String(x.path[0]))).map((x) => ({ field: x.path.map(String).join('.') || '(row)', reason: x.message }))),
          ]
          // text the database cannot store (NUL, lone surrogates), checked on what would be written
          const unsafe = all.length ? null : recordTextProblem(v.data!)
          if (unsafe) all.push(unsafe)
          if (all.length) reject(src, all)
          else {
            good.push(v.data!)
            goodLines.push(src.line)
          }
        }
        await load.add(good, `import-${importId}-${b}`, {
          signal,
          alsoInTx: async (tx, c, refused) => {
            // rows the database refused: back to their lines
            for (const r of refused) {
              reject(slice.find((x) => x.line === goodLines[r.index])!, [{ field: '(row)', reason: `The database refused this row: ${r.reason} / 数据库拒绝写入该行` }])
            }
            const written = c.inserted + c.updated
            await importStore.addErrors(tx, importId, bad)
            await importStore.addBatch(tx, importId, b, {
              read: slice.length, inserted: c.inserted, updated: c.updated, rejected: badLines.size,
              unchanged: slice.length - badLines.size - written,
            })
            checkAborted(signal) // given up meanwhile: roll the batch back, the next run writes it
          },
          afterCommit: async () => {
            const now = await importStore.get(db, importId)
            await progress({
              read: now?.rows_read, inserted: now?.rows_inserted, updated: now?.rows_updated, unchanged: now?.rows_unchanged,
              rejected: now?.rows_rejected, total: file!.total,
            })
          },
        })
      }
      await load.done()
      checkAborted(signal)
      // Every open need whose candidates could change is re-matched once (one job per need), after the rows it
      // depends on are indexed: the re-match job waits for this import's index jobs (an embedder that is not local
      // indexes through them), and writes its count into the report (null until then). Needs imported are matched
      // by their own jobs.
      const written = (await importStore.get(db, importId))!
      const rematch = imp.kind !== 'need' && written.rows_inserted + written.rows_updated > 0 ? jobId('rematch', 'import', importId) : null
      await withJobs(db, queue, async (tx) => {
        await importStore.setRematched(tx, importId, rematch ? null : 0)
        if (rematch) {
          await queue.enqueue('matching.rematch', { kinds: [imp.kind], after: `${importIndexJobPrefix(imp.kind, importId)}-`, importId }, { jobId: rematch, orgId: null, tx })
        }
        await importStore.finish(tx, importId, 'completed', null)
      })
      const final = (await importStore.get(db, importId))!
      const counts = { read: final.rows_read, inserted: final.rows_inserted, updated: final.rows_updated, unchanged: final.rows_unchanged, rejected: final.rows_rejected, rematch_job_id: rematch }
      if (counts.inserted + counts.updated >= MAINTAIN_AFTER) await catalog.afterBulkLoad(imp.kind)
      return counts
    } catch (err) {
      // A file that cannot be read will not read better on a retry.
      if (err instanceof DomainError) {
        await importStore.finish(db, importId, 'failed', err.message)
        throw new PermanentJobError(err.message)
      }
      await importStore.noteError(db, importId, toStorableText((err as Error).message ?? String(err))) // the job retries; its state shows the rest
      throw err
    } finally {
      void file?.close()
    }
  }

  /** The re-match after an import ran (`matching.rematch`): its count goes into the report. */
  async function setRematched(importId: string, needs: number): Promise<void> {
    await importStore.setRematched(db, importId, needs)
  }

  return { create, get, progress, list, errors, run, setRematched }
}

export type ImportService = ReturnType<typeof createImportService>
