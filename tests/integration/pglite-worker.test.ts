// The embedded database runs on a worker thread: the thread that answers HTTP keeps answering while it works, a
// transaction holds the database for its caller alone, and values cross the thread boundary unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPglite } from '../../src/db/pglite'
import type { Db } from '../../src/db'
import { createTestApp, type TestApp } from '../helpers/app'

describe('embedded database worker', () => {
  let db: Db
  beforeAll(async () => {
    db = await openPglite()
    await db.exec(`CREATE EXTENSION IF NOT EXISTS vector;
      CREATE TABLE w (id int PRIMARY KEY, body bytea, sv sparsevec(10), v vector(3), d date, n numeric)`)
  })
  afterAll(() => db.close())

  it('makes other callers wait while a transaction is open, and they then see its commit', async () => {
    const order: string[] = []
    let outside: Promise<unknown> | undefined
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO w (id) VALUES (1)')
      outside = db.query<{ n: number }>('SELECT count(*)::int AS n FROM w').then((r) => {
        order.push('outside')
        return r.rows[0]!.n
      })
      // give the outside statement every chance to run now, if it could
      await new Promise((r) => setTimeout(r, 100))
      await tx.query('INSERT INTO w (id) VALUES (2)')
      order.push('commit')
    })
    expect(await outside).toBe(2)
    expect(order).toEqual(['commit', 'outside'])
  })

  it('rolls back a failing transaction, keeps the error fields, and refuses statements after the end', async () => {
    let leaked: { query(sql: string): Promise<unknown> } | undefined
    const err = await db
      .transaction(async (tx) => {
        leaked = tx
        await tx.query('INSERT INTO w (id) VALUES (3)')
        await tx.query('INSERT INTO w (id) VALUES (1)') // duplicate key
      })
      .catch((e: Error & { code?: string; constraint?: string }) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as { code?: string }).code).toBe('23505')
    expect((err as { constraint?: string }).constraint).toBe('w_pkey')
    expect((await db.query('SELECT id FROM w WHERE id = 3')).rows).toEqual([])
    await expect(leaked!.query('SELECT 1')).rejects.toThrow(/closed/)
    // the database is usable after the failure
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM w')).rows[0]!.n).toBe(2)
  })

  it('moves bytes, sparse and dense vectors, dates and numerics across the thread boundary unchanged', async () => {
    const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251))
    await db.query(`UPDATE w SET body = $2, sv = $3::sparsevec, v = $4::vector, d = $5, n = $6 WHERE id = $1`, [1, body, '{2:0.5,7:1.25}/10', '[1,2,3]', '2024-02-29', '12.5'])
    const r = await db.query<{ body: Uint8Array; sv: { indices: number[]; values: number[] }; v: number[]; d: string; n: number }>('SELECT body, sv, v, d, n FROM w WHERE id = 1')
    const row = r.rows[0]!
    expect(row.body).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(row.body).equals(body)).toBe(true)
    expect(row.v).toEqual([1, 2, 3])
    expect(row.sv.indices).toEqual([1, 6])
    expect(row.sv.values).toEqual([0.5, 1.25])
    expect(row.d).toBe('2024-02-29')
    expect(row.n).toBe(12.5)
  })

  it('rejects statements after close', async () => {
    const other = await openPglite()
    await other.close()
    await expect(other.query('SELECT 1')).rejects.toThrow(/closed/)
  })
})

describe('the API keeps answering while the embedded database works', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t.close())

  it('answers /healthz before a long statement finishes', async () => {
    if (t.db.engine !== 'pglite') return // PostgreSQL always ran statements in its own processes
    let longDone = false
    const long = t.db.query('SELECT count(*) FROM generate_series(1, 4000000)').then(() => {
      longDone = true
    })
    const health = await t.request('/healthz')
    expect(health.status).toBe(200)
    expect(longDone).toBe(false)
    await long
    expect(longDone).toBe(true)
  }, 300_000)
})
