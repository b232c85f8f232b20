// Worker-thread entry of the report clustering. Plain JavaScript so any parent (tsx, vitest, plain node) can start it;
// it registers tsx itself and loads the TypeScript worker.
import { register } from 'tsx/esm/api'

register()
await import('./cluster-worker-main.ts')
