// The same contract for every database adapter: the rest of the code must not know which one it talks to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db, parseVector, toVectorLiteral } from '../../src/db'
import { openPg } from '../../src/db/pg'
import { ADAPTERS } from '../helpers/db'
import { DATABASE_URL } from '../helpers/env'

describe.each(ADAPTERS)('Db adapter: $name', ({ name, open }) => {
  let db: Db
  const table = `contract_${Math.random().toString(36).slice(2, 8)}`

  beforeAll(async () => {
    db = await open()
    await db.exec(`CREATE EXTENSION IF NOT EXISTS vector;
      CREATE TABLE ${table} (id int PRIMARY KEY, name text, n bigint, at timestamptz DEFAULT now(), e vector(3), ts tsvector, meta jsonb)`)
  })
  afterAll(async () => {
    await db.exec(`DROP TABLE IF EXISTS ${table}`)
    await db.close()
  })

  it('runs parameterised queries and reports affected rows', async () => {
    const r = await db.query(`INSERT INTO ${table} (id, name, n, meta) VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)`, [
      1, '锂电池', 9_007_199_254, { a: 1 }, 2, "O'Brien; DROP TABLE x", 2, null,
    ])
    expect(r.rowCount).toBe(2)
    const rows = await db.query<{ id: number; name: string; n: number; at: Date; meta: unknown }>(
      `SELECT id, name, n, at, meta FROM ${table} ORDER BY id`,
    )
    expect(rows.rows.map((x) => x.name)).toEqual(['锂电池', "O'Brien; DROP TABLE x"])
    expect(rows.rows[0]!.n).toBe(9_007_199_254) // int8 as a JS number on both
    expect(rows.rows[0]!.at).toBeInstanceOf(Date)
    expect(rows.rows[0]!.meta).toEqual({ a: 1 })
  })

  it('commits a transaction and rolls back a failed one', async () => {
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${table} (id, name) VALUES (10, 'kept')`)
    })
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} (id, name) VALUES (11, 'lost')`)
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    const r = await db.query<{ id: number }>(`SELECT id FROM ${table} WHERE id IN (10, 11) ORDER BY id`)
    expect(r.rows.map((x) => x.id)).toEqual([10])
  })

  it('stores and searches vectors with cosine distance', async () => {
    await db.query(`UPDATE ${table} SET e = $1::vector WHERE id = 1`, [toVectorLiteral([1, 0, 0])])
    await db.query(`UPDATE ${table} SET e = $1::vector WHERE id = 2`, [toVectorLiteral([0, 1, 0])])
    const r = await db.query<{ id: number; d: number; e: unknown }>(
      `SELECT id, e <=> $1::vector AS d, e::text AS e FROM ${table} WHERE e IS NOT NULL ORDER BY e <=> $1::vector LIMIT 1`,
      [toVectorLiteral([0.9, 0.1, 0])],
    )
    expect(r.rows[0]!.id).toBe(1)
    expect(r.rows[0]!.d).toBeGreaterThan(0)
    expect(parseVector(r.rows[0]!.e)).toEqual([1, 0, 0])
    const raw = await db.query<{ e: number[] }>(`SELECT e FROM ${table} WHERE id = 2`)
    expect(raw.rows[0]!.e).toEqual([0, 1, 0])
  })

  it('searches a simple tsvector of Chinese tokens', async () => {
    await db.query(`UPDATE ${table} SET ts = to_tsvector('simple', $1) WHERE id = 1`, ['锂电池 健康 状态 估计'])
    const r = await db.query<{ id: number }>(`SELECT id FROM ${table} WHERE ts @@ to_tsquery('simple', $1)`, ['健康 & 估计'])
    expect(r.rows.map((x) => x.id)).toEqual([1])
  })

  it('runs a statement marked `prepare` with any parameters; on PostgreSQL it is prepared once per connection', async () => {
    const sql = `SELECT id, name FROM ${table} WHERE id = ANY($1::int[]) ORDER BY id`
    await db.transaction(async (tx) => {
      // one connection: the second call reuses the statement the first prepared
      expect((await tx.query<{ id: number }>(sql, [[1, 2]], { prepare: true })).rows.map((r) => r.id)).toEqual([1, 2])
      expect((await tx.query<{ id: number }>(sql, [[2]], { prepare: true })).rows.map((r) => r.id)).toEqual([2])
      const prepared = db.engine === 'pg' ? (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1', [sql])).rows[0]!.n : 0
      expect(prepared).toBe(db.engine === 'pg' ? 1 : 0)
    })
  })

  it.runIf(name === 'pg')('answers a prepared statement after its table changed shape (a newer version migrated)', async () => {
    const one = openPg(DATABASE_URL!, { max: 1 }) // one connection: the statement prepared is the one run again
    try {
      const sql = `SELECT * FROM ${table} WHERE id = $1`
      expect((await one.query<{ id: number }>(sql, [1], { prepare: true })).rows).toHaveLength(1)
      await one.exec(`ALTER TABLE ${table} ADD COLUMN extra int`)
      const again = await one.query<{ id: number; extra: null }>(sql, [1], { prepare: true })
      expect(again.rows[0]).toMatchObject({ id: 1, extra: null })
    } finally {
      await one.close()
    }
  })

  it('surfaces SQL errors as rejections', async () => {
    await expect(db.query('SELECT * FROM no_such_table_here')).rejects.toThrow(/no_such_table_here/)
  })
})
