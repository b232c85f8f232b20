// Environment -> typed configuration. The only module that reads process.env.
import { z } from 'zod'

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional())

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: optionalUrl,
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: optionalUrl,
  EMBEDDING_PROVIDER: z.enum(['hash', 'openai']).default('hash'),
  EMBEDDING_DIM: z.coerce.number().int().min(8).max(4000).default(256),
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_API_KEY: z.string().optional(),
  EMBEDDING_MODEL: z.string().default('text-embedding-3-small'),
  CHAT_MODEL: z.string().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  UPLOAD_LIMIT_BYTES: z.coerce.number().int().min(1024).default(52_428_800),
  ADMIN_BOOTSTRAP_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  DEMO_DATA: bool.default(true),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
})

export type Config = z.infer<typeof configSchema>

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      'Invalid configuration / 配置无效:\n' +
        issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'),
    )
    this.name = 'ConfigError'
  }
}

/** Parses an environment object; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env)
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })),
    )
  }
  const cfg = parsed.data
  if (cfg.EMBEDDING_PROVIDER === 'openai' && !cfg.OPENAI_API_KEY && !cfg.OPENAI_BASE_URL) {
    throw new ConfigError([
      { variable: 'OPENAI_API_KEY', message: 'required when EMBEDDING_PROVIDER=openai (or set OPENAI_BASE_URL for a local endpoint)' },
    ])
  }
  return cfg
}

/** For entrypoints: parse, or print the problem and exit non-zero. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78) // EX_CONFIG
    }
    throw err
  }
}
