// `npm run cli -- import <kind> <file>`: the same import pipeline as POST /v1/imports, with a progress bar.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { Logger } from '../log'
import { DomainError } from '../errors'
import { KINDS, KIND_DEFS, type Kind } from '../catalog/kinds'
import type { Config } from '../config'
import { parseMapPairs } from '../imports/service'
import { type OrgKind, SYSTEM } from '../orgs/access'
import { orgStore } from '../orgs/store'
import { openRuntime } from '../runtime'
import { UsageError } from './usage'

function bar(done: number, total: number, width = 30): string {
  const f = total ? Math.min(1, done / total) : 0
  return '[' + '#'.repeat(Math.round(f * width)).padEnd(width, '-') + `] ${Math.round(f * 100)}%`
}

export async function runImport(config: Config, logger: Logger, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { org: { type: 'string' }, 'org-name': { type: 'string' }, map: { type: 'string', multiple: true } },
  })
  const [kind, file] = positionals as [Kind | undefined, string | undefined]
  if (!kind || !KINDS.includes(kind) || !file || (!values.org && !values['org-name'])) {
    throw new UsageError('import <achievement|patent|need> <file> (--org <id> | --org-name <name>) [--map field=column ...]')
  }
  const content = readFileSync(file)
  const rt = await openRuntime(config, logger)
  try {
    let orgId = values.org
    if (!orgId) {
      const orgKind: OrgKind = KIND_DEFS[kind].ownerKinds[0]!
      const name = values['org-name']!
      orgId = ((await orgStore.findOrgByName(rt.db, name, orgKind)) ?? (await orgStore.insertOrg(rt.db, { name, kind: orgKind }))).id
    }
    const imp = await rt.services.imports.create(SYSTEM, { kind, filename: path.basename(file), content, map: parseMapPairs(values.map ?? []), orgId })
    process.stderr.write(`import ${imp.id}: ${imp.format}${imp.encoding ? `, ${imp.encoding}` : ''}; columns: ${JSON.stringify(imp.mapping)}\n`)
    const tty = process.stderr.isTTY
    let last = ''
    for (;;) {
      const cur = await rt.services.imports.get(SYSTEM, imp.id)
      const job = imp.job_id ? await rt.queue.get(imp.job_id) : null
      const total = Number((job?.progress as { total?: number } | null)?.total ?? 0)
      const line = `${bar(cur.rows_read, total)} ${cur.rows_read}/${total || '?'} read, ${cur.rows_inserted} new, ${cur.rows_updated} updated, ${cur.rows_unchanged} unchanged, ${cur.rows_rejected} rejected`
      if (line !== last) process.stderr.write(tty ? `\r${line}` : `${line}\n`)
      last = line
      const failed = job?.state === 'failed'
      if (cur.status === 'completed' || cur.status === 'failed' || failed) {
        if (tty) process.stderr.write('\n')
        if (cur.status !== 'completed') throw new Error(`import failed: ${cur.error ?? job?.failed_reason}`)
        break
      }
      await new Promise((r) => setTimeout(r, 200))
    }
    await rt.queue.drain() // inline: let the index jobs finish before the process exits
    const errs = await rt.services.imports.errors(SYSTEM, imp.id, 20)
    for (const e of errs) process.stderr.write(`  line ${e.line}: ${e.field} - ${e.reason}\n`)
    const done = await rt.services.imports.get(SYSTEM, imp.id)
    if (done.rows_rejected > errs.length) process.stderr.write(`  ... and more: GET /v1/imports/${imp.id}/errors?format=csv\n`)
    console.log(JSON.stringify({ import_id: imp.id, read: done.rows_read, inserted: done.rows_inserted, updated: done.rows_updated, unchanged: done.rows_unchanged, rejected: done.rows_rejected, needs_rematched: done.needs_rematched }))
  } catch (err) {
    if (err instanceof DomainError) throw new Error(`${err.message}${err.errors ? ' ' + JSON.stringify(err.errors) : ''}`)
    throw err
  } finally {
    await rt.close()
  }
}

/**
 * `npm run cli -- --url http://localhost:3000 --key <API key> import <kind> <file> [--org <id>] [--map field=column ...]`:
 * the same import through a running server's API (POST /v1/imports), for when that server holds the embedded database.
 */
export async function runImportViaApi(baseUrl: string, key: string, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { org: { type: 'string' }, map: { type: 'string', multiple: true } } })
  const [kind, file] = positionals as [Kind | undefined, string | undefined]
  if (!kind || !KINDS.includes(kind) || !file) {
    throw new UsageError('--url <server> --key <API key> import <achievement|patent|need> <file> [--org <id>] [--map field=column ...]')
  }
  const api = async (p: string, init: RequestInit = {}) => {
    const res = await fetch(new URL(p, baseUrl), { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } })
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null
    if (!res.ok) throw new Error(`${res.status} ${String(body?.title ?? '')}: ${String(body?.detail ?? '')}${body?.errors ? ' ' + JSON.stringify(body.errors) : ''}`)
    return body as Record<string, unknown> & { items?: { line: number; field: string; reason: string }[] }
  }
  const form = new FormData()
  form.set('file', new File([readFileSync(file)], path.basename(file)))
  form.set('kind', kind)
  if (values.org) form.set('org_id', values.org)
  if (values.map?.length) form.set('map', values.map.join(','))
  const imp = await api('/v1/imports', { method: 'POST', body: form })
  process.stderr.write(`import ${String(imp.id)} (via ${baseUrl}): ${String(imp.format)}; columns: ${JSON.stringify(imp.mapping)}\n`)
  const tty = process.stderr.isTTY
  let last = ''
  let cur: Record<string, unknown>
  for (;;) {
    cur = await api(`/v1/imports/${String(imp.id)}`)
    const job = imp.job_id ? await api(`/v1/jobs/${String(imp.job_id)}`).catch(() => null) : null
    const total = Number((job?.progress as { total?: number } | null)?.total ?? 0)
    const read = Number(cur.rows_read)
    const line = `${bar(read, total)} ${read}/${total || '?'} read, ${String(cur.rows_inserted)} new, ${String(cur.rows_updated)} updated, ${String(cur.rows_unchanged)} unchanged, ${String(cur.rows_rejected)} rejected`
    if (line !== last) process.stderr.write(tty ? `\r${line}` : `${line}\n`)
    last = line
    if (cur.status === 'completed' || cur.status === 'failed' || job?.state === 'failed') break
    await new Promise((r) => setTimeout(r, 500))
  }
  if (tty) process.stderr.write('\n')
  if (cur.status !== 'completed') throw new Error(`import failed: ${String(cur.error ?? '')}`)
  const errs = (await api(`/v1/imports/${String(imp.id)}/errors?limit=20`)).items ?? []
  for (const e of errs) process.stderr.write(`  line ${e.line}: ${e.field} - ${e.reason}\n`)
  console.log(JSON.stringify({ import_id: imp.id, read: cur.rows_read, inserted: cur.rows_inserted, updated: cur.rows_updated, unchanged: cur.rows_unchanged, rejected: cur.rows_rejected }))
}
