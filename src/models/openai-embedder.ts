// Embeddings from any OpenAI-compatible endpoint (OpenAI, Azure, DashScope, DeepSeek, SiliconFlow, vLLM, Ollama).
// The SDK retries 429/5xx with exponential backoff and jitter and honours Retry-After; we batch and validate.
import { Embeddings } from '@langchain/core/embeddings'
import OpenAI from 'openai'
import { z } from 'zod'

export interface OpenAIEmbedderOptions {
  baseURL?: string
  apiKey?: string
  model: string
  dim: number
  /** send `dimensions` (text-embedding-3 and other Matryoshka models); off for models that reject it */
  sendDimensions?: boolean
  maxRetries?: number
  timeoutMs?: number
  batchSize?: number
  /** rough token budget per request; Chinese is about one token per character */
  batchTokens?: number
}

const EmbeddingResponse = z.object({
  data: z.array(z.object({ index: z.number().int().min(0), embedding: z.array(z.number()) })),
})

export class EmbeddingError extends Error {
  override name = 'EmbeddingError'
}

export class OpenAIEmbedder extends Embeddings {
  readonly modelId: string
  readonly dim: number
  private client: OpenAI
  private opts: Required<Omit<OpenAIEmbedderOptions, 'baseURL' | 'apiKey'>>

  constructor(o: OpenAIEmbedderOptions) {
    super({ maxRetries: 0 }) // retries are the SDK's, not LangChain's
    this.dim = o.dim
    this.modelId = `openai:${o.model}:${o.dim}`
    this.opts = {
      model: o.model, dim: o.dim, sendDimensions: o.sendDimensions ?? true, maxRetries: o.maxRetries ?? 5,
      timeoutMs: o.timeoutMs ?? 60_000, batchSize: o.batchSize ?? 64, batchTokens: o.batchTokens ?? 8_000,
    }
    this.client = new OpenAI({
      baseURL: o.baseURL, apiKey: o.apiKey || 'not-needed', maxRetries: this.opts.maxRetries, timeout: this.opts.timeoutMs,
    })
  }

  /** Splits inputs into batches bounded by count and approximate tokens. */
  static batches(texts: string[], maxCount: number, maxTokens: number): string[][] {
    const out: string[][] = []
    let cur: string[] = []
    let tokens = 0
    for (const t of texts) {
      const n = Math.max(1, t.length)
      if (cur.length && (cur.length >= maxCount || tokens + n > maxTokens)) {
        out.push(cur)
        cur = []
        tokens = 0
      }
      cur.push(t)
      tokens += n
    }
    if (cur.length) out.push(cur)
    return out
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    const out: number[][] = []
    for (const batch of OpenAIEmbedder.batches(texts.map((t) => t || ' '), this.opts.batchSize, this.opts.batchTokens)) {
      out.push(...(await this.embedBatch(batch)))
    }
    return out
  }

  async embedQuery(text: string): Promise<number[]> {
    return (await this.embedBatch([text || ' ']))[0]!
  }

  private async embedBatch(input: string[]): Promise<number[][]> {
    let raw: unknown
    try {
      raw = await this.client.embeddings.create({
        model: this.opts.model,
        input,
        encoding_format: 'float',
        ...(this.opts.sendDimensions ? { dimensions: this.opts.dim } : {}),
      })
    } catch (err) {
      const status = (err as { status?: number }).status
      throw new EmbeddingError(`embedding request failed${status ? ` (HTTP ${status})` : ''}: ${(err as Error).message}`)
    }
    const parsed = EmbeddingResponse.safeParse(raw)
    if (!parsed.success) throw new EmbeddingError(`malformed embeddings response: ${parsed.error.issues[0]?.message}`)
    const rows = [...parsed.data.data].sort((a, b) => a.index - b.index)
    if (rows.length !== input.length) throw new EmbeddingError(`expected ${input.length} embeddings, got ${rows.length}`)
    for (const r of rows) {
      if (r.embedding.length !== this.dim) {
        throw new EmbeddingError(`model returned ${r.embedding.length} dimensions; EMBEDDING_DIM is ${this.dim}`)
      }
    }
    return rows.map((r) => r.embedding)
  }
}
