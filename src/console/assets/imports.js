// Bulk imports (批量导入): upload a spreadsheet of achievements, patents or needs, watch it run, and read back every
// rejected row with its line, field and reason. The same calls as the README's curl examples (POST /v1/imports, ...).
import { $, action, api, download, fail, h, session, show, staff, table, utcMinute } from './core.js'

const KIND_LABEL = { achievement: '科技成果 achievements', patent: '专利 patents', need: '技术需求 needs' }
/** What each role may import, and which organisations a staff member may import for. */
const KINDS_OF = { university: ['achievement', 'patent'], enterprise: ['need'], manager: ['achievement', 'patent', 'need'], admin: ['achievement', 'patent', 'need'] }
const OWNER_KINDS = { achievement: ['university', 'institute'], patent: ['university', 'institute'], need: ['enterprise'] }
const STATUS = { queued: '排队中', running: '导入中', completed: '已完成', failed: '失败' }
const REQUIRED = { achievement: '成果名称', patent: '公开(公告)号、标题', need: '需求名称' }

const counts = (x) => `读取 ${x.rows_read} · 新增 ${x.rows_inserted} · 更新 ${x.rows_updated} · 未变 ${x.rows_unchanged} · 拒绝 ${x.rows_rejected}`

export async function showImports(id) {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  if (id) return showImport(id)
  const kinds = KINDS_OF[session.me.role] ?? []
  const [recent, orgs] = await Promise.all([api('/v1/imports?limit=30'), staff() ? allOrgs() : Promise.resolve([])])
  const kind = h('select', { name: 'kind', 'aria-label': '类型 kind' }, kinds.map((k) => h('option', { value: k }, KIND_LABEL[k])))
  const org = h('select', { name: 'org_id', 'aria-label': '所属机构 organisation' })
  const fillOrgs = () => {
    const owners = orgs.filter((o) => OWNER_KINDS[kind.value].includes(o.kind))
    org.replaceChildren(...(owners.length
      ? owners.map((o) => h('option', { value: o.id }, `${o.name}${o.region ? `（${o.region}）` : ''}`))
      : [h('option', { value: '' }, '没有可归属的机构，请先在“机构”页创建 / no organisation of this kind yet')]))
  }
  kind.addEventListener('change', fillOrgs)
  if (staff()) fillOrgs()
  const required = h('span', { class: 'muted' })
  const describe = () => required.replaceChildren(`必需列 required: ${REQUIRED[kind.value]}`)
  kind.addEventListener('change', describe)
  describe()
  const form = h('form', { class: 'card', id: 'new-import' },
    h('h3', {}, '上传文件 Upload a file'),
    h('p', { class: 'muted' }, 'CSV、XLSX、JSON 或 JSON Lines（UTF-8 或 GBK）。常见的中文表头（如 成果名称、成果简介、需求名称、公开(公告)号）会自动识别；同一文件重复导入不会产生重复记录。',
      h('br'), 'CSV, XLSX, JSON or JSON Lines (UTF-8 or GBK). Common Chinese headers are recognised; importing the same file twice changes nothing.'),
    h('div', { class: 'row' },
      h('label', {}, '类型 kind', kind),
      staff() ? h('label', {}, '所属机构 organisation', org) : null,
      h('label', {}, '文件 file', h('input', { name: 'file', type: 'file', required: true, accept: '.csv,.xlsx,.json,.jsonl,.txt' })),
      h('button', { type: 'submit' }, '导入 Import'),
      action('下载模板 Template', { class: 'plain', id: 'template' }, () => download(`/v1/imports/template?kind=${kind.value}`, `template-${kind.value}.csv`))),
    h('p', {}, required),
    h('details', {}, h('summary', { class: 'muted' }, '列名不同？指定映射 Different headers? Map them'),
      h('label', {}, '字段=列名，逗号或换行分隔（如 title=项目名称，summary=项目介绍） field=column pairs',
        h('textarea', { name: 'map', rows: 2, cols: 60, maxlength: 2000 }))))
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const data = new FormData(form)
    if (!staff() || !data.get('org_id')) data.delete('org_id')
    if (!String(data.get('map') ?? '').trim()) data.delete('map')
    const button = form.querySelector('button[type=submit]')
    button.disabled = true
    try {
      const r = await api('/v1/imports', { method: 'POST', form: data })
      if (!form.isConnected) return // the person has moved on: no redraw over another page
      show(`已接收，导入中… Accepted: ${r.filename}`)
      location.hash = `imports/${r.id}`
    } catch (err) {
      fail(err)
      button.disabled = false
    }
  })
  // staff see every organisation's imports: say whose
  const orgName = new Map(orgs.map((o) => [o.id, o.name]))
  const rows = recent.items.map((x) => h('tr', {},
    h('td', {}, h('a', { href: `#imports/${x.id}` }, x.filename)), staff() ? h('td', {}, orgName.get(x.org_id) ?? '') : null, h('td', {}, KIND_LABEL[x.kind] ?? x.kind), h('td', {}, STATUS[x.status] ?? x.status),
    h('td', {}, String(x.rows_inserted + x.rows_updated)), h('td', {}, String(x.rows_rejected)), h('td', {}, utcMinute(x.created_at))))
  main.replaceChildren(...[
    h('h2', {}, '批量导入 Imports'),
    kinds.length ? form : null,
    h('div', { class: 'card' }, h('h3', {}, '最近的导入 Recent imports'),
      table('import-list', ['文件', ...(staff() ? ['机构'] : []), '类型', '状态', '导入行', '拒绝行', '时间 (UTC)'], rows, '还没有导入 / None yet')),
  ].filter(Boolean))
}

/** Organisations a staff member may import for (the first 500). */
async function allOrgs() {
  const out = []
  let cursor = ''
  for (let i = 0; i < 5; i++) {
    const r = await api(`/v1/orgs?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    out.push(...r.items)
    if (!r.next_cursor) break
    cursor = r.next_cursor
  }
  return out
}

async function showImport(id) {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  let x = await api(`/v1/imports/${id}`)
  const status = h('p', { id: 'import-status' })
  const errors = h('div', { id: 'import-errors' })
  main.replaceChildren(
    h('p', {}, h('a', { href: '#imports' }, '← 导入列表 All imports')),
    h('div', { class: 'card' }, h('h2', {}, x.filename), h('p', { class: 'muted' }, `${KIND_LABEL[x.kind] ?? x.kind} · ${x.format}${x.encoding ? ` · ${x.encoding}` : ''}`), status),
    h('div', { class: 'card' }, h('h3', {}, '被拒绝的行 Rejected rows'), errors))
  const running = () => x.status === 'queued' || x.status === 'running'
  const draw = async () => {
    // h() drops the absent parts (replaceChildren would print "null")
    status.replaceChildren(h('span', {}, h('span', { class: `status ${x.status}` }, STATUS[x.status] ?? x.status), ` · ${counts(x)}`,
      x.error ? h('span', { class: 'error-text' }, ` · ${x.error}`) : null,
      x.needs_rematched !== null && x.status === 'completed' ? h('span', { class: 'muted' }, ` · 已重新匹配 ${x.needs_rematched} 项开放需求 open needs re-matched`) : null))
    if (running()) {
      errors.replaceChildren(h('p', { class: 'muted' }, '导入结束后显示。 Shown once the import has finished.'))
      return
    }
    // batches commit one by one: a failed import may have written rows and rejected others before it stopped
    const note = x.status === 'failed' ? h('p', { class: 'muted' }, '导入中途失败：此前的批次已写入，可修正后重新导入同一文件（不会重复）。 The import stopped part way: earlier batches were written; fix the file and import it again (nothing is duplicated).') : null
    if (!x.rows_rejected) {
      errors.replaceChildren(...[note, h('p', { class: 'muted' }, '没有被拒绝的行 / No rows were rejected')].filter(Boolean))
      return
    }
    // one entry per field of a rejected line: ask for one more than shown to know whether the list is cut
    const r = await api(`/v1/imports/${id}/errors?limit=201`)
    const shown = r.items.slice(0, 200)
    errors.replaceChildren(...[note,
      h('p', {}, action('下载全部 CSV Download all', { class: 'plain', id: 'errors-csv' }, () => download(`/v1/imports/${id}/errors?format=csv&limit=100000`, `import-${id}-errors.csv`)),
        r.items.length > shown.length ? h('span', { class: 'muted' }, ` 此处只显示前 ${shown.length} 条 / the first ${shown.length} shown`) : null),
      table('rejected', ['行 line', '字段 field', '原因 reason'], shown.map((e) => h('tr', {}, h('td', {}, String(e.line)), h('td', {}, e.field), h('td', {}, e.reason)))),
    ].filter(Boolean))
  }
  await draw()
  // poll while it runs (and a little longer for the re-match count); stop when the person has left this page
  const here = () => main.isConnected && main.contains(status)
  let wait = 0
  for (let i = 0; i < 600 && (running() || (x.needs_rematched === null && x.status === 'completed' && wait++ < 30)); i++) {
    const was = x.status
    await new Promise((r) => setTimeout(r, 1000))
    if (!here()) return
    x = await api(`/v1/imports/${id}`)
    if (!here()) return
    await draw()
    if (was !== x.status && x.status === 'completed') show(`导入完成 Finished：${counts(x)}`)
    if (was !== x.status && x.status === 'failed') show(`导入失败 Failed：${x.error ?? ''}`, 'error')
  }
  if (running() && here()) show('导入仍在进行，请稍后刷新本页。 Still running: refresh this page later.')
}
