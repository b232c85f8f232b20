// Catalogue service: create/read/update/delete/list with role and visibility rules, bulk upsert for imports,
// and the index job (analysis + embeddings) that every text change goes through.
import { decodeCursor, encodeCursor } from '../pagination'
import { recordAudit } from '../audit/store'
import { ConflictError, ForbiddenError, InvalidError, zodFieldErrors } from '../errors'
import type { Db, Queryable } from '../db'
import { withJobs } from '../jobs/outbox'
import { checkAborted, jobId, type JobQueue } from '../jobs/registry'
import type { Embedder } from '../models'
import { type Caller, isStaff, ownsOrStaff, requireRole, visibleOr404 } from '../orgs/access'
import { orgStore } from '../orgs/store'
import { contentHash, searchTokens } from '../text/analyze'
import { z } from 'zod'
import { isoDateTime } from '../validation'
import { type CatalogRow, type Fields, type Kind, KIND_DEFS, kindDef, type KindDef } from './kinds'
import { analyzeRow, prepareBatch, prepareRecord } from './prepare'
import { ANALYSE_CHUNK, yieldToEventLoop } from '../yield'
import { catalogStore, type Prepared, type UpsertResult } from './store'
import { matchStore } from '../matching/store'
import { createTermStats } from '../matching/term-stats'
import type { PreparePool } from './prepare-pool'

const INDEX_BATCH = 500
// Cursors are parsed strictly: every field checked, nothing else allowed, and the kind must fit the list (a keyword
// query pages by rank, the plain list by creation time), so a forged cursor is a 400, never a database error.
const TimeCursor = z.object({ at: isoDateTime(), id: z.uuid() }).strict()
const RankCursor = z.object({ rank: z.number().min(0).max(1e9), id: z.uuid() }).strict()

/** A stored row back into the API's input shape (to merge a partial update and re-validate). */
function rowToFields(def: KindDef, row: CatalogRow): Record<string, unknown> {
  const stored: Record<string, unknown> = row
  const out: Record<string, unknown> = {}
  for (const c of def.columns) if (stored[c] !== null && stored[c] !== undefined) out[c] = stored[c]
  return out
}

export function createCatalogService(deps: { db: Db; queue: JobQueue; embedder: Embedder; preparePool?: PreparePool }) {
  const { db, queue, embedder } = deps

  /**
   * The organisation a write (or an import) goes to: the caller's own, or for staff the `org_id` they name, which must
   * be of a kind that can own this catalogue. `field` names the org_id field in errors.
   */
  async function ownerFor(caller: Caller, kind: Kind, orgId: string | undefined, field = 'body.org_id'): Promise<string> {
    const def = kindDef(kind)
    requireRole(caller, ...def.writerRoles)
    if (!isStaff(caller)) {
      if (caller.kind !== 'key') throw new ForbiddenError('no organisation')
      if (orgId && orgId !== caller.orgId) {
        throw new ForbiddenError('You can only write for your own organisation / 只能为本机构录入')
      }
      if (!def.ownerKinds.includes(caller.orgKind)) {
        throw new ForbiddenError(`A ${caller.orgKind} organisation cannot own ${def.label}`)
      }
      return caller.orgId
    }
    if (!orgId) throw new InvalidError([{ field, message: 'required when a manager or admin writes on behalf of an organisation' }])
    const org = await orgStore.getOrg(db, orgId)
    if (!org) throw new InvalidError([{ field, message: 'no such organisation' }])
    if (!def.ownerKinds.includes(org.kind)) {
      throw new InvalidError([{ field, message: `a ${org.kind} organisation cannot own ${def.label}` }])
    }
    return orgId
  }

  /** Queues index jobs; with `tx`, recorded in that transaction (the outbox) and relayed after its commit. */
  async function enqueueIndex(def: KindDef, rows: { id: string; content_hash?: string; contentHash?: string }[], orgId: string | null, tag?: string, tx?: Queryable) {
    const jobs = []
    for (let i = 0; i < rows.length; i += INDEX_BATCH) {
      const chunk = rows.slice(i, i + INDEX_BATCH)
      const single = chunk.length === 1 ? chunk[0]! : null
      // One row: id + content hash, so an unchanged text is never queued twice. Batches: tagged by their origin.
      const id = single
        ? jobId('index', def.kind, single.id, single.content_hash ?? single.contentHash ?? '')
        : jobId('index', def.kind, tag ?? contentHash(chunk.map((r) => r.id + (r.content_hash ?? r.contentHash))), i / INDEX_BATCH)
      jobs.push({ name: 'catalog.index' as const, payload: { kind: def.kind, ids: chunk.map((r) => r.id) }, opts: { jobId: id, orgId } })
    }
    await queue.enqueueMany(jobs, { tx })
    return jobs.map((j) => j.opts.jobId)
  }

  /** POST /v1/<kind>s: the row, its audit event and its index job commit together. */
  async function createItem({ ctx: caller, input: { kind, fields: input } }: { ctx: Caller; input: { kind: Kind; fields: Fields & { org_id?: string } } }) {
    const def = kindDef(kind)
    const orgId = await ownerFor(caller, kind, input.org_id)
    const prepared = prepareRecord(def, input)
    const existing = await catalogStore.idByKey(db, def, orgId, prepared.naturalKey)
    if (existing) {
      throw new ConflictError(`This ${def.label} already exists (same ${def.keyColumn === 'natural_key' ? 'external id or text' : 'publication number'}) / 记录已存在`, { existing_id: existing })
    }
    // The row, its audit event and its index job commit together (outbox): accepted even while Redis is down, relayed
    // when it answers.
    const { id, job } = await withJobs(db, queue, async (tx) => {
      const [res] = await catalogStore.upsert(tx, def, orgId, [prepared])
      await recordAudit(tx, caller, { action: `${kind}.create`, objectKind: kind, objectId: res!.id, orgId, after: prepared.values })
      const [job] = await enqueueIndex(def, [{ id: res!.id, contentHash: prepared.contentHash }], orgId, undefined, tx)
      return { id: res!.id, job: job! }
    })
    return { row: (await catalogStore.get(db, def, id))!, jobId: job }
  }


  /** One row the caller may read (else 404). */
  async function getItem<K extends Kind>({ ctx: caller, input: { kind, id } }: { ctx: Caller; input: { kind: K; id: string } }): Promise<CatalogRow<K>> {
    const def = KIND_DEFS[kind]
    return visibleOr404(await catalogStore.get(db, def, id), (r) => def.maySee(caller, r), def.label)
  }

  async function writable(caller: Caller, def: KindDef, id: string): Promise<CatalogRow> {
    const row = visibleOr404(await catalogStore.get(db, def, id), (r) => def.maySee(caller, r), def.label)
    if (!ownsOrStaff(caller, row.org_id)) throw new ForbiddenError('Only the owning organisation or a manager may change this / 仅所属机构或技术经理人可修改')
    requireRole(caller, ...def.writerRoles)
    return row
  }

  /** PATCH: merged with the stored row and validated whole; a text change re-indexes, any other change re-matches. */
  async function updateItem({ ctx: caller, input: { kind, id, patch } }: { ctx: Caller; input: { kind: Kind; id: string; patch: Partial<Fields> } }) {
    const def = kindDef(kind)
    const row = await writable(caller, def, id)
    const merged = def.fields.safeParse({ ...rowToFields(def, row), ...patch })
    if (!merged.success) throw new InvalidError(zodFieldErrors(merged.error.issues, 'body'))
    const prepared = prepareRecord(def, merged.data)
    // Only a text change re-analyses and re-embeds; the job id carries the content hash. Row, audit event and job
    // commit together.
    return withJobs(db, queue, async (tx) => {
      const updated = (await catalogStore.update(tx, def, id, prepared))!
      await recordAudit(tx, caller, { action: `${kind}.update`, objectKind: kind, objectId: id, orgId: row.org_id, before: rowToFields(def, row), after: rowToFields(def, updated) })
      const job =
        prepared.contentHash !== row.content_hash
          ? (await enqueueIndex(def, [{ id, contentHash: prepared.contentHash }], row.org_id, undefined, tx))[0]!
          : null
      // Any other change (status, metadata) re-runs matching for the row (the index job does it after a text change).
      if (!job) {
        const at = new Date(updated.updated_at).getTime()
        await queue.enqueue('matching.run', { kind, id, runId: `${kind === 'need' ? 'need' : 'item'}:${id}:at-${at}` }, { jobId: jobId('match', kind, id, 'at', at), orgId: row.org_id, tx })
      }
      return { row: updated, jobId: job }
    })
  }

  async function deleteItem({ ctx: caller, input: { kind, id } }: { ctx: Caller; input: { kind: Kind; id: string } }): Promise<void> {
    const def = kindDef(kind)
    const row = await writable(caller, def, id)
    await db.transaction(async (tx) => {
      await catalogStore.remove(tx, def, id)
      await recordAudit(tx, caller, { action: `${kind}.delete`, objectKind: kind, objectId: id, orgId: row.org_id, before: rowToFields(def, row) })
    })
  }

  /** A filtered page of what the caller may read (keyword query q pages by rank, else by time). */
  async function listItems({ ctx: caller, input: { kind, query: q } }: { ctx: Caller; input: { kind: Kind; query: Record<string, unknown> & { limit: number; cursor?: string } } }) {
    const def = kindDef(kind)
    const text = typeof q.q === 'string' ? searchTokens(q.q).join(' or ') : undefined
    if (typeof q.q === 'string' && !text) return { items: [], next_cursor: null }
    type After = { at?: string; rank?: number; id: string }
    const after = decodeCursor<After>(q.cursor, (text ? RankCursor : TimeCursor) as z.ZodType<After>)
    const rows = await catalogStore.list(db, def, caller, q, { limit: q.limit + 1, after }, text)
    const page = rows.slice(0, q.limit)
    const last = page[page.length - 1]
    // staff see each need's count of unreviewed suggestions (nobody else sees suggestions)
    const counts = kind === 'need' && isStaff(caller) ? await matchStore.countUnreviewed(db, page.map((r) => r.id)) : null
    return {
      items: page.map(({ rank: _r, at_key: _k, ...row }): CatalogRow & { unreviewed_suggestions?: number } => (counts ? { ...row, unreviewed_suggestions: counts.get(row.id) ?? 0 } : row)),
      next_cursor: rows.length > q.limit && last ? encodeCursor(text ? { rank: last.rank, id: last.id } : { at: last.at_key, id: last.id }) : null,
    }
  }

  /** CPU half of a bulk upsert: validated records -> prepared rows (deduplicated by natural key, the last wins). */
  function prepareMany(kind: Kind, records: Fields[]): Prepared[] {
    return prepareBatch(kind, records, embedder)
  }

  /**
   * Database half: upsert by natural key (unchanged rows are not written); rows written without vectors get index jobs,
   * new needs matching jobs, recorded in the same transaction. `alsoInTx` runs last inside that transaction (an import
   * records its batch there, and may still refuse to commit). With `refused`, rows the database refuses (a value it
   * cannot store) are found by bisecting the batch under savepoints and reported instead of failing the whole batch.
   */
  async function writeMany(
    kind: Kind, orgId: string, prepared: Prepared[], records: number, tag: string,
    opts: {
      refused?: (row: Prepared, err: Error) => void
      alsoInTx?: (tx: Queryable, counts: { inserted: number; updated: number; refused: Prepared[] }) => Promise<void>
    } = {},
  ) {
    const def = kindDef(kind)
    // rows in key order: concurrent writers then lock rows in the same order and cannot deadlock
    prepared = [...prepared].sort((a, b) => (a.naturalKey < b.naturalKey ? -1 : a.naturalKey > b.naturalKey ? 1 : 0))
    return withJobs(db, queue, async (tx) => {
      const refused: Prepared[] = []
      const written = opts.refused
        ? await upsertBisect(tx, def, orgId, prepared, (row, err) => {
          refused.push(row)
          opts.refused!(row, err)
        })
        : await catalogStore.upsert(tx, def, orgId, prepared)
      const hashes = new Map(prepared.map((p) => [p.naturalKey, p.contentHash]))
      const changed = written.map((w) => ({ id: w.id, contentHash: hashes.get(w.key)! }))
      if (!prepared.every((p) => p.index)) {
        if (changed.length) await enqueueIndex(def, changed, orgId, tag, tx) // the index job queues matching
      } else if (kind === 'need' && changed.length) await enqueueMatching(kind, changed, orgId, tx)
      const inserted = written.filter((w) => w.inserted).length
      await opts.alsoInTx?.(tx, { inserted, updated: written.length - inserted, refused })
      return { inserted, updated: written.length - inserted, unchanged: records - written.length - refused.length, refused: refused.length }
    })
  }

  /** Upsert under a savepoint; when the database refuses a value, split the rows until the refused ones are alone. */
  async function upsertBisect(tx: Queryable, def: KindDef, orgId: string, rows: Prepared[], refused: (row: Prepared, err: Error) => void): Promise<UpsertResult[]> {
    if (!rows.length) return []
    try {
      return await catalogStore.inSavepoint(tx, () => catalogStore.upsert(tx, def, orgId, rows))
    } catch (err) {
      if (!isDataError(err)) throw err
      if (rows.length === 1) {
        refused(rows[0]!, err as Error)
        return []
      }
      const mid = rows.length >> 1
      return [...(await upsertBisect(tx, def, orgId, rows.slice(0, mid), refused)), ...(await upsertBisect(tx, def, orgId, rows.slice(mid), refused))]
    }
  }

  /**
   * A bulk load of one organisation's validated records, a batch at a time (imports). A batch is prepared (hashes,
   * analysis, vectors) while the previous ones are written: on PGlite (a single thread of its own, which writes) on the
   * worker thread; on PostgreSQL (which writes in its own processes, and the two cores are busy enough: a worker thread
   * there cost ~10% of the import rate) in this one, with two batches written at once (one server process each; rows in
   * key order, so no deadlock). Records the database refuses are reported by their index in the batch.
   */
  function bulkLoad(kind: Kind, orgId: string) {
    const def = kindDef(kind)
    const writers = db.engine === 'pg' ? 2 : 1
    const inflight: Promise<void>[] = []
    return {
      /**
       * Prepares a batch, waits for a free writer and starts writing it; resolves once the write has started. `alsoInTx`
       * runs last in the batch's transaction, with the records refused (and may still refuse to commit); `afterCommit`
       * after it. A failed write is thrown by a later `add` or by `done`.
       */
      async add(
        records: Fields[], tag: string,
        opts: {
          signal?: AbortSignal
          alsoInTx: (tx: Queryable, counts: { inserted: number; updated: number }, refused: { index: number; reason: string }[]) => Promise<void>
          afterCommit?: () => Promise<void>
        },
      ): Promise<void> {
        const prepared = db.engine === 'pglite' && deps.preparePool ? await deps.preparePool.prepare(kind, records) : prepareMany(kind, records)
        if (inflight.length >= writers) await inflight.shift()
        checkAborted(opts.signal)
        const write = (async () => {
          const refusedKeys = new Map<string, string>()
          await writeMany(kind, orgId, prepared, records.length, tag, {
            refused: (row, err) => refusedKeys.set(row.naturalKey, err.message),
            alsoInTx: async (tx, counts) => {
              // rows the database refused: back to their records (a natural key may stand for several records)
              const refused: { index: number; reason: string }[] = []
              if (refusedKeys.size) {
                records.forEach((rec, index) => {
                  const reason = refusedKeys.get(prepareRecord(def, rec).naturalKey)
                  if (reason) refused.push({ index, reason })
                })
              }
              await opts.alsoInTx(tx, counts, refused)
            },
          })
          await opts.afterCommit?.()
        })()
        write.catch(() => {}) // observed when shifted above, or in done()
        inflight.push(write)
      },
      /** Waits for every batch's write. */
      async done(): Promise<void> {
        await Promise.all(inflight)
      },
    }
  }

  /**
   * After a large bulk load: planner statistics and visibility map (maintain), and the document frequencies recounted
   * now rather than in the first search after it (a scan of every sparse vector). Optimisations only: failures are
   * ignored. On PostgreSQL the two run at once, on two connections.
   */
  async function afterBulkLoad(kind: Kind): Promise<void> {
    await Promise.all([
      maintain(kind).catch(() => {}),
      // a check of its own (the searches' term statistics check at most once a minute)
      createTermStats(db).ensureFresh(kindDef(kind).table).catch(() => {}),
    ])
  }

  /** Bulk upsert of validated records of one organisation (imports, demo data). */
  async function upsertMany(kind: Kind, orgId: string, records: Fields[], tag: string) {
    return writeMany(kind, orgId, prepareMany(kind, records), records.length, tag)
  }

  /** Job handler: analyse and embed rows that need it. */
  async function indexRows(kind: Kind, ids: string[], force = false, signal?: AbortSignal): Promise<{ indexed: number; skipped: number }> {
    const def = kindDef(kind)
    const rows = await catalogStore.needingIndex(db, def, ids, embedder.modelId, force)
    if (!rows.length) return { indexed: 0, skipped: ids.length }
    const texts = rows.map((r) => def.text(r))
    // up to 2000 rows of analysis: in chunks, so the API keeps answering meanwhile
    const analysed: ReturnType<typeof analyzeRow>[] = []
    for (let i = 0; i < rows.length; i++) {
      if (i && i % ANALYSE_CHUNK === 0) {
        await yieldToEventLoop()
        checkAborted(signal)
      }
      analysed.push(analyzeRow(def, rows[i]!))
    }
    // a remote model embeds only rows whose embedding is not current (a row re-indexed for its sparse layout keeps it)
    const vectors: (number[] | null)[] = embedder.local && embedder.embedAnalysis
      ? analysed.map((a) => embedder.embedAnalysis!(a.analysis))
      : rows.map(() => null)
    if (!(embedder.local && embedder.embedAnalysis)) {
      const todo = rows.flatMap((r, i) => (force || !r.embedding_current ? [i] : []))
      const fresh = todo.length ? await embedder.embedDocuments(todo.map((i) => texts[i]!)) : []
      todo.forEach((i, k) => (vectors[i] = fresh[k]!))
    }
    // The index and the matching jobs it calls for commit together.
    return withJobs(db, queue, async (tx) => {
      const n = await catalogStore.writeIndex(
        tx,
        def,
        rows.map((r, i) => {
          const { analysis, sparse } = analysed[i]!
          return { id: r.id, contentHash: r.content_hash, index: { tokenText: analysis.tokenText, terms: analysis.terms, embedding: vectors[i] ?? null, sparse, model: embedder.modelId } }
        }),
        embedder.modelId,
      )
      // New or changed text: match needs at once; an achievement or patent written on its own (not a bulk import)
      // is matched against open needs too.
      if (n && (kind === 'need' || ids.length === 1)) await enqueueMatching(kind, rows.map((r) => ({ id: r.id, contentHash: r.content_hash })), null, tx)
      checkAborted(signal) // given up meanwhile (timeout): roll back, the retry writes it
      return { indexed: n, skipped: ids.length - n }
    })
  }

  /** Queues a matching run per row, its id from the row's content hash (re-queuing unchanged text is a no-op). */
  async function enqueueMatching(kind: Kind, rows: { id: string; contentHash: string }[], orgId: string | null, tx?: Queryable) {
    const origin = kind === 'need' ? 'need' : 'item'
    await queue.enqueueMany(
      rows.map((r) => ({
        name: 'matching.run' as const,
        payload: { kind, id: r.id, runId: `${origin}:${r.id}:${r.contentHash}` },
        opts: { jobId: jobId('match', kind, r.id, r.contentHash), orgId },
      })),
      { tx },
    )
  }

  /**
   * Job handler: queue index jobs over whole catalogues (after a model change), then one re-match of the open needs
   * that waits for those index jobs (`matching.rematch`; its result says how many needs it re-matched). The ids derive
   * from this job's own id, so a retried walk queues nothing twice.
   */
  async function reembed(kinds: Kind[], force: boolean, progress: (p: Record<string, unknown>) => Promise<void>, signal?: AbortSignal, runId = jobId('reembed', Date.now())) {
    let queued = 0
    const prefix = jobId(runId, 'index')
    for (const kind of kinds) {
      const def = kindDef(kind)
      let after: string | null = null
      for (let page = 0; ; page++) {
        checkAborted(signal)
        const ids = await catalogStore.idsAfter(db, def, after, INDEX_BATCH)
        if (!ids.length) break
        after = ids[ids.length - 1]!
        await queue.enqueueMany([{ name: 'catalog.index', payload: { kind, ids, force }, opts: { jobId: jobId(prefix, kind, page), orgId: null } }])
        queued += ids.length
        await progress({ kind, queued })
      }
    }
    const rematch = jobId(runId, 'rematch')
    if (queued) await queue.enqueue('matching.rematch', { kinds, after: `${prefix}-` }, { jobId: rematch, orgId: null })
    return { queued, rematch_job_id: queued ? rematch : null }
  }

  /**
   * After a bulk load: planner statistics for the new rows, and a visibility map so the inverted index is read by
   * index-only scans (PostgreSQL's autovacuum gets there eventually; PGlite has none).
   */
  async function maintain(kind: Kind): Promise<void> {
    await catalogStore.vacuumAnalyze(db, kindDef(kind))
  }

  return { ownerFor, createItem, getItem, updateItem, deleteItem, listItems, prepareMany, writeMany, bulkLoad, upsertMany, afterBulkLoad, indexRows, reembed, enqueueIndex, maintain }
}

/**
 * An error about the values of some row (SQLSTATE class 22 data exception, 23 constraint, 54 a limit such as a
 * too-long tsvector), which another row of the same statement would not cause; not a lost connection or a bug.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^(22|23|54)/.test(code)
}

/** Validates one record with the kind's zod schema (imports use it, so API and files accept the same). */
export function validateRecord<K extends Kind>(kind: K, rec: Record<string, unknown>): z.ZodSafeParseResult<Fields<K>> {
  return KIND_DEFS[kind].fields.safeParse(rec)
}

export type CatalogService = ReturnType<typeof createCatalogService>
