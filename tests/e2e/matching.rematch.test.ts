// Re-matching open needs after an import or a re-embed, with an asynchronous embedder (the openai provider against a
// loopback OpenAI-compatible server): the imported rows are indexed by jobs of their own, and the re-match waits for
// them. Runs on the inline runner, and on BullMQ when REDIS_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HashEmbedder } from '../../src/models/hash-embedder'
import { createTestApp, type TestApp } from '../helpers/app'
import { inspectionPatents, jsonlImportForm } from '../helpers/imports'
import { loadDemoData } from '../helpers/demo'
import { TEST_EMBEDDING_DIM } from '../helpers/env'
import { loopbackServer } from '../helpers/loopback'

let t: TestApp
let server: Awaited<ReturnType<typeof loopbackServer>>
let mgr: { orgId: string; key: string }
let uni: { orgId: string; key: string }
/** while true, every embeddings request is refused (400): index jobs fail and are retried by the runner */
let refusing = false
const vectors = new HashEmbedder(TEST_EMBEDDING_DIM)

const get = async (path: string, key = mgr.key) => (await t.request(path, { key })).json()
/**
 * Waits until the re-match job has finished a first attempt while the index jobs cannot finish, and checks it did not
 * complete: it waits for them. (Under load the runner may reach it only later; asserting right away raced with that.)
 */
async function triedOnce(jobId: string) {
  for (let i = 0; i < 600; i++) {
    const j = await get(`/v1/jobs/${jobId}`, t.adminKey)
    expect(j.state).not.toBe('completed')
    if (j.attempts_made >= 1 && j.state !== 'active') return // its first attempt is over, and it waits again
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${jobId} never ran while the index jobs were refused`)
}
const openNeeds = async () => (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM needs WHERE status = 'open'")).rows[0]!.n

beforeAll(async () => {
  server = await loopbackServer(async (body, res) => {
    if (refusing) {
      res.writeHead(400, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: 'refused by the test', type: 'invalid_request_error' } }))
      return
    }
    const data = (await vectors.embedDocuments(body.input)).map((embedding, index) => ({ object: 'embedding', index, embedding }))
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ object: 'list', model: body.model, data, usage: { prompt_tokens: 1, total_tokens: 1 } }))
  })
  t = await createTestApp(
    { EMBEDDING_PROVIDER: 'openai', OPENAI_BASE_URL: server.base, EMBEDDING_MODEL: 'loopback', EMBEDDING_SEND_DIMENSIONS: 'false', MATCH_STRENGTH_FLOOR: '0' },
    { isolated: true },
  )
  await loadDemoData(t.rt)
  await t.settle()
  mgr = await t.tenant('transfer_center', 'manager')
  uni = await t.tenant('university', 'university')
}, 180_000)
afterAll(async () => {
  await t?.close()
  await server?.close()
})

describe('re-matching after an import, with an asynchronous embedder', () => {
  it('re-matches every open need once the imported rows are indexed, not before; the report says how many', async () => {
    const open = await openNeeds()
    expect(open).toBeGreaterThan(0)
    const form = jsonlImportForm('patent', uni.orgId, inspectionPatents(1))
    refusing = true // the import's index job fails until the embedder answers again
    const res = await t.request('/v1/imports', { method: 'POST', key: mgr.key, body: form })
    expect(res.status).toBe(202)
    const imp = await res.json()
    const done = await t.job(imp.job_id)
    expect(done.state).toBe('completed')
    const rematchId = (done.result as { rematch_job_id: string }).rematch_job_id
    expect(rematchId).toBe(`rematch-import-${imp.id}`)
    // the rows are written but not indexed: the re-match waits, and the report says the count is not known yet
    expect(await get(`/v1/imports/${imp.id}`)).toMatchObject({ status: 'completed', rows_inserted: 2, needs_rematched: null })
    await triedOnce(rematchId)
    refusing = false
    const rematch = await t.job(rematchId)
    expect(rematch.state).toBe('completed')
    expect(rematch.attempts_made).toBeGreaterThan(1) // it waited for the index job at least once
    expect(rematch.result).toMatchObject({ needs: open })
    expect(rematch.result).not.toHaveProperty('unindexed_jobs')
    await t.settle()
    expect(await get(`/v1/imports/${imp.id}`)).toMatchObject({ needs_rematched: open })
    // the re-run of the need saw the indexed patent (before indexing it had neither vector nor terms)
    const need = (await t.db.query<{ id: string }>('SELECT id FROM needs WHERE title = $1', ['汽车零部件表面缺陷自动检测'])).rows[0]!
    const patent = (await t.db.query<{ id: string }>('SELECT id FROM patents WHERE publication_number = $1', ['CN119100001A'])).rows[0]!
    const list = (await get(`/v1/needs/${need.id}/matches?limit=100`)).items as { item_id: string }[]
    expect(list.map((m) => m.item_id)).toContain(patent.id)
  }, 120_000)
})

describe('re-matching after a re-embed', () => {
  it('re-matches every open need once, after the re-embed has indexed the catalogue, and says how many', async () => {
    const open = await openNeeds()
    const need = (await t.db.query<{ id: string }>("SELECT id FROM needs WHERE status = 'open' ORDER BY id LIMIT 1")).rows[0]!
    refusing = true
    const id = `reembed-test-${Date.now()}`
    await t.rt.queue.enqueue('catalog.reembed', { kinds: ['achievement', 'patent'], force: true }, { jobId: id, orgId: null })
    const walk = await t.job(id)
    expect(walk.state).toBe('completed')
    const { rematch_job_id: rematchId, queued } = walk.result as { rematch_job_id: string; queued: number }
    expect(queued).toBeGreaterThan(0)
    expect(rematchId).toBe(`${id}-rematch`)
    await triedOnce(rematchId)
    refusing = false
    const rematch = await t.job(rematchId)
    expect(rematch.state).toBe('completed')
    expect(rematch.attempts_made).toBeGreaterThan(1)
    expect(rematch.result).toMatchObject({ needs: open })
    await t.settle()
    // one run per need at the catalogue version after the re-embed (coalesced: queued twice, run once)
    const version = (rematch.result as { catalog_version: number }).catalog_version
    const run = await get(`/v1/jobs/match-need-${need.id}-v${version}`, t.adminKey)
    expect(run).toMatchObject({ state: 'completed' })
    const runs = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE name = 'matching.run' AND id LIKE $1", [`%-v${version}`])
    expect(runs.rows[0]!.n).toBe(open)
  }, 120_000)
})
