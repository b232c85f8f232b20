// SQL for imports, their uploaded files and rejected rows.
import type { Queryable } from '../db'

export interface ImportRow {
  id: string
  org_id: string
  kind: 'achievement' | 'patent' | 'need'
  filename: string
  format: string
  encoding: string | null
  mapping: Record<string, string>
  file_sha256: string
  size_bytes: number
  status: 'queued' | 'running' | 'completed' | 'failed'
  job_id: string | null
  rows_read: number
  rows_inserted: number
  rows_updated: number
  rows_unchanged: number
  rows_rejected: number
  /** null while the re-match waits for the import's rows to be indexed */
  needs_rematched: number | null
  error: string | null
  created_at: Date
  finished_at: Date | null
}

export interface BatchCounts {
  read: number
  inserted: number
  updated: number
  unchanged: number
  rejected: number
}

export interface ImportErrorRow {
  line: number
  field: string
  reason: string
  raw: unknown
}

export const importStore = {
  async insert(
    q: Queryable,
    i: Pick<ImportRow, 'org_id' | 'kind' | 'filename' | 'format' | 'encoding' | 'mapping' | 'file_sha256' | 'size_bytes'> & { created_by: string | null },
    content: Uint8Array,
  ): Promise<ImportRow> {
    const r = await q.query<ImportRow>(
      `INSERT INTO imports (org_id, kind, filename, format, encoding, mapping, file_sha256, size_bytes, created_by)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9) RETURNING *`,
      [i.org_id, i.kind, i.filename, i.format, i.encoding, JSON.stringify(i.mapping), i.file_sha256, i.size_bytes, i.created_by],
    )
    const row = r.rows[0]!
    await q.query('INSERT INTO import_files (import_id, content) VALUES ($1, $2)', [row.id, Buffer.from(content)])
    return row
  },
  async get(q: Queryable, id: string): Promise<ImportRow | null> {
    return (await q.query<ImportRow>('SELECT * FROM imports WHERE id = $1', [id])).rows[0] ?? null
  },
  async file(q: Queryable, id: string): Promise<Uint8Array | null> {
    const r = await q.query<{ content: Uint8Array }>('SELECT content FROM import_files WHERE import_id = $1', [id])
    return r.rows[0]?.content ?? null
  },
  async setJob(q: Queryable, id: string, jobId: string): Promise<void> {
    await q.query('UPDATE imports SET job_id = $2 WHERE id = $1', [id, jobId])
  },
  /**
   * A run starts (or resumes): the counts are those of the batches already committed (a retried or re-queued run
   * skips them), so the report says what the import itself wrote, whatever the number of attempts.
   */
  async start(q: Queryable, id: string): Promise<void> {
    await q.query(
      `UPDATE imports i SET status = 'running', error = NULL,
              rows_read = b.r, rows_inserted = b.i, rows_updated = b.u, rows_unchanged = b.n, rows_rejected = b.x
         FROM (SELECT coalesce(sum(rows_read), 0) AS r, coalesce(sum(rows_inserted), 0) AS i, coalesce(sum(rows_updated), 0) AS u,
                      coalesce(sum(rows_unchanged), 0) AS n, coalesce(sum(rows_rejected), 0) AS x
                 FROM import_batches WHERE import_id = $1) b
        WHERE i.id = $1`,
      [id],
    )
  },
  /** Batches committed by earlier runs of this import. */
  async batchesDone(q: Queryable, id: string): Promise<Set<number>> {
    const r = await q.query<{ batch: number }>('SELECT batch FROM import_batches WHERE import_id = $1', [id])
    return new Set(r.rows.map((x) => x.batch))
  },
  /** One batch committed: recorded, and added to the import's counts, in the batch's own transaction. */
  async addBatch(q: Queryable, id: string, batch: number, c: BatchCounts): Promise<void> {
    await q.query(
      `INSERT INTO import_batches (import_id, batch, rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, batch, c.read, c.inserted, c.updated, c.unchanged, c.rejected],
    )
    await q.query(
      `UPDATE imports SET rows_read = rows_read + $2, rows_inserted = rows_inserted + $3, rows_updated = rows_updated + $4,
              rows_unchanged = rows_unchanged + $5, rows_rejected = rows_rejected + $6 WHERE id = $1`,
      [id, c.read, c.inserted, c.updated, c.unchanged, c.rejected],
    )
  },
  /** What the job found reading the whole file (the request looked at its beginning only). */
  async setEncoding(q: Queryable, id: string, encoding: string | null): Promise<void> {
    await q.query('UPDATE imports SET encoding = $2 WHERE id = $1 AND encoding IS DISTINCT FROM $2', [id, encoding])
  },
  async setRematched(q: Queryable, id: string, needs: number | null): Promise<void> {
    await q.query('UPDATE imports SET needs_rematched = $2 WHERE id = $1', [id, needs])
  },
  async addErrors(q: Queryable, id: string, errs: ImportErrorRow[]): Promise<void> {
    if (!errs.length) return
    await q.query(
      `INSERT INTO import_errors (import_id, line, field, reason, raw)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::jsonb[]) ON CONFLICT DO NOTHING`,
      [id, errs.map((e) => e.line), errs.map((e) => e.field), errs.map((e) => e.reason), errs.map((e) => JSON.stringify(e.raw ?? null))],
    )
  },
  async finish(q: Queryable, id: string, status: 'completed' | 'failed', error: string | null): Promise<void> {
    await q.query('UPDATE imports SET status = $2, error = $3, finished_at = now() WHERE id = $1', [id, status, error])
    if (status === 'completed') await q.query('DELETE FROM import_files WHERE import_id = $1', [id])
  },
  async noteError(q: Queryable, id: string, error: string): Promise<void> {
    await q.query('UPDATE imports SET error = $2 WHERE id = $1', [id, error])
  },
  async errors(q: Queryable, id: string, limit: number, afterLine = 0): Promise<ImportErrorRow[]> {
    const r = await q.query<ImportErrorRow>(
      'SELECT line, field, reason, raw FROM import_errors WHERE import_id = $1 AND line > $2 ORDER BY line, field LIMIT $3',
      [id, afterLine, limit],
    )
    return r.rows
  },
  async list(q: Queryable, orgId: string | null, limit: number): Promise<ImportRow[]> {
    const r = await q.query<ImportRow>(
      'SELECT * FROM imports WHERE ($1::uuid IS NULL OR org_id = $1) ORDER BY created_at DESC, id DESC LIMIT $2',
      [orgId, limit],
    )
    return r.rows
  },
}
