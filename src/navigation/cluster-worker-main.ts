// Clusters the documents it is given (workerData) and posts the result back: several seconds of CPU at 10,000
// patents that must not block the thread answering HTTP.
import { parentPort, workerData } from 'node:worker_threads'
import { clusterDocs, type ClusterDoc, type ClusterOptions } from './cluster'

const { docs, opts } = workerData as { docs: ClusterDoc[]; opts: ClusterOptions }
try {
  const c = clusterDocs(docs, opts)
  parentPort!.postMessage({ ok: true, result: { ...c, assign: Array.from(c.assign), sims: Array.from(c.sims) } })
} catch (err) {
  parentPort!.postMessage({ ok: false, error: String((err as Error).stack ?? err) })
}
