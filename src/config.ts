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
  /** PostgreSQL connections per process: retrievals take up to 16 at once (RETRIEVAL_CONCURRENCY 8, two sources each by default), reads need the rest */
  DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(200).default(30),
  /** hot statements as named prepared statements (planned once per connection); false behind PgBouncer < 1.21 in transaction mode */
  DATABASE_PREPARE: bool.default(true),
  REDIS_URL: optionalUrl,
  EMBEDDING_PROVIDER: z.enum(['hash', 'openai']).default('hash'),
  EMBEDDING_DIM: z.coerce.number().int().min(8).max(4000).default(256),
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_API_KEY: z.string().optional(),
  EMBEDDING_MODEL: z.string().default('text-embedding-3-small'),
  /** send the `dimensions` parameter (text-embedding-3); false for fixed-size models served locally (bge-m3 on vLLM refuses it) */
  EMBEDDING_SEND_DIMENSIONS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  CHAT_MODEL: z.string().optional(),
  CHAT_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  /** how many of a match's top candidates the chat model re-ranks (0 = never; only with CHAT_MODEL) */
  RERANK_TOP_N: z.coerce.number().int().min(0).max(50).default(10),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  UPLOAD_LIMIT_BYTES: z.coerce.number().int().min(1024).default(52_428_800),
  /** failed authentications per client address and window before 429 (brute-force guessing of keys) */
  AUTH_FAIL_LIMIT: z.coerce.number().int().min(1).max(100_000).default(20),
  AUTH_FAIL_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** behind a reverse proxy: the client address is the last X-Forwarded-For hop */
  TRUST_PROXY: bool.default(false),
  ADMIN_BOOTSTRAP_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  DEMO_DATA: bool.default(true),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** on SIGTERM: how long in-flight requests and running jobs may take before they are cut off (jobs are re-queued) */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
  /** on SIGTERM: how long /readyz answers 503 while requests are still accepted, so a load balancer stops sending first */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  /** retrievals (search, match runs) running at once in this process; more wait in line (default: 2 embedded, 8 on PostgreSQL) */
  RETRIEVAL_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  MATCH_CANDIDATES: z.coerce.number().int().min(10).max(1000).default(100),
  MATCH_RRF_K: z.coerce.number().int().min(1).max(1000).default(60),
  HNSW_EF_SEARCH: z.coerce.number().int().min(10).max(1000).default(200),
  /** suggestions a need keeps at most (reviewed pairs are kept besides) */
  MATCH_MAX_SUGGESTIONS: z.coerce.number().int().min(1).max(500).default(30),
  /** the learned re-ranker: reviews a platform needs before a first fit, and new reviews before each further fit */
  RANKER_MIN_REVIEWS: z.coerce.number().int().min(2).max(1_000_000).default(60),
  RANKER_MIN_NEW_REVIEWS: z.coerce.number().int().min(1).max(1_000_000).default(30),
  /** no suggestion below this calibrated strength (0-1); unset: the floor fitted with the curve (src/matching/calibration.json) */
  MATCH_STRENGTH_FLOOR: z.coerce.number().min(0).max(1).optional(),
  MATCH_WEIGHTS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return {}
      try {
        return MatchWeightsSchema.parse(JSON.parse(v))
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `must be a JSON object of weights: ${(err as Error).message.slice(0, 200)}` })
        return z.NEVER
      }
    }),
})

/** Weights of the ranking (documented in the README); MATCH_WEIGHTS overrides any of them, e.g. {"region":0.1}. */
export const DEFAULT_MATCH_WEIGHTS = {
  // sources propose candidates (fused by reciprocal rank fusion, per source); the exact sparse and dense cosines, weighted so, score them (README: the offline hash
  // embedder's dense cosine lowered zhibei-dev, so it only proposes; with a real embedding model, raise dense)
  dense: 0,
  sparse: 1,
  lexical: 0.1,
  // sparse stage's pseudo-relevance feedback: the query plus prf x the mean of its 10 nearest documents (0 = off).
  // Off: with 64 postings per document the plain query finds more of what the exact score ranks first (zhibei-dev
  // Recall@100 0.986 without feedback, 0.972 with it; condensed nDCG@10 0.736 / 0.733; patents-cls-dev 0.3013 / 0.3011),
  // and a query makes three statements fewer (README)
  prf: 0,
  // feature re-rank: score = relevance x (1 + features x weighted mean of the known features, each in [-1, 1])
  features: 0.25,
  // field/industry agreement: 0 by default; on zhibei-dev the listing's industry classes (制造业 on two needs of three)
  // agree too broadly and lowered condensed nDCG@10 at every weight tried (README)
  field: 0,
  ipc: 1,
  maturity: 1.5,
  legal: 1,
  mode: 1,
  budget: 1,
  region: 0.5,
  recency: 0.25,
  // length prior: score x (1 + characters / 700)^-length (features.ts; README)
  length: 0.2,
  // optional chat-model re-rank (CHAT_MODEL): score x (1 + model x (judgement - 0.5) x 2), judgement in [0, 1]
  model: 0.5,
}
export type MatchWeights = typeof DEFAULT_MATCH_WEIGHTS
const MatchWeightsSchema = z.object(Object.fromEntries(Object.keys(DEFAULT_MATCH_WEIGHTS).map((k) => [k, z.number().min(0).max(10).optional()]))).strict()

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
