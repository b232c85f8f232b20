// Import uploads for tests: a file posted to /v1/imports and its import awaited; a JSON Lines file in a multipart form;
// and two patents (one about visual inspection of car parts, one unrelated) whose import should reach the demo need
// 汽车零部件表面缺陷自动检测.
import type { TestApp, TestResponse } from './app'

/** The multipart form of POST /v1/imports for rows as a JSON Lines file. */
export function jsonlImportForm(kind: 'achievement' | 'patent' | 'need', orgId: string, rows: Record<string, unknown>[]): FormData {
  const form = new FormData()
  form.set('file', new File([rows.map((r) => JSON.stringify(r)).join('\n')], 'rows.jsonl'))
  form.set('kind', kind)
  form.set('org_id', orgId)
  return form
}

/** Two patents; `series` keeps publication numbers apart between tests (CN119<series>00001A, CN119<series>00002A). */
export const inspectionPatents = (series: number) => [
  { publication_number: `CN119${series}00001A`, title: '一种基于视觉的汽车零部件表面缺陷在线检测系统', abstract: '利用深度学习对冲压件和铸件表面的划痕、凹坑、裂纹进行在线检测，检测节拍小于1秒。', legal_status: 'valid' },
  { publication_number: `CN119${series}00002A`, title: '一种秸秆纤维复合板材的制备方法', abstract: '以农作物秸秆为原料制备复合板材。', legal_status: 'valid' },
]

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
