import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db'
import { MIGRATIONS_DIR, migrate, migrationStatus, MigrationError, loadMigrations } from '../../src/db/migrate'
import { openPg } from '../../src/db/pg'
import { openPglite } from '../../src/db/pglite'
import { createLogger } from '../../src/log'
import { OpenAIEmbedder } from '../../src/models/openai-embedder'
import { INDEX_VERSION } from '../../src/models/sparse'
import { openRuntime } from '../../src/runtime'
import { loopbackServer } from '../helpers/loopback'
import { DATABASE_URL, TEST_EMBEDDING_DIM, testConfig } from '../helpers/env'
import { scratchPgDatabase } from '../helpers/db'

const DIM = 64
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

/** A fresh, empty database and a way to open a second connection to it (a second "process"). */
async function freshDatabase(): Promise<{ db: Db; second: () => Promise<Db> }> {
  if (DATABASE_URL) {
    const s = await scratchPgDatabase()
    const dbs: Db[] = []
    const open = async () => {
      const d = openPg(s.url, { max: 2 })
      dbs.push(d)
      return d
    }
    cleanups.push(async () => {
      for (const d of dbs) await d.close()
      await s.drop()
    })
    return { db: await open(), second: open }
  }
  // PGlite is one connection per process; a second runner on the same instance still goes through the lock.
  const db = await openPglite()
  cleanups.push(() => db.close())
  return { db, second: async () => db }
}

function copyMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'))
  cpSync(MIGRATIONS_DIR, dir, { recursive: true })
  return dir
}

describe('upgrading to the inverted index', () => {
  it('indexes again the rows indexed before it, through a job, so they get postings', async () => {
    const { db } = await freshDatabase()
    const dir = copyMigrations()
    for (const f of readdirSync(dir)) if (f >= '0004') rmSync(path.join(dir, f))
    await migrate(db, { embeddingDim: TEST_EMBEDDING_DIM, dir })
    const org = await db.query<{ id: string }>("INSERT INTO organizations (name, kind) VALUES ('老用户大学', 'university') RETURNING id")
    const row = await db.query<{ id: string }>(
      `INSERT INTO achievements (org_id, natural_key, title, summary, content_hash, record_hash, embedding, sparse, embedding_model, embedding_hash)
       VALUES ($1, 'x:old-1', '秸秆还田腐熟菌剂', '秸秆快速腐熟菌剂，提高还田效率。', 'c1', 'r1', $2::vector, '{1:1}/1048576', 'hash-v1-256', 'c1') RETURNING id`,
      [org.rows[0]!.id, `[${Array.from({ length: TEST_EMBEDDING_DIM }, () => 0.1).join(',')}]`],
    )
    const rt = await openRuntime(testConfig({ REDIS_URL: '' }), createLogger('silent'), { db })
    await rt.queue.drain()
    const after = await db.query<{ n: number; hash: string }>(
      'SELECT (SELECT count(*)::int FROM achievements_postings WHERE id = a.id) AS n, a.embedding_hash AS hash FROM achievements a WHERE a.id = $1',
      [row.rows[0]!.id],
    )
    expect(after.rows[0]!.n).toBeGreaterThan(0)
    expect(after.rows[0]!.hash).toBe('c1')
    await rt.queue.close()
    await rt.services.preparePool.close()
  }, 180_000) // a fresh database, every migration and a re-index: ~50 s on a busy 2-core machine
})

describe('upgrading the sparse layout (index_version)', () => {
  it('indexes again the rows of an older layout at start, with all their postings, and keeps a current remote embedding', async () => {
    const { db } = await freshDatabase()
    await migrate(db, { embeddingDim: TEST_EMBEDDING_DIM })
    // a remote embedding model that must not be called for a row whose embedding is current
    const calls: string[][] = []
    const server = await loopbackServer((body, res) => {
      calls.push(body.input)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ object: 'list', model: body.model, data: body.input.map((_: string, i: number) => ({ object: 'embedding', index: i, embedding: Array.from({ length: TEST_EMBEDDING_DIM }, () => 0.5) })), usage: { prompt_tokens: 1, total_tokens: 1 } }))
    })
    cleanups.push(() => server.close())
    const embedder = new OpenAIEmbedder({ baseURL: server.base, apiKey: 'sk-test', model: 'bge-m3', dim: TEST_EMBEDDING_DIM, sendDimensions: false, maxRetries: 0, timeoutMs: 5000 })
    const org = await db.query<{ id: string }>("INSERT INTO organizations (name, kind) VALUES ('老用户大学', 'university') RETURNING id")
    const summary = Array.from({ length: 50 }, (_, i) => `成分${'甲乙丙丁戊己庚辛壬癸'[i % 10]}${'子丑寅卯辰巳午未申酉'[Math.floor(i / 10)]}`).join('、')
    const row = await db.query<{ id: string }>(
      `INSERT INTO achievements (org_id, natural_key, title, summary, content_hash, record_hash, embedding, sparse, embedding_model, embedding_hash, index_version)
       VALUES ($1, 'x:old-2', '复合菌剂配方', $2, 'c2', 'r2', $3::vector, '{1:1}/1048576', $4, 'c2', 1) RETURNING id`,
      [org.rows[0]!.id, summary, `[${Array.from({ length: TEST_EMBEDDING_DIM }, () => 0.1).join(',')}]`, embedder.modelId],
    )
    await db.query('INSERT INTO achievements_postings (term, w, id) VALUES (1, 1, $1)', [row.rows[0]!.id])
    const rt = await openRuntime(testConfig({ REDIS_URL: '' }), createLogger('silent'), { db, embedder })
    await rt.queue.drain()
    const after = await db.query<{ n: number; v: number; e: string }>(
      'SELECT (SELECT count(*)::int FROM achievements_postings WHERE id = a.id) AS n, a.index_version AS v, a.embedding::text AS e FROM achievements a WHERE a.id = $1',
      [row.rows[0]!.id],
    )
    expect(after.rows[0]!.v).toBe(INDEX_VERSION)
    // 50 distinct words and the title's: more than the 32 postings of layout 1
    expect(after.rows[0]!.n).toBeGreaterThan(32)
    expect(after.rows[0]!.e.startsWith('[0.1,')).toBe(true)
    expect(calls).toEqual([])
    await rt.queue.close()
    await rt.services.preparePool.close()
  }, 180_000)
})

describe('migrations', () => {
  it('applies every migration once, in order, and records checksums', async () => {
    const { db } = await freshDatabase()
    const first = await migrate(db, { embeddingDim: DIM })
    expect(first).toEqual(loadMigrations().map((m) => m.name))
    expect(await migrate(db, { embeddingDim: DIM })).toEqual([])
    const rows = await db.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY name')
    expect(rows.rows).toEqual(loadMigrations().map((m) => ({ name: m.name, checksum: m.checksum })))
    expect((await migrationStatus(db)).current).toBe(true)
    // The vector columns carry the configured dimension.
    const dim = await db.query<{ t: string }>(
      "SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'patents'::regclass AND attname = 'embedding'",
    )
    expect(dim.rows[0]!.t).toBe(`vector(${DIM})`)
    // the HNSW graph degree suits the database: sparser on the single-threaded embedded one
    const opts = await db.query<{ o: string[] }>("SELECT reloptions AS o FROM pg_class WHERE relname = 'patents_embedding_idx'")
    expect(opts.rows[0]!.o).toEqual([`m=${db.engine === 'pglite' ? 8 : 12}`, 'ef_construction=32'])
  })

  it('lets a concurrent second runner wait and apply nothing', async () => {
    const { db, second } = await freshDatabase()
    const other = await second()
    const [a, b] = await Promise.all([migrate(db, { embeddingDim: DIM }), migrate(other, { embeddingDim: DIM })])
    const all = loadMigrations().map((m) => m.name)
    expect([a, b].sort((x, y) => y.length - x.length)).toEqual([all, []])
    const n = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')
    expect(n.rows[0]!.n).toBe(all.length)
  })

  it('refuses an applied migration that was edited', async () => {
    const { db } = await freshDatabase()
    const dir = copyMigrations()
    await migrate(db, { embeddingDim: DIM, dir })
    const file = path.join(dir, '0001_init.sql')
    writeFileSync(file, readFileSync(file, 'utf8') + '\n-- edited\n')
    await expect(migrate(db, { embeddingDim: DIM, dir })).rejects.toThrow(MigrationError)
    await expect(migrate(db, { embeddingDim: DIM, dir })).rejects.toThrow(/0001_init\.sql was edited/)
    expect((await migrationStatus(db, dir)).pending).toEqual(['0001_init.sql'])
  })

  it('refuses a different embedding dimension than the database was created with', async () => {
    const { db } = await freshDatabase()
    await migrate(db, { embeddingDim: DIM })
    await expect(migrate(db, { embeddingDim: DIM * 2 })).rejects.toThrow(/EMBEDDING_DIM=128/)
  })

  it('rolls back a failing migration completely', async () => {
    const { db } = await freshDatabase()
    const dir = copyMigrations()
    writeFileSync(path.join(dir, '9999_broken.sql'), 'CREATE TABLE broken_one (id int);\nSELECT no_such_function();\n')
    await expect(migrate(db, { embeddingDim: DIM, dir })).rejects.toThrow(/9999_broken\.sql failed/)
    const t = await db.query("SELECT 1 FROM pg_tables WHERE tablename IN ('broken_one', 'patents')")
    expect(t.rows).toEqual([])
  })
})
