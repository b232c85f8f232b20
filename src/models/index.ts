import type { Embeddings } from '@langchain/core/embeddings'
import type { Config } from '../config'
import { HashEmbedder } from './hash-embedder'
import { OpenAIEmbedder } from './openai-embedder'

/** An embedder with the id recorded next to every vector it makes. */
export type Embedder = Embeddings & { readonly modelId: string; readonly dim: number }

export function createEmbedder(cfg: Config): Embedder {
  if (cfg.EMBEDDING_PROVIDER === 'openai') {
    return new OpenAIEmbedder({
      baseURL: cfg.OPENAI_BASE_URL, apiKey: cfg.OPENAI_API_KEY, model: cfg.EMBEDDING_MODEL, dim: cfg.EMBEDDING_DIM,
    })
  }
  return new HashEmbedder(cfg.EMBEDDING_DIM)
}
