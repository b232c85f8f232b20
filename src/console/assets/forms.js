// Forms for a need (企业技术需求) and an achievement (科技成果): posting a new one and editing one, with the fields of
// POST/PATCH /v1/needs and /v1/achievements. Money is typed in 万元 and sent in 元; an edit sends only what changed
// (a cleared field as null). Every check that matters stays in the API: its errors come back per field.
import { api, fail, h, show, touched } from './core.js'

const MODES = [['transfer', '转让'], ['license', '许可'], ['equity', '作价投资'], ['co_development', '合作开发'], ['service', '技术服务'], ['other', '其他']]
const MATURITY = [['', '—'], ['lab', '实验室'], ['small_pilot', '小试'], ['pilot', '中试'], ['industrial', '产业化']]

/** Field specs: [field, label, type, options]. Types: text, area, money (万元), date, int, select, modes, words, lines, indicators. */
const SPECS = {
  needs: [
    ['title', '需求名称 Title', 'text', { required: true, maxlength: 200 }],
    ['description', '需求描述 Description（问题、现状、希望达到的效果）', 'area', { rows: 6, maxlength: 20000 }],
    ['indicators', '技术指标 Indicators', 'indicators'],
    ['industry', '行业 Industry', 'text', { maxlength: 100, placeholder: '如 新能源-储能' }],
    ['region', '地区 Region', 'text', { maxlength: 50, placeholder: '江苏' }],
    ['budget_min', '预算下限（万元）Budget from', 'money'],
    ['budget_max', '预算上限（万元）Budget to', 'money'],
    ['deadline', '截止日期 Deadline', 'date'],
    ['cooperation_modes', '合作方式 Cooperation', 'modes'],
    ['maturity_min', '最低成熟度 Least maturity', 'select', MATURITY],
    ['visibility', '公开范围 Visibility', 'select', [['platform', '平台内（不含其他企业）platform'], ['public', '公开 public'], ['private', '私有（仅本企业与技术经理人）private']]],
    ['status', '状态 Status', 'select', [['open', '征集中 open'], ['draft', '草稿 draft'], ['closed', '已关闭 closed']]],
  ],
  achievements: [
    ['title', '成果名称 Title', 'text', { required: true, maxlength: 200 }],
    ['summary', '成果简介 Summary（解决什么问题、技术指标、应用场景）', 'area', { rows: 6, maxlength: 20000 }],
    ['field', '技术领域 Field', 'text', { maxlength: 100, placeholder: '如 新能源-储能' }],
    ['industry', '所属行业 Industry', 'text', { maxlength: 100 }],
    ['keywords', '关键词 Keywords（逗号或顿号分隔）', 'words'],
    ['maturity', '成熟度 Maturity', 'select', MATURITY],
    ['trl', 'TRL（1-9）', 'int', { min: 1, max: 9 }],
    ['transfer_modes', '转化方式 Transfer modes', 'modes'],
    ['price_min', '价格下限（万元）Price from', 'money'],
    ['price_max', '价格上限（万元）Price to', 'money'],
    ['team', '团队 Team', 'area', { rows: 2, maxlength: 500 }],
    ['region', '地区 Region', 'text', { maxlength: 50, placeholder: '江苏' }],
    ['patent_numbers', '关联专利公开号 Patents（每行一个）', 'lines'],
    ['status', '状态 Status', 'select', [['active', '已发布 active'], ['draft', '草稿（仅本单位与技术经理人可见）draft'], ['archived', '已下架 archived']]],
  ],
}

// a keyword may hold a space ("machine learning"): only the separators the form shows split it
const split = (s) => s.split(/[,，、;；]+/).map((x) => x.trim()).filter(Boolean)
/** One control for a field; `read()` gives the API value back. */
function control([field, label, type, opt = {}], value) {
  if (type === 'indicators') {
    const tbody = h('tbody', {})
    const row = (i = {}) => {
      const cell = (k, size, max, name) => h('td', {}, h('input', { 'data-k': k, value: i[k] ?? '', size, maxlength: max, 'aria-label': name }))
      const tr = h('tr', {}, cell('name', 16, 100, '指标 name'), cell('target', 10, 100, '目标值 target'), cell('unit', 8, 30, '单位 unit'),
        h('td', {}, h('button', { type: 'button', class: 'plain', 'aria-label': `删除指标 ${i.name ?? ''}`, onclick: () => { tr.remove(); moved = true } }, '删除')))
      return tr
    }
    tbody.append(...(value ?? []).map(row))
    // a row added or removed counts as a change, like an edited cell
    let moved = false
    const el = h('fieldset', { 'data-field': field }, h('legend', {}, label),
      h('table', { class: 'indicators' }, h('thead', {}, h('tr', {}, ['指标 name', '目标值 target', '单位 unit', ''].map((x) => h('th', {}, x)))), tbody),
      h('button', { type: 'button', class: 'plain add-indicator', onclick: () => { tbody.append(row()); moved = true } }, '＋ 添加指标 Add'))
    const read = () => [...tbody.querySelectorAll('tr')].map((tr) => {
      const get = (k) => tr.querySelector(`[data-k=${k}]`).value.trim()
      return { name: get('name'), target: get('target') || null, unit: get('unit') || null }
    }).filter((i) => i.name)
    return { el, read, dirty: () => moved || touched(el) }
  }
  if (type === 'modes') {
    const boxes = MODES.map(([v, l]) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: v, checked: (value ?? []).includes(v) }), l))
    const el = h('fieldset', { 'data-field': field }, h('legend', {}, label), boxes)
    return { el, read: () => boxes.map((b) => b.firstChild).filter((b) => b.checked).map((b) => b.value), dirty: () => touched(el) }
  }
  if (type === 'select') {
    const sel = h('select', { name: field }, opt.map(([v, l]) => h('option', { value: v, selected: (value ?? '') === v }, l)))
    const el = h('label', {}, label, sel)
    return { el, read: () => sel.value || null, dirty: () => touched(el) }
  }
  if (type === 'area' || type === 'lines') {
    const ta = h('textarea', { name: field, rows: opt.rows ?? 3, cols: 80, maxlength: opt.maxlength }, type === 'lines' ? (value ?? []).join('\n') : value ?? '')
    const el = h('label', { class: 'wide' }, label, ta)
    return { el, read: () => (type === 'lines' ? ta.value.split('\n').map((x) => x.trim()).filter(Boolean) : ta.value.trim()), dirty: () => touched(el) }
  }
  const attrs = { name: field, ...opt }
  let shown = value ?? ''
  if (type === 'money') Object.assign(attrs, { type: 'number', min: 0, step: 'any', size: 10 }), (shown = value == null ? '' : String(value / 1e4))
  if (type === 'date') attrs.type = 'date'
  if (type === 'int') attrs.type = 'number'
  if (type === 'words') shown = (value ?? []).join('，')
  const input = h('input', { ...attrs, value: shown })
  const read = () => {
    const s = input.value.trim()
    if (type === 'words') return split(s)
    if (!s) return type === 'text' && field === 'title' ? '' : null
    if (type === 'money') return Math.round(Number(s) * 1e6) / 100 // 万元 -> 元, to the fen
    if (type === 'int') return Number(s)
    return s
  }
  const el = h('label', { class: field === 'title' ? 'wide' : null }, label, input)
  return { el, read, dirty: () => touched(el) }
}

/**
 * A form that posts a new item of `kind` ('needs' | 'achievements') or, given `current`, edits it. `done(item)` runs
 * after a save.
 */
export function itemForm(kind, current, done) {
  const specs = SPECS[kind]
  const controls = specs.map((s) => ({ field: s[0], ...control(s, current ? current[s[0]] : s[2] === 'select' ? s[3][0][0] || null : undefined) }))
  const submit = h('button', { type: 'submit' }, current ? '保存 Save' : '发布 Post')
  const form = h('form', { class: 'card item-form', id: `${kind}-form` }, h('h3', {}, current ? '编辑 Edit' : kind === 'needs' ? '发布需求 Post a need' : '登记成果 Register an achievement'),
    h('div', { class: 'row' }, controls.map((c) => c.el)), submit)
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const values = Object.fromEntries(controls.map((c) => [c.field, c.read()]))
    const body = current
      ? Object.fromEntries(controls.filter((c) => c.dirty()).map((c) => [c.field, values[c.field]]))
      : Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null))
    if (current && !Object.keys(body).length) {
      show('没有修改 Nothing changed')
      return
    }
    submit.disabled = true
    try {
      const r = await api(current ? `/v1/${kind}/${current.id}` : `/v1/${kind}`, { method: current ? 'PATCH' : 'POST', json: body })
      if (!form.isConnected) return // the person has moved on: no redraw over another page
      show(current ? '已保存 Saved' : '已发布 Posted')
      await done(r)
    } catch (err) {
      fail(err)
      submit.disabled = false
    }
  })
  return form
}
