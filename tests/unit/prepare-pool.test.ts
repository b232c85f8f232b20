import { afterAll, describe, expect, it } from 'vitest'
import { prepareBatch } from '../../src/catalog/prepare'
import { PreparePool } from '../../src/catalog/prepare-pool'
import { validateRecord } from '../../src/catalog/service'
import { HashEmbedder } from '../../src/models/hash-embedder'

const embedder = new HashEmbedder(64)
const pool = new PreparePool(embedder)
afterAll(() => pool.close())

const records = ['锂离子电池健康状态在线估计', '钙钛矿太阳能电池界面钝化', '锂离子电池健康状态在线估计'].map((title, i) =>
  validateRecord('achievement', { title, summary: `${title}的技术简介，第${i}版。`, maturity: 'pilot' }).data!,
)

describe('prepare pool', () => {
  it('prepares batches on a worker thread exactly as this thread would', async () => {
    const off = await pool.prepare('achievement', records)
    expect(pool.served).toBe(1)
    expect(off).toEqual(prepareBatch('achievement', records, embedder))
    expect(off).toHaveLength(3)
    expect(off[0]!.index!.embedding).toHaveLength(64)
    expect(off[0]!.index!.sparse.posted!.length).toBeGreaterThan(0)
  })

  it('prepares in this thread once closed', async () => {
    const other = new PreparePool(embedder)
    await other.close()
    expect(await other.prepare('achievement', records)).toEqual(prepareBatch('achievement', records, embedder))
    expect(other.served).toBe(0)
  })
})
