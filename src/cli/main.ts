// Command-line tools: `npm run cli -- <command>`.
import { parseArgs } from 'node:util'
import { createLogger } from '../api/log'
import { loadConfigOrExit } from '../config'
import { openDb } from '../db'
import { migrate } from '../db/migrate'
import { ROLES, type Role } from '../orgs/access'
import { openRuntime } from '../runtime'

const USAGE = `usage: npm run cli -- <command> [options]

commands:
  migrate                                   apply pending migrations
  keys create --role <role> [--org <id>] [--name <name>]
                                            create an API key (admin keys go to the platform organisation
                                            when --org is omitted); the key is printed once
`

async function main(argv: string[]) {
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
    default:
      throw new UsageError(cmd ? `unknown command: ${cmd}` : 'no command given')
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n\n${USAGE}`)
    process.exit(64)
  }
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
