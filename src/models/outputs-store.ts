// SQL of the model-output cache: one row per input hash (model + prompt version + input), so an unchanged input never
// calls the model twice. Shared by every area that stores machine-written text.
import type { Queryable } from '../db'

export const modelOutputStore = {
  async get<T = unknown>(q: Queryable, inputHash: string): Promise<T | null> {
    const r = await q.query<{ output: T }>('SELECT output FROM model_outputs WHERE input_hash = $1', [inputHash])
    return r.rows[0]?.output ?? null
  },
  async put(q: Queryable, o: { inputHash: string; model: string; promptVersion: string; output: unknown }): Promise<void> {
    await q.query(
      `INSERT INTO model_outputs (input_hash, model, prompt_version, output) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (input_hash) DO NOTHING`,
      [o.inputHash, o.model, o.promptVersion, JSON.stringify(o.output)],
    )
  },
}
