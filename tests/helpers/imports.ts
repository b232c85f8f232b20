// Uploading a file to /v1/imports and waiting for its import, as the import tests do.
import type { TestApp, TestResponse } from './app'

/** POST /v1/imports with the file, its kind and any other form fields (map, org_id). */
export function uploadImport(t: TestApp, key: string, kind: string, name: string, content: Uint8Array | string, extra: Record<string, string> = {}): Promise<TestResponse> {
  const form = new FormData()
  form.set('file', new File([content], name))
  form.set('kind', kind)
  for (const [k, v] of Object.entries(extra)) form.set(k, v)
  return t.request('/v1/imports', { method: 'POST', key, body: form })
}

/** The import once its job has finished and the jobs it queued have run. */
export async function importFinished(t: TestApp, key: string, id: string) {
  const imp = await (await t.request(`/v1/imports/${id}`, { key })).json()
  await t.job(imp.job_id)
  await t.settle()
  return (await t.request(`/v1/imports/${id}`, { key })).json()
}
