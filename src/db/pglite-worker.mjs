// Worker-thread entry of the embedded database. Plain JavaScript so any parent (tsx, vitest, plain node) can start it;
// it registers tsx itself and loads the TypeScript worker.
import { register } from 'tsx/esm/api'

register()
await import('./pglite-worker-main.ts')
