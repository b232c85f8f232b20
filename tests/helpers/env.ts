// What the tests run against: real PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, the embedded default otherwise.
import { loadConfig, type Config } from '../../src/config'

export const TEST_EMBEDDING_DIM = 256
export const DATABASE_URL = process.env.DATABASE_URL || undefined
export const REDIS_URL = process.env.REDIS_URL || undefined

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    DATABASE_URL,
    REDIS_URL,
    EMBEDDING_DIM: String(TEST_EMBEDDING_DIM),
    LOG_LEVEL: 'silent',
    DEMO_DATA: 'false',
    ...overrides,
  })
}
