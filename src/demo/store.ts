// SQL of the demo loader: whether the demo set was loaded once (app_settings).
import type { Queryable } from '../db'

export const demoStore = {
  async isLoaded(q: Queryable): Promise<boolean> {
    return (await q.query("SELECT 1 FROM app_settings WHERE key = 'demo_loaded'")).rows.length > 0
  },
  async markLoaded(q: Queryable): Promise<void> {
    await q.query("INSERT INTO app_settings (key, value) VALUES ('demo_loaded', now()::text) ON CONFLICT (key) DO NOTHING")
  },
}
