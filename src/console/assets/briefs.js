// A challenge brief (企业出题榜单) on its own page: every section editable by the need's enterprise or a manager (each
// save is a new version; a stale one gets the API's 409), the machine draft's provenance and clarity, the versions
// with what changed between them, and the workflow: confirm, publish, then the 榜单 stages. Calls /v1/briefs/{id}/...
import { $, action, api, download, fail, h, session, show, staff, table, touched, utcMinute } from './core.js'

export const BRIEF_STATUS = { drafting: '起草中', draft: '草稿', edited: '已编辑', confirmed: '已确认', published: '已发布', failed: '起草失败' }
const STAGES = [['published', '已发布'], ['awaiting', '待揭榜'], ['in_progress', '攻关中'], ['acceptance', '验收中'], ['closed', '已结束']]
const WRITER = { template: '模板 template', model: '模型 model', person: '人工 person' }
const BASIS = ['需求原文', '建议值', '待确认', '人工填写']
/** Text sections: field, label, length limit (as the API's), rows. */
const TEXTS = [
  ['title', '榜单名称 Title', 200, 1], ['issuer', '发榜单位 Issuer', 200, 1], ['background', '需求背景 Background', 4000, 4],
  ['problem', '技术难题 Problem', 4000, 4], ['cooperation', '合作方式 Cooperation', 500, 2], ['duration', '研发周期 Duration', 300, 1],
  ['budget', '投入经费/榜单金额 Budget', 300, 1], ['ip', '知识产权归属 IP', 1000, 2], ['acceptance', '验收标准 Acceptance', 2000, 3],
]
/** List sections, one item a line. */
const LISTS = [['constraints', '约束条件 Constraints'], ['deliverables', '预期成果形式 Deliverables'], ['open_questions', '待补充信息 Open questions'], ['keywords', '关键词 Keywords']]
const SOLVER = [['entity_types', '主体类型 Who may solve', 300], ['team', '团队要求 Team', 500], ['prior_results', '前期成果 Prior results', 500]]
const EDITABLE = ['draft', 'edited', 'confirmed']
/** Section names for messages: the Chinese half of each label. */
const LABEL = { ...Object.fromEntries([...TEXTS, ...LISTS].map(([f, l]) => [f, l.split(' ')[0]])), indicators: '主要技术指标', solver_requirements: '揭榜方要求' }

const lines = (s) => s.split('\n').map((x) => x.trim()).filter(Boolean)
/** A value of a diff, as one line of text. */
const flat = (v) => (v === null || v === undefined ? '' : Array.isArray(v) ? v.map(flat).join('；') : typeof v === 'object' ? Object.values(v).filter((x) => x !== '').map(flat).join(' ') : String(v))

export async function showBrief(id) {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  const [b, versions] = await Promise.all([api(`/v1/briefs/${id}`), api(`/v1/briefs/${id}/versions`)])
  const need = await api(`/v1/needs/${b.need_id}`)
  const reload = () => showBrief(id)
  const c = b.content
  // who may write it (the API's rule): the need's enterprise, or a manager; others read
  const writer = staff() || need.org_id === session.me.org_id
  const editable = writer && c && EDITABLE.includes(b.status)
  const stage = STAGES.findIndex(([s]) => s === b.stage)
  const next = stage >= 0 ? STAGES[stage + 1] : undefined

  const facts = h('p', { class: 'muted' },
    `${BRIEF_STATUS[b.status] ?? b.status} v${b.version}`, b.stage_label ? ` · 榜单阶段 ${b.stage_label}` : '',
    b.confirmed_version ? ` · 已确认 v${b.confirmed_version}` : '',
    b.writer ? ` · ${WRITER[b.writer] ?? b.writer}${b.model ? ` ${b.model}` : ''}${b.prompt_version ? ` · prompt ${b.prompt_version}` : ''}` : '')
  const clarity = b.clarity ? h('div', { id: 'clarity' },
    h('p', {}, h('strong', {}, `清晰度 Clarity ${b.clarity.score}/100`), b.clarity.missing.length ? `：待补充 ${b.clarity.missing.join('、')}` : '：要素齐全')) : null
  const actions = h('div', { class: 'row' },
    writer && (b.status === 'draft' || b.status === 'edited') ? action(`确认 v${b.version} Confirm`, { id: 'confirm-brief' }, async () => {
      await api(`/v1/briefs/${id}/confirm`, { method: 'POST', json: { version: b.version } })
      show(`已确认 v${b.version} Confirmed`)
    }, reload) : null,
    writer && b.status === 'confirmed' ? action('发布 Publish', { id: 'publish-brief' }, async () => {
      await api(`/v1/briefs/${id}/publish`, { method: 'POST' })
      show('已发布 Published')
    }, reload) : null,
    writer && next ? action(`进入「${next[1]}」 Next stage`, { id: 'next-stage' }, async () => {
      await api(`/v1/briefs/${id}/stage`, { method: 'POST', json: { stage: next[0] } })
      show(`榜单进入「${next[1]}」`)
    }, reload) : null,
    c ? ['html', 'md'].map((f) => action(`导出 ${f.toUpperCase()}`, { class: 'plain' }, () => download(`/v1/briefs/${id}/export?format=${f}`, `brief-${id}.${f}`))) : null)

  main.replaceChildren(...[
    h('p', {}, h('a', { href: `#needs/${b.need_id}` }, '← 返回需求 Back to the need')),
    h('div', { class: 'card' }, h('h2', {}, c?.title ?? '（起草中 drafting）'), facts, clarity, actions,
      b.failure ? h('p', { class: 'error-text' }, b.failure) : null),
    c ? editor(b, editable, reload) : null,
    h('div', { class: 'card' }, h('h3', {}, '版本 Versions'), versionTable(id, versions.items)),
  ].filter(Boolean))
}

/**
 * The sections as a form (read-only unless the brief may be edited). A save sends the sections a person touched, as
 * they now read; an indicator whose name, target or unit was changed becomes 人工填写 and drops the need's quote (it
 * no longer says what the need said), unless its source was chosen by hand.
 */
function editor(b, editable, reload) {
  const c = b.content
  const ro = !editable
  const fields = new Map() // section -> its element, for touched()
  const keep = (f, el) => (fields.set(f, el), el)
  const text = ([f, label, max, rows]) => keep(f, h('label', { class: 'wide' }, label, rows > 1
    ? h('textarea', { name: f, rows, maxlength: max, readonly: ro, required: f === 'title' }, c[f] ?? '')
    : h('input', { name: f, maxlength: max, readonly: ro, required: f === 'title', value: c[f] ?? '' })))
  const list = ([f, label]) => keep(f, h('label', { class: 'wide' }, `${label}（每行一项 one a line）`, h('textarea', { name: f, rows: Math.max(2, (c[f] ?? []).length + 1), readonly: ro }, (c[f] ?? []).join('\n'))))
  const tbody = h('tbody', {})
  const original = new Map() // row -> the stored indicator it shows
  let moved = false
  const indicatorRow = (i) => {
    const cell = (k, name, attrs) => h('td', {}, h('input', { 'data-k': k, value: i?.[k] ?? '', readonly: ro, 'aria-label': name, ...attrs }))
    const tr = h('tr', {}, cell('name', '指标 name', { maxlength: 80, size: 14 }), cell('target', '目标值 target', { maxlength: 60, size: 8 }), cell('unit', '单位 unit', { maxlength: 30, size: 5 }),
      cell('method', '测试或验收方法 method', { maxlength: 300, size: 24 }),
      h('td', {}, h('select', { 'data-k': 'basis', disabled: ro, 'aria-label': '目标值来源 source' }, BASIS.map((x) => h('option', { value: x, selected: x === (i?.basis ?? '人工填写') }, x)))),
      h('td', {}, ro ? null : h('button', { type: 'button', class: 'plain', 'aria-label': `删除指标 ${i?.name ?? ''}`, onclick: () => { tr.remove(); moved = true } }, '删除')))
    if (i) original.set(tr, i)
    return tr
  }
  tbody.append(...c.indicators.map(indicatorRow))
  const readIndicator = (tr) => {
    const i = original.get(tr)
    if (i && !touched(tr)) return i
    const get = (k) => tr.querySelector(`[data-k=${k}]`).value.trim()
    const basisSel = tr.querySelector('[data-k=basis]')
    const now = { name: get('name'), target: get('target'), unit: get('unit'), method: get('method') || '待确认', basis: basisSel.value }
    const restated = !i || ['name', 'target', 'unit'].some((k) => now[k] !== (i[k] ?? ''))
    if (!restated) return i.quote ? { ...now, quote: i.quote } : now
    return { ...now, basis: touched(basisSel.parentElement) ? now.basis : '人工填写' }
  }
  const indicators = h('fieldset', {}, h('legend', {}, '主要技术指标 Indicators'),
    h('table', { id: 'indicators' }, h('thead', {}, h('tr', {}, ['指标', '目标值', '单位', '测试或验收方法', '来源', ''].map((x) => h('th', {}, x)))), tbody),
    ro ? null : h('button', { type: 'button', class: 'plain', id: 'add-indicator', onclick: () => { tbody.append(indicatorRow()); moved = true } }, '＋ 添加指标 Add'))
  const solver = h('fieldset', {}, h('legend', {}, '揭榜方要求 Solver requirements'),
    SOLVER.map(([f, label, max]) => h('label', { class: 'wide' }, label, h('textarea', { name: `solver.${f}`, rows: 2, maxlength: max, readonly: ro }, c.solver_requirements[f] ?? ''))))
  const save = b.status === 'confirmed' ? `保存为 v${b.version + 1}（需重新确认）Save — confirm again after` : `保存为 v${b.version + 1} Save`
  const form = h('form', { class: 'card', id: 'brief-form' },
    h('h3', {}, editable ? '编辑榜单 Edit（保存为新版本 each save is a new version）' : '榜单内容 Content'),
    TEXTS.slice(0, 4).map(text), indicators, TEXTS.slice(4).map(text), LISTS.map(list), solver,
    c.references.length ? h('div', {}, h('h4', {}, '参考方向 References'), h('ul', {}, c.references.map((r) => h('li', {}, r.title, r.note ? h('span', { class: 'muted' }, ` ${r.note}`) : null)))) : null,
    editable ? h('button', { type: 'submit', id: 'save-brief' }, save) : null)
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const v = (n) => form.elements.namedItem(n).value
    // in the order the brief is read (the save message lists the changed sections so)
    const changed = {}
    for (const [f] of TEXTS.slice(0, 4)) if (touched(fields.get(f))) changed[f] = v(f).trim()
    if (moved || touched(indicators)) changed.indicators = [...tbody.querySelectorAll('tr')].map(readIndicator).filter((i) => i.name)
    for (const [f] of TEXTS.slice(4)) if (touched(fields.get(f))) changed[f] = v(f).trim()
    for (const [f] of LISTS) if (touched(fields.get(f))) changed[f] = lines(v(f))
    if (touched(solver)) changed.solver_requirements = Object.fromEntries(SOLVER.map(([f]) => [f, v(`solver.${f}`).trim()]))
    if (!Object.keys(changed).length) {
      show('没有修改 Nothing changed')
      return
    }
    const button = form.querySelector('#save-brief')
    button.disabled = true
    try {
      const r = await api(`/v1/briefs/${b.id}`, { method: 'PATCH', json: { base_version: b.version, content: changed } })
      if (!form.isConnected) return // the person has moved on: no redraw over another page
      show(`已保存为 v${r.version} Saved：${Object.keys(changed).map((k) => LABEL[k] ?? k).join('、')}`)
      await reload()
    } catch (err) {
      fail(err)
      button.disabled = false
    }
  })
  return form
}

function versionTable(id, items) {
  const panel = h('div', { id: 'diff' })
  const compare = (from, to) => action(`对比 v${from}→v${to}`, { class: 'plain', 'aria-label': `对比 v${from} v${to}` }, async () => {
    const d = await api(`/v1/briefs/${id}/diff?from=${from}&to=${to}`)
    panel.replaceChildren(h('h4', {}, `v${from} → v${to}：清晰度 ${d.clarity.from} → ${d.clarity.to}`),
      table('diff-table', ['内容 section', '之前 before', '之后 after'], d.changes.map((ch) => h('tr', {}, h('td', {}, ch.label),
        ch.items ? h('td', { colspan: 2 }, ch.items.length ? ch.items.map((i) => h('div', {}, `${{ added: '新增', removed: '删除', changed: '修改' }[i.change] ?? i.change}「${i.name}」：`,
          i.before ? h('span', { class: 'before' }, flat(i.before)) : null, i.before && i.after ? ' → ' : null, i.after ? flat(i.after) : null)) : '顺序调整 reordered')
          : [h('td', { class: 'before' }, flat(ch.before)), h('td', {}, flat(ch.after))])),
      '两版内容相同 / no differences'))
  })
  const rows = items.map((v, i) => h('tr', {}, h('td', {}, `v${v.version}`), h('td', {}, WRITER[v.writer] ?? v.writer), h('td', {}, v.model ?? ''), h('td', {}, v.prompt_version ?? ''),
    h('td', {}, String(v.clarity_score)), h('td', {}, utcMinute(v.created_at)), h('td', { class: 'actions' }, i > 0 ? compare(items[i - 1].version, v.version) : null)))
  return h('div', {}, table('versions', ['版本', '撰写', '模型', '提示词版本', '清晰度', '时间 (UTC)', ''], rows), panel)
}
