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
    console.log(JSON.stringify({ import_id: imp.id, read: done.rows_read, inserted: done.rows_inserted, updated: done.rows_updated, unchanged: done.rows_unchanged, rejected: done.rows_rejected }))
  } catch (err) {
    if (err instanceof DomainError) throw new Error(`${err.message}${err.errors ? ' ' + JSON.stringify(err.errors) : ''}`)
    throw err
  } finally {
    await rt.close()
  }
}
