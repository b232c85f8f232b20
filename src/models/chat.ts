// Chat models for machine-written judgements (the optional match re-rank): any OpenAI-compatible endpoint through the
// `openai` SDK, which retries 429/5xx with backoff and honours Retry-After. Output is text the caller validates with zod.
import OpenAI from 'openai'
import { z } from 'zod'
import type { Config } from '../config'

export interface ChatModel {
  /** recorded next to everything it writes, e.g. "openai:qwen-plus" */
  readonly modelId: string
  /** One exchange asking for a JSON object; returns the raw text of the answer. */
  completeJson(system: string, user: string): Promise<string>
}

const ChatResponse = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
})

export class ChatModelError extends Error {
  override name = 'ChatModelError'
}

/** The most bytes read from one model answer (the whole HTTP body); a judgement of 2,000 tokens is a few KB. */
export const MAX_ANSWER_BYTES = 1024 * 1024

/**
 * A fetch whose response bodies stop at `maxBytes`: past it the body errors and the connection is dropped, so a model
 * (or anything pretending to be one) cannot make us buffer or parse an unbounded answer.
 */
export function cappedFetch(maxBytes: number, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const res = await base(input, init)
    if (!res.body) return res
    const tooBig = () => new ChatModelError(`model answer larger than ${maxBytes} bytes; stopped reading / 模型回答过长，已停止读取`)
    const reader = res.body.getReader()
    let seen = 0
    const declared = Number(res.headers.get('content-length') ?? 0)
    const body = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        if (declared > maxBytes) {
          await reader.cancel().catch(() => {})
          return ctrl.error(tooBig())
        }
        const { done, value } = await reader.read()
        if (done) return ctrl.close()
        seen += value.byteLength
        if (seen > maxBytes) {
          await reader.cancel().catch(() => {})
          return ctrl.error(tooBig())
        }
        ctrl.enqueue(value)
      },
      cancel: (reason) => reader.cancel(reason),
    })
    const headers = new Headers(res.headers)
    headers.delete('content-length')
    return new Response(body, { status: res.status, statusText: res.statusText, headers })
  }
}

export class OpenAIChatModel implements ChatModel {
  readonly modelId: string
  private client: OpenAI

  constructor(private o: { baseURL?: string; apiKey?: string; model: string; maxRetries?: number; timeoutMs?: number; maxTokens?: number; maxAnswerBytes?: number }) {
    this.modelId = `openai:${o.model}`
    this.client = new OpenAI({
      baseURL: o.baseURL, apiKey: o.apiKey || 'not-needed', maxRetries: o.maxRetries ?? 3, timeout: o.timeoutMs ?? 60_000,
      fetch: cappedFetch(o.maxAnswerBytes ?? MAX_ANSWER_BYTES),
    })
  }

  async completeJson(system: string, user: string): Promise<string> {
    let raw: unknown
    try {
      raw = await this.client.chat.completions.create({
        model: this.o.model,
        temperature: 0,
        max_tokens: this.o.maxTokens ?? 2000,
        response_format: { type: 'json_object' },
        messages: [{ role: 'system', content: system }, { role: 'user', content: user }],
      })
    } catch (err) {
      throw new ChatModelError(`chat model ${this.o.model} failed: ${(err as Error).message}`)
    }
    const parsed = ChatResponse.safeParse(raw)
    if (!parsed.success) throw new ChatModelError(`chat model ${this.o.model} returned an unexpected body`)
    const content = parsed.data.choices[0]!.message.content
    if (!content) throw new ChatModelError(`chat model ${this.o.model} returned no content`)
    return content
  }
}

/** The configured chat model, or undefined when none is (model-written steps are then skipped). */
export function createChatModel(cfg: Config): ChatModel | undefined {
  if (!cfg.CHAT_MODEL) return undefined
  return new OpenAIChatModel({ baseURL: cfg.OPENAI_BASE_URL, apiKey: cfg.OPENAI_API_KEY, model: cfg.CHAT_MODEL, timeoutMs: cfg.CHAT_TIMEOUT_MS })
}
