// `npm run bench -- navigation [--n 10000] [--db pglite|pg|both] [--k N] [--html out.html] [--json] [--dataset <BEIR dir> [--fill]]`
// Seeded synthetic patents (dates, IPC codes, applicants of every kind, inventors, legal status) are written through
// the catalogue's bulk path and indexed; then one report over all of them is ordered and built by its job, timed from
// the order to the completed report. --json prints one line per database: {"db", "patents", "seconds", ...}.
// --dataset: the patents of a BEIR corpus instead (title, abstract, metadata.assignee as applicants; read by path, for
// looking at a report over real texts, e.g. ../shared/bench/patents-cls-dev); --fill gives them seeded synthetic
// application dates, legal status and types (such corpora have none), so every chart has data.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger } from '../src/log'
import { validateRecord } from '../src/catalog/service'
import { loadConfig } from '../src/config'
import { openPg } from '../src/db/pg'
import { openPglite } from '../src/db/pglite'
import type { Caller } from '../src/orgs/access'
import { orgStore } from '../src/orgs/store'
import { openRuntime } from '../src/runtime'
import { rng, synthetic } from './synthetic'
import { freshPgDatabase, peakRss } from './util'

const IPC: Record<string, string[]> = {
  新能源: ['H01M10/0525', 'H01M4/58', 'H02J7/00', 'H01L31/18', 'H02J3/38'],
  生物医药: ['A61K39/395', 'C12N15/11', 'A61P35/00', 'G01N33/68', 'A61K9/51'],
  人工智能: ['G06N3/08', 'G06V10/82', 'G06F16/36', 'G06T7/00', 'G01S13/89'],
  先进材料: ['C08L67/04', 'C04B35/622', 'C22C30/00', 'C09D5/08', 'B22F3/105'],
  智能制造: ['B25J9/16', 'G05B19/418', 'B23K26/34', 'B29C45/76', 'G01N29/04'],
  农业食品: ['A01H1/04', 'A01B79/02', 'A23L3/3463', 'A01K67/02', 'C12Q1/6895'],
}
const UNIS = ['东南大学', '南京大学', '江南大学', '苏州大学', '南京工业大学', '河海大学', '江苏大学', '南京理工大学', '扬州大学', '中国矿业大学', '常州大学', '南京农业大学']
const INSTS = ['中国科学院苏州纳米技术与纳米仿生研究所', '江苏省农业科学院', '中国科学院南京土壤研究所', '江苏省产业技术研究院']
const COS = ['江苏某某新能源科技有限公司', '苏州某某智能装备有限公司', '南京某某生物医药股份有限公司', '无锡某某材料科技有限公司', '常州某某电子有限公司', '徐州某某机械集团', '南通某某食品厂', '盐城某某农业科技有限公司']
const PEOPLE = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭']
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀英']

/** Patents in the shape of a database export: 2010-2025 filings growing over time, a third granted, mixed owners. */
export function syntheticPatents(n: number, seed = 7): Record<string, unknown>[] {
  const r = rng(seed)
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!
  const out: Record<string, unknown>[] = []
  let i = 0
  for (const item of synthetic(n, seed)) {
    // filings grow over the years (more recent years more likely)
    const year = 2010 + Math.min(15, Math.floor(Math.sqrt(r()) * 16))
    const date = `${year}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`
    const roll = r()
    const applicants = roll < 0.45 ? [pick(UNIS)] : roll < 0.55 ? [pick(INSTS)] : roll < 0.85 ? [pick(COS)] : roll < 0.95 ? [pick(UNIS), pick(COS)] : [pick(PEOPLE) + pick(GIVEN)]
    const utility = r() < 0.25
    const lag = utility ? 1 : 2
    // examination takes time: the most recent filings are still pending
    const status = year + lag > 2025 ? 'pending' : r() < 0.7 ? 'valid' : 'invalid'
    const granted = status === 'valid' || (status === 'invalid' && r() < 0.5)
    const codes = IPC[item.industry]!
    const main = pick(codes)
    out.push({
      publication_number: `CN${String(100000000 + i).slice(0, 9)}${utility ? 'U' : 'A'}`,
      application_date: date,
      grant_date: granted ? `${year + lag}-06-01` : null,
      title: item.title.replace(/\d+$/, ''),
      abstract: item.summary,
      applicants: [...new Set(applicants)],
      inventors: Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(PEOPLE) + pick(GIVEN)),
      ipc_main: main,
      ipc_codes: [...new Set([main, pick(codes)])],
      patent_type: utility ? 'utility_model' : 'invention',
      legal_status: status,
    })
    i++
  }
  return out
}

export async function benchNavigation(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '10000' }, db: { type: 'string', default: 'both' }, json: { type: 'boolean', default: false }, k: { type: 'string' }, html: { type: 'string' },
      dataset: { type: 'string' }, fill: { type: 'boolean', default: false },
    },
  })
  const log = (s: string) => !values.json && console.log(s)
  const source = values.dataset ? datasetPatents(values.dataset, values.fill!) : syntheticPatents(Number(values.n))
  const n = source.length
  const records = source.map((p) => {
    const v = validateRecord('patent', p)
    if (!v.success) throw new Error(v.error.message)
    return v.data
  })
  log(`navigation benchmark: one report over ${n} ${values.dataset ? 'patents of ' + values.dataset : 'synthetic patents'} (the machine is shared: figures vary with load)`)
  for (const kind of values.db === 'both' ? ['pg', 'pglite'] : [values.db!]) {
    const rss = peakRss()
    let dir: string | undefined
    let drop: (() => Promise<void>) | undefined
    let db
    if (kind === 'pg') {
      const fresh = await freshPgDatabase('navigation')
      db = openPg(fresh.url)
      drop = fresh.drop
    } else {
      dir = mkdtempSync(path.join(tmpdir(), 'bench-nav-'))
      db = await openPglite(dir)
    }
    const config = loadConfig({ LOG_LEVEL: 'silent', DEMO_DATA: 'false' })
    const rt = await openRuntime(config, createLogger('silent'), { db })
    try {
      const org = await orgStore.insertOrg(rt.db, { name: 'bench university', kind: 'university' })
      const t0 = performance.now()
      for (let i = 0; i < records.length; i += 1000) await rt.services.catalog.upsertMany('patent', org.id, records.slice(i, i + 1000), `bench-nav-${i}`)
      await rt.queue.drain()
      log(`  ${kind}: ${n} patents written and indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
      const center = await orgStore.insertOrg(rt.db, { name: 'bench centre', kind: 'transfer_center' })
      const ctx: Caller = { kind: 'key', keyId: '00000000-0000-4000-8000-000000000000', role: 'manager', orgId: center.id, orgKind: 'transfer_center' }
      const t1 = performance.now()
      const cpu0 = process.cpuUsage()
      const row = await rt.services.navigation.createReport({
        ctx, input: {
          title: values.dataset ? `${path.basename(values.dataset)} 专利导航${values.fill ? '（日期与法律状态为合成数据）' : ''}` : '江苏省重点产业专利导航（合成数据）',
          // a corpus without dates: every abstract has a full stop
          scope: values.dataset && !values.fill ? { keywords: ['。'] } : { date_from: '2010-01-01' }, ...(values.k ? { k: Number(values.k) } : {}),
        },
      })
      await rt.queue.drain()
      const seconds = (performance.now() - t1) / 1000
      const cpu = process.cpuUsage(cpu0)
      const got = await rt.services.navigation.getReport({ ctx, input: { id: row.id } })
      if (got.status !== 'completed') throw new Error(`report ${got.status}: ${got.error}`)
      if (values.html) writeFileSync(values.html, await rt.services.navigation.renderReport({ ctx, input: { id: row.id, format: 'html' } }))
      const out = {
        db: kind, patents: got.report!.counts.patents, seconds: Math.round(seconds * 100) / 100,
        // CPU time of this process (on PostgreSQL the server's share is not in it): on a shared machine, wall time
        // counts the waiting for a core as well
        cpu_seconds: Math.round((cpu.user + cpu.system) / 1e4) / 100, k: got.report!.clusters?.k ?? null, steps_ms: got.report!.timings_ms, peak_rss_mb: rss.stop(),
      }
      if (values.json) console.log(JSON.stringify(out))
      else log(`  ${kind}: report over ${out.patents} patents built in ${out.seconds} s (CPU ${out.cpu_seconds} s; ${out.k} topics; steps ${JSON.stringify(out.steps_ms)}); peak RSS ${out.peak_rss_mb} MB`)
    } finally {
      await rt.close()
      await drop?.()
      if (dir) rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** A BEIR corpus's patents: title, abstract and applicant (metadata.assignee); with `fill`, seeded dates, status, type. */
export function datasetPatents(dir: string, fill: boolean): Record<string, unknown>[] {
  const r = rng(11)
  const lines = readFileSync(path.join(dir, 'corpus.jsonl'), 'utf8').split('\n').filter((l) => l.trim())
  return lines.map((l, i) => {
    const d = JSON.parse(l) as { _id: string; title?: string; text: string; metadata?: { assignee?: string } }
    const p: Record<string, unknown> = {
      publication_number: `CN${String(300000000 + i)}A`, title: d.title || d.text.slice(0, 40), abstract: d.text,
      applicants: d.metadata?.assignee ? d.metadata.assignee.split(/[;；]\s*/).filter(Boolean) : [],
    }
    if (fill) {
      const year = 2012 + Math.min(11, Math.floor(Math.sqrt(r()) * 12))
      p.application_date = `${year}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-15`
      p.patent_type = r() < 0.2 ? 'utility_model' : 'invention'
      p.legal_status = year >= 2022 ? 'pending' : r() < 0.65 ? 'valid' : 'invalid'
      if (p.legal_status === 'valid') p.grant_date = `${year + 2}-06-01`
    }
    return p
  })
}
