// Command-line tools: `npm run cli -- <command>`.
import { parseArgs } from 'node:util'
import { createLogger } from '../log'
import { loadConfigOrExit } from '../config'
import { openDb } from '../db'
import { migrate } from '../db/migrate'
import { KINDS, type Kind } from '../catalog/kinds'
import { ORG_KINDS, type OrgKind, ROLES, type Role, SYSTEM } from '../orgs/access'
import { runEval } from './eval'
import { runBriefEval } from './eval-briefs'
import { runClusterEval } from './eval-clusters'
import { runDenseStudy } from './eval-dense'
import { runImport, runImportViaApi } from './import'
import { UsageError } from './usage'
import { openRuntime } from '../runtime'

const USAGE = `usage: npm run cli -- <command> [options]

commands:
  migrate                                   apply pending migrations
  keys create --role <role> [--org <id>] [--name <name>]
                                            create an API key (admin keys go to the platform organisation
                                            when --org is omitted); the key is printed once
  orgs create --name <name> --kind <kind> [--region <province>]
                                            create an organisation and print its id
  import <achievement|patent|need> <file> (--org <id> | --org-name <name>) [--map field=column ...]
                                            import a CSV / XLSX / JSON / JSONL file with a progress bar;
                                            --org-name finds or creates the organisation
  --url <server> --key <API key> import <kind> <file> [--org <id>] [--map field=column ...]
                                            the same import through a running server's API (use this while
                                            the server holds the embedded database: one process per DATA_DIR)
  demo                                      load data/demo (idempotent)
  eval --dataset <dir> [--mode hybrid|dense|lexical] [--run out.trec] [--exclude-self] [--json]
                                            retrieval quality on a BEIR dataset (also: npm run eval -- ...)
  eval briefs --dataset <dir> [--json] [--show N]
                                            template challenge briefs over real needs: targets kept, clarity
  eval calibrate --dataset <dir> [--write]  fit the calibrated strength (curve and floor) on a need dataset's
                                            judged pairs; --write rewrites src/matching/calibration.json
  eval clusters --dataset <dir> [--k N] [--seed S] [--json]
                                            topic clustering of the navigation reports: NMI and purity
                                            against the classes the qrels define
  eval dense-study --dataset <dir> [--dim 128] [--exclude-self] [--json]
                                            would a corpus LSA embedding help? exhaustive sparse, LSA and fusions
  reembed [--kind <kind> ...] [--force]    re-analyse and re-embed through jobs (after a model change)
`

async function main(argv: string[]) {
  // API mode: talk to a running server instead of opening the database here
  const { values: remote, tokens } = parseArgs({ args: argv, options: { url: { type: 'string' }, key: { type: 'string' } }, strict: false, tokens: true })
  if (remote.url !== undefined) {
    const first = tokens.find((t) => t.kind === 'positional')
    const rest = first ? argv.slice(first.index + 1) : []
    if (first?.value !== 'import' || typeof remote.url !== 'string' || typeof remote.key !== 'string') {
      throw new UsageError('with --url, give --key <API key> and the import command: --url <server> --key <API key> import <kind> <file> [--org <id>]')
    }
    return runImportViaApi(remote.url, remote.key, rest)
  }
  const [cmd, ...rest] = argv
  const config = loadConfigOrExit()
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL)
  switch (cmd) {
    case 'migrate': {
      const db = await openDb(config)
      try {
        const applied = await migrate(db, { embeddingDim: config.EMBEDDING_DIM })
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date')
      } finally {
        await db.close()
      }
      return
    }
    case 'keys': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { role: { type: 'string' }, org: { type: 'string' }, name: { type: 'string' } },
      })
      if (positionals[0] !== 'create' || !values.role || !ROLES.includes(values.role as Role)) {
        throw new UsageError(`keys create --role <${ROLES.join('|')}> [--org <id>] [--name <name>]`)
      }
      const rt = await openRuntime(config, logger)
      try {
        const role = values.role as Role
        if (role === 'admin' && !values.org) {
          const r = await rt.services.orgs.bootstrapAdmin({ name: values.name ?? 'cli admin' })
          console.log(`created admin key for organisation ${r.orgId} (shown once):\n${r.key}`)
        } else {
          if (!values.org) throw new UsageError('--org <organisation id> is required for this role')
          const r = await rt.services.orgs.createKeyAsOperator(values.org, { role, name: values.name ?? `cli ${role}` })
          console.log(`created ${role} key ${r.row.id} for organisation ${values.org} (shown once):\n${r.key}`)
        }
      } finally {
        await rt.close()
      }
      return
    }
    case 'orgs': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { name: { type: 'string' }, kind: { type: 'string' }, region: { type: 'string' } } })
      if (positionals[0] !== 'create' || !values.name || !ORG_KINDS.includes(values.kind as OrgKind)) {
        throw new UsageError(`orgs create --name <name> --kind <${ORG_KINDS.join('|')}> [--region <province>]`)
      }
      const rt = await openRuntime(config, logger)
      try {
        const org = await rt.services.orgs.createOrg(SYSTEM, { name: values.name, kind: values.kind as OrgKind, region: values.region })
        console.log(org.id)
      } finally {
        await rt.close()
      }
      return
    }
    case 'demo': {
      const rt = await openRuntime(config, logger)
      try {
        const counts = await rt.services.demo.loadDemoData()
        await rt.queue.drain()
        console.log(`demo data loaded: ${JSON.stringify(counts)}`)
      } finally {
        await rt.close()
      }
      return
    }
    case 'eval':
      if (rest[0] === 'briefs') await runBriefEval(rest.slice(1))
      else if (rest[0] === 'clusters') await runClusterEval(rest.slice(1))
      // refit the calibrated strength (curve and floor) and rewrite src/matching/calibration.json with --write
      else if (rest[0] === 'calibrate') {
        const args = rest.slice(1)
        await runEval([...args.filter((a) => a !== '--write'), '--fit-calibration', ...(args.includes('--write') ? ['--write-calibration'] : [])])
      }
      else if (rest[0] === 'dense-study') await runDenseStudy(rest.slice(1))
      else await runEval(rest)
      return
    case 'import':
      return runImport(config, logger, rest)
    case 'reembed': {
      const { values } = parseArgs({ args: rest, options: { kind: { type: 'string', multiple: true }, force: { type: 'boolean', default: false } } })
      const kinds = (values.kind?.length ? values.kind : [...KINDS]) as Kind[]
      if (kinds.some((k) => !KINDS.includes(k))) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`)
      const rt = await openRuntime(config, logger)
      try {
        const id = `reembed-${Date.now()}`
        await rt.queue.enqueue('catalog.reembed', { kinds, force: values.force }, { jobId: id })
        if (rt.queue.runner === 'inline') {
          await rt.queue.drain()
          const result = (await rt.queue.get(id))?.result as { rematch_job_id?: string | null } | undefined
          const rematch = result?.rematch_job_id ? (await rt.queue.get(result.rematch_job_id))?.result : null
          console.log(`re-embedded with ${rt.services.embedder.modelId}: ${JSON.stringify(result)}; open needs re-matched: ${JSON.stringify(rematch)}`)
        } else console.log(`queued job ${id}; workers re-embed (GET /v1/jobs/${id})`)
      } finally {
        await rt.close()
      }
      return
    }
    default:
      throw new UsageError(cmd ? `unknown command: ${cmd}` : 'no command given')
  }
}


main(process.argv.slice(2)).catch((err) => {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n\n${USAGE}`)
    process.exit(64)
  }
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
