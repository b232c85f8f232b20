import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config'

describe('config', () => {
  it('applies documented defaults to an empty environment', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({
      PORT: 3000, DATA_DIR: './data', EMBEDDING_PROVIDER: 'hash', EMBEDDING_DIM: 256,
      LOG_LEVEL: 'info', DEMO_DATA: true, BODY_LIMIT_BYTES: 1_048_576,
    })
    expect(c.DATABASE_URL).toBeUndefined()
    expect(c.REDIS_URL).toBeUndefined()
  })

  it('treats empty URLs as unset', () => {
    const c = loadConfig({ DATABASE_URL: '', REDIS_URL: '' })
    expect(c.DATABASE_URL).toBeUndefined()
    expect(c.REDIS_URL).toBeUndefined()
  })

  it('names each invalid variable', () => {
    try {
      loadConfig({ PORT: 'eighty', EMBEDDING_PROVIDER: 'magic', DATABASE_URL: 'not a url', DEMO_DATA: 'maybe' })
      expect.unreachable('should have thrown')
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      const vars = (err as ConfigError).issues.map((i) => i.variable).sort()
      expect(vars).toEqual(['DATABASE_URL', 'DEMO_DATA', 'EMBEDDING_PROVIDER', 'PORT'])
      expect((err as ConfigError).message).toContain('PORT:')
    }
  })

  it('requires credentials or an endpoint for the openai provider', () => {
    expect(() => loadConfig({ EMBEDDING_PROVIDER: 'openai' })).toThrow(/OPENAI_API_KEY/)
    expect(loadConfig({ EMBEDDING_PROVIDER: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }).EMBEDDING_PROVIDER).toBe('openai')
  })

  it('rejects a short bootstrap key', () => {
    expect(() => loadConfig({ ADMIN_BOOTSTRAP_KEY: 'short' })).toThrow(/ADMIN_BOOTSTRAP_KEY/)
  })
})
