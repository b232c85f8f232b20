// HTTP for bulk imports: upload (multipart), progress, and the report of rejected rows (JSON or CSV).
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, iso, json } from '../api/common'
import type { App, AppDeps } from '../api/env'
import { problemResponses as P } from '../api/errors'
import { TooLargeError } from '../errors'
import { csvDocument } from '../text/escape'
import { KINDS } from '../catalog/kinds'
import { KIND_NAMES_ZH, templateColumns } from './mapping'
import { parseMapPairs } from './service'
import type { ImportErrorRow, ImportRow } from './store'
import { safeText, textProblem } from '../validation'

const Import = z
  .object({
    id: z.uuid(),
    org_id: z.uuid(),
    kind: z.enum(KINDS),
    filename: z.string(),
    format: z.string(),
    encoding: z.string().nullable(),
    mapping: z.record(z.string(), z.string()).openapi({ description: 'field -> column used' }),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    job_id: z.string().nullable(),
    rows_read: z.number().int(),
    rows_inserted: z.number().int(),
    rows_updated: z.number().int(),
    rows_unchanged: z.number().int(),
    rows_rejected: z.number().int(),
    needs_rematched: z.number().int().nullable().openapi({
      description: 'open needs re-matched after the import; null while the re-match waits for the imported rows to be indexed / 导入后重新匹配的开放需求数',
    }),
    error: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('Import')

const ImportForm = z.object({
  file: z
    .instanceof(File, { message: 'a file is required (multipart field "file")' })
    .superRefine((f, ctx) => {
      const problem = textProblem(f.name) // the name is stored with the import
      if (problem) ctx.addIssue({ code: 'custom', message: `file name ${problem}` })
    })
    .openapi({ type: 'string', format: 'binary' }),
  kind: z.enum(KINDS),
  map: z
    .union([safeText(), z.array(safeText())])
    .optional()
    .openapi({ description: 'column mapping: "field=column" pairs, separated by commas (half- or full-width) or newlines, or repeated; e.g. "title=name,summary=context"' }),
  org_id: z.uuid().optional().openapi({ description: 'owning organisation; required for managers and admins' }),
})

const importOut = (r: ImportRow) => {
  const { file_sha256: _f, size_bytes: _s, ...rest } = r
  return { ...rest, created_at: iso(r.created_at)!, finished_at: iso(r.finished_at) }
}

/** The rejected rows as a spreadsheet-safe CSV (uploaded values are untrusted: formulas neutralised by csvDocument). */
const errorsCsv = (rows: ImportErrorRow[]): string =>
  csvDocument(['line', 'field', 'reason', 'raw'], rows.map((r) => [r.line, r.field, r.reason, r.raw]))

export function registerImportRoutes(app: App, { services, config }: AppDeps) {
  const imports = services.imports
  const tags = ['imports 批量导入']

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/imports', tags,
      summary: 'Upload a CSV / XLSX / JSON / JSONL file of achievements, patents or needs (UTF-8 or GB18030; Chinese headers mapped)',
      request: { body: { required: true, content: { 'multipart/form-data': { schema: ImportForm } } } },
      responses: { 202: json(Import, 'accepted; watch GET /v1/imports/{id}'), 400: P[400], 401: P[401], 403: P[403], 413: P[413], 503: P[503] },
    }),
    async (c) => {
      const form = c.req.valid('form')
      const content = new Uint8Array(await form.file.arrayBuffer())
      if (content.length > config.UPLOAD_LIMIT_BYTES) throw new TooLargeError(`File exceeds ${config.UPLOAD_LIMIT_BYTES} bytes`)
      const pairs = (Array.isArray(form.map) ? form.map : form.map ? [form.map] : []).flatMap((m) => m.split(/[,，\n]/)).map((s) => s.trim()).filter(Boolean)
      const row = await imports.create(c.get('caller'), {
        kind: form.kind, filename: form.file.name || `upload.${form.kind}`, content, map: parseMapPairs(pairs), orgId: form.org_id,
      })
      return c.json(importOut(row), 202)
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/imports', tags, summary: 'Recent imports of your organisation (all, for staff)',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }) },
      responses: { 200: json(z.object({ items: z.array(Import) }), 'imports'), 401: P[401] },
    }),
    async (c) => c.json({ items: (await imports.list(c.get('caller'), c.req.valid('query').limit)).map(importOut) }, 200),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/imports/template', tags,
      summary: 'A blank CSV template for a kind: the Chinese headers an upload maps without `map` (UTF-8 with BOM, for Excel)',
      request: { query: z.object({ kind: z.enum(KINDS) }) },
      responses: { 200: { description: 'CSV header line', content: { 'text/csv': { schema: z.string() } } }, 400: P[400], 401: P[401] },
    }),
    (c) => {
      const { kind } = c.req.valid('query')
      return c.body(csvDocument(templateColumns(kind), []), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="template-${kind}.csv"; filename*=UTF-8''${encodeURIComponent(`${KIND_NAMES_ZH[kind]}导入模板.csv`)}`,
      })
    },
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/imports/{id}', tags, summary: 'Import progress: rows read / inserted / updated / unchanged / rejected',
      request: { params: IdParam },
      responses: { 200: json(Import, 'the import'), 401: P[401], 404: P[404] },
    }),
    async (c) => c.json(importOut(await imports.progress(c.get('caller'), c.req.valid('param').id)), 200),
  )

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/imports/{id}/errors', tags,
      summary: 'Rejected rows: line, field, reason and the raw values (format=csv to download)',
      request: {
        params: IdParam,
        query: z.object({
          format: z.enum(['json', 'csv']).default('json'),
          limit: z.coerce.number().int().min(1).max(100_000).default(1000),
          after_line: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: {
        200: {
          description: 'rejected rows',
          content: {
            'application/json': { schema: z.object({ items: z.array(z.object({ line: z.number(), field: z.string(), reason: z.string(), raw: z.unknown() })) }) },
            'text/csv': { schema: z.string() },
          },
        },
        401: P[401], 404: P[404],
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param')
      const q = c.req.valid('query')
      const rows = await imports.errors(c.get('caller'), id, q.limit, q.after_line)
      if (q.format === 'csv') {
        return c.body(errorsCsv(rows), 200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="import-${id}-errors.csv"`,
        })
      }
      return c.json({ items: rows }, 200)
    },
  )
}
