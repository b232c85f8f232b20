import type { Embeddings } from '@langchain/core/embeddings'
import type { Config } from '../config'
import type { Analysis } from '../text/analyze'
import { HashEmbedder } from './hash-embedder'
import { OpenAIEmbedder } from './openai-embedder'

/**
 * An embedder with the id recorded next to every vector it makes. A `local` one embeds from the text analysis in
 * process (cheap), so writes can carry their vectors; a remote one is called from index jobs in batches.
 */
export type Embedder = Embeddings & {
  readonly modelId: string
  readonly dim: number
  readonly local?: boolean
  embedAnalysis?(a: Analysis): number[]
}

export function createEmbedder(cfg: Config): Embedder {
  if (cfg.EMBEDDING_PROVIDER === 'openai') {
    return new OpenAIEmbedder({
      baseURL: cfg.OPENAI_BASE_URL, apiKey: cfg.OPENAI_API_KEY, model: cfg.EMBEDDING_MODEL, dim: cfg.EMBEDDING_DIM, sendDimensions: cfg.EMBEDDING_SEND_DIMENSIONS,
    })
  }
  return new HashEmbedder(cfg.EMBEDDING_DIM)
}
