import type { Runtime } from '../../src/runtime'

/** Loads the project's demo set (data/demo/) into a test runtime. */
export const loadDemoData = (rt: Runtime) => rt.services.demo.loadDemoData()
