// The openai provider against a loopback server speaking the embeddings API: real SDK, real HTTP.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config'
import { createEmbedder } from '../../src/models'
import { EmbeddingError, OpenAIEmbedder } from '../../src/models/openai-embedder'
import { loopbackServer } from '../helpers/loopback'

type Handler = (body: { input: string[]; model: string; dimensions?: number }, res: ServerResponse, req: IncomingMessage) => void
let server: Awaited<ReturnType<typeof loopbackServer>>
let base: string
let handler: Handler
const seen: { input: string[]; dimensions?: number; auth?: string }[] = []

const vec = (i: number, dim: number) => Array.from({ length: dim }, (_, k) => (k === i % dim ? 1 : 0))
const ok = (dim: number): Handler => (body, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ object: 'list', model: body.model, data: body.input.map((_, i) => ({ object: 'embedding', index: i, embedding: vec(i, dim) })).reverse(), usage: { prompt_tokens: 1, total_tokens: 1 } }))
}

beforeAll(async () => {
  server = await loopbackServer((body, res, req) => {
    seen.push({ input: body.input, dimensions: body.dimensions, auth: req.headers.authorization })
    handler(body, res, req)
  })
  base = server.base
})
afterAll(() => server.close())

const embedder = (o: Partial<ConstructorParameters<typeof OpenAIEmbedder>[0]> = {}) =>
  new OpenAIEmbedder({ baseURL: base, apiKey: 'sk-test', model: 'text-embedding-3-small', dim: 4, maxRetries: 2, timeoutMs: 5000, ...o })

describe('OpenAIEmbedder', () => {
  it('runs the documented local configuration: bge-m3 behind an OpenAI-compatible server, 1024 dimensions, no key, no dimensions parameter', async () => {
    handler = ok(1024)
    seen.length = 0
    const e = createEmbedder(loadConfig({ EMBEDDING_PROVIDER: 'openai', OPENAI_BASE_URL: base, EMBEDDING_MODEL: 'bge-m3', EMBEDDING_DIM: '1024', EMBEDDING_SEND_DIMENSIONS: 'false' }))
    expect(e.modelId).toBe('openai:bge-m3:1024')
    const [v] = await e.embedDocuments(['废水处理系统反洗超滤'])
    expect(v).toHaveLength(1024)
    expect(seen[0]!.dimensions).toBeUndefined()
    expect(seen[0]!.auth).toBe('Bearer not-needed')
  })

  it('embeds in batches, in input order, sending dimensions and the key', async () => {
    handler = ok(4)
    seen.length = 0
    const out = await embedder({ batchSize: 2 }).embedDocuments(['甲', '乙', '丙'])
    expect(out).toEqual([vec(0, 4), vec(1, 4), vec(0, 4)])
    expect(seen.map((s) => s.input)).toEqual([['甲', '乙'], ['丙']])
    expect(seen[0]).toMatchObject({ dimensions: 4, auth: 'Bearer sk-test' })
  })

  it('splits batches by token budget as well as count', () => {
    expect(OpenAIEmbedder.batches(['a'.repeat(6), 'b'.repeat(6), 'c'], 10, 10)).toEqual([['aaaaaa'], ['bbbbbb', 'c']])
  })

  it('retries a 429 (honouring Retry-After) and then succeeds', async () => {
    let n = 0
    seen.length = 0
    handler = (body, res) => {
      if (n++ === 0) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '10' })
        res.end(JSON.stringify({ error: { message: 'rate limited', type: 'rate_limit' } }))
      } else ok(4)(body, res, undefined as never)
    }
    expect(await embedder().embedQuery('重试')).toEqual(vec(0, 4))
    expect(seen).toHaveLength(2)
  })

  it('surfaces the final error after a 500 exhausts the retries', async () => {
    seen.length = 0
    handler = (_b, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'retry-after-ms': '5' })
      res.end(JSON.stringify({ error: { message: 'boom' } }))
    }
    const err = await embedder({ maxRetries: 2 }).embedQuery('失败').catch((e) => e)
    expect(err).toBeInstanceOf(EmbeddingError)
    expect(err.message).toMatch(/HTTP 500/)
    expect(seen).toHaveLength(3) // first try + 2 retries
  })

  it('rejects a malformed body and wrong dimensions', async () => {
    handler = (_b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ data: [{ index: 0, embedding: 'not a vector' }] }))
    }
    await expect(embedder().embedQuery('x')).rejects.toThrow(/malformed embeddings response/)
    handler = ok(3)
    await expect(embedder().embedQuery('x')).rejects.toThrow(/3 dimensions; EMBEDDING_DIM is 4/)
  })
})
