// The console: a thin client of the /v1 API, making the same calls as the README's curl examples with the key the
// person pasted (kept in this tab's sessionStorage only). Every text that comes from the API is set as text
// (textContent / text nodes), never parsed as HTML; the page's CSP allows only this origin's script and style.
const KEY = 'tt-console-key'
const REASONS = ['技术方向不符', '成熟度不足', '价格或预算不符', '地域或合作方式不符', '已有合作', '其他']
const ROLE_LABEL = { admin: '管理员 admin', manager: '技术经理人 manager', organizer: '路演组织者 organizer', enterprise: '企业 enterprise', university: '高校/院所 university' }
const MATURITY = [['', '不限 any'], ['lab', '实验室'], ['small_pilot', '小试'], ['pilot', '中试'], ['industrial', '产业化']]
const TABS = { review: ['manager', 'admin'], roadshows: ['organizer', 'manager', 'admin'] }

const $ = (sel) => document.querySelector(sel)
let me = null

/** An element with attributes, listeners (onclick, onsubmit, ...) and children; strings become text nodes. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c))
  return el
}

class ApiError extends Error {
  constructor(title, errors) {
    super(title)
    this.errors = errors
  }
}

async function api(path, { method = 'GET', json, raw = false } = {}) {
  const headers = { authorization: `Bearer ${sessionStorage.getItem(KEY) ?? ''}` }
  if (json !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) })
  if (res.status === 401) {
    signOut()
    throw new ApiError('密钥无效或已撤销 / The key is not valid', [])
  }
  if (raw && res.ok) return res
  const body = (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : { title: await res.text() }
  if (!res.ok) throw new ApiError(body.title ?? `HTTP ${res.status}`, body.errors ?? [])
  return body
}

function show(text, kind = 'ok') {
  $('#message').replaceChildren(h('div', { class: kind }, text))
}
function fail(err) {
  const fields = (err.errors ?? []).map((e) => `${e.field}: ${e.message}`)
  show([err.message, ...fields].join('；'), 'error')
}

// ---- sign in ----

function signOut() {
  sessionStorage.removeItem(KEY)
  me = null
  location.hash = ''
  renderShell()
}

async function signIn(key) {
  sessionStorage.setItem(KEY, key)
  try {
    me = await api('/v1/me')
    $('#message').replaceChildren()
    route()
  } catch (err) {
    sessionStorage.removeItem(KEY)
    fail(err)
  }
}

function renderShell() {
  const tabs = $('#tabs')
  if (!me) {
    tabs.hidden = true
    $('#who').replaceChildren()
    const form = h('form', { id: 'signin', class: 'card' },
      h('h2', {}, '登录 Sign in'),
      h('p', {}, '粘贴你的 API 密钥；它只保存在本标签页，关闭即退出。', h('br'), 'Paste your API key; it stays in this tab and is gone when you close it.'),
      h('label', {}, 'API 密钥 key', h('input', { id: 'key', type: 'password', autocomplete: 'off', required: true, maxlength: 200 })),
      h('button', { type: 'submit' }, '登录 Sign in'))
    form.addEventListener('submit', (e) => {
      e.preventDefault()
      void signIn($('#key').value.trim())
    })
    $('#main').replaceChildren(form)
    return
  }
  tabs.hidden = false
  for (const b of tabs.querySelectorAll('button')) b.hidden = !TABS[b.dataset.tab].includes(me.role)
  $('#who').replaceChildren(ROLE_LABEL[me.role] ?? me.role, h('button', { type: 'button', class: 'plain', onclick: signOut }, '退出 Sign out'))
}

// ---- routing: #review, #roadshows, #roadshows/<id> ----

function route() {
  renderShell()
  if (!me) return
  const [tab, raw] = location.hash.slice(1).split('/')
  // only an id goes into an API path
  const id = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw ?? '') ? raw : undefined
  const allowed = Object.keys(TABS).filter((t) => TABS[t].includes(me.role))
  const current = allowed.includes(tab) ? tab : allowed[0]
  for (const b of $('#tabs').querySelectorAll('button')) b.toggleAttribute('aria-current', b.dataset.tab === current)
  if (current) $('#tabs').querySelector(`[data-tab=${current}]`).setAttribute('aria-current', 'page')
  const main = $('#main')
  if (!current) {
    main.replaceChildren(h('div', { class: 'card' }, '此角色的工作台页面尚未提供，请使用 API（/docs）。 Pages for this role are not built yet; use the API (/docs).'))
    return
  }
  main.replaceChildren(h('p', { class: 'muted' }, '加载中… Loading…'))
  const view = current === 'review' ? showReview() : id ? showRoadshow(id) : showRoadshows()
  view.catch(fail)
}

// ---- review queue ----

async function showReview() {
  const r = await api('/v1/matches?state=suggested&new=true&limit=20')
  const list = h('div', { id: 'queue' })
  if (!r.items.length) list.append(h('p', { class: 'card' }, '没有待审核的新建议 / Nothing new to review'))
  for (const m of r.items) list.append(reviewCard(m))
  $('#main').replaceChildren(
    h('h2', {}, '审核队列 Review queue'),
    h('p', { class: 'muted' }, '新的匹配建议，强者在前；经确认后需求方企业才能看到。 New suggestions, strongest first; the enterprise sees a match only once confirmed.'),
    list)
}

function reviewCard(m) {
  const reason = h('select', { 'aria-label': '驳回原因 reason' }, REASONS.map((r) => h('option', { value: r }, r)))
  const note = h('input', { placeholder: '备注 note（可选）', maxlength: 2000, 'aria-label': '备注 note' })
  const card = h('article', { class: 'card review', 'data-match': m.id },
    h('h3', {}, m.need_title, ' → ', m.item_title ?? '（不可见 not visible）'),
    h('p', {}, h('span', { class: `band ${m.band ?? ''}` }, m.band ?? '—'),
      `强度 strength ${m.strength ?? '—'} · ${m.item_kind === 'patent' ? '专利 patent' : '成果 achievement'} · ${m.item_org_name ?? ''}`),
    h('p', { class: 'muted' }, m.explanation.summary),
    m.snippet ? h('p', {}, m.snippet) : null,
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'confirm', onclick: () => decide('confirmed') }, '确认 Confirm'), ' ',
      reason, ' ', note, ' ',
      h('button', { type: 'button', class: 'danger reject', onclick: () => decide('rejected') }, '驳回 Reject')))
  async function decide(decision) {
    const body = { decision }
    if (decision === 'rejected') body.reason_code = reason.value
    if (note.value.trim()) body.note = note.value.trim()
    try {
      await api(`/v1/matches/${m.id}/review`, { method: 'POST', json: body })
      card.remove()
      show(decision === 'confirmed' ? `已确认 Confirmed：${m.item_title ?? ''}` : `已驳回 Rejected（${body.reason_code}）：${m.item_title ?? ''}`)
    } catch (err) {
      fail(err)
    }
  }
  return card
}

// ---- roadshows ----

async function showRoadshows() {
  const r = await api('/v1/roadshows')
  const rows = r.items.map((x) => h('tr', {},
    h('td', {}, h('a', { href: `#roadshows/${x.id}` }, x.title)), h('td', {}, x.kind_label),
    h('td', {}, h('span', { class: `status ${x.status}` }, x.status === 'confirmed' ? '已确认' : '草稿'), ` v${x.version}`),
    h('td', {}, x.created_at.slice(0, 10))))
  $('#main').replaceChildren(
    h('h2', {}, '路演 Roadshows'),
    newRoadshowForm(),
    h('div', { class: 'card' }, h('h3', {}, '已有路演 Existing'),
      rows.length ? h('table', { id: 'roadshow-list' }, h('thead', {}, h('tr', {}, ['名称', '类型', '状态', '创建'].map((t) => h('th', {}, t)))), h('tbody', {}, rows)) : h('p', { class: 'muted' }, '还没有路演 / None yet')))
}

function newRoadshowForm() {
  const f = (name, label, attrs = {}) => h('label', {}, label, h('input', { name, ...attrs }))
  const form = h('form', { class: 'card', id: 'new-roadshow' },
    h('h3', {}, '新建路演 New roadshow'),
    h('div', { class: 'row' },
      f('title', '活动名称 title', { required: true, maxlength: 200, size: 30 }),
      h('label', {}, '类型 kind', h('select', { name: 'kind' }, h('option', { value: 'achievements' }, '成果路演'), h('option', { value: 'reverse' }, '反向路演（企业出题）'))),
      f('industry', '行业/领域 industry', { maxlength: 100 }),
      f('keywords', '关键词 keywords（空格或逗号分隔）', { size: 30 }),
      f('region', '地区 region', { maxlength: 60, size: 8 }),
      h('label', {}, '最低成熟度 min maturity', h('select', { name: 'min_maturity' }, MATURITY.map(([v, l]) => h('option', { value: v }, l))))),
    h('div', { class: 'row' },
      f('size', '场次 size', { type: 'number', min: 1, max: 60, value: 10 }),
      f('per_org_max', '每单位上限 per organisation', { type: 'number', min: 1, max: 60, placeholder: '默认 size/5' }),
      f('pitch', '路演 pitch（分钟）', { type: 'number', min: 1, max: 60, value: 8 }),
      f('qa', '问答 Q&A（分钟）', { type: 'number', min: 0, max: 60, value: 7 }),
      f('starts_at', '开始时间 start', { type: 'datetime-local' }),
      h('button', { type: 'submit' }, '生成短名单 Suggest')))
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const v = Object.fromEntries(new FormData(form))
    const num = (s) => (s === '' ? undefined : Number(s))
    const body = {
      title: v.title, kind: v.kind, size: num(v.size), per_org_max: num(v.per_org_max), slot: { pitch: num(v.pitch), qa: num(v.qa) },
      theme: { keywords: v.keywords.split(/[\s,，、;；]+/).filter(Boolean), industry: v.industry.trim() || undefined, region: v.region.trim() || undefined, min_maturity: v.min_maturity || undefined },
      starts_at: v.starts_at ? new Date(v.starts_at).toISOString() : undefined,
    }
    try {
      const r = await api('/v1/roadshows', { method: 'POST', json: body })
      show(`已生成 ${r.entries.length} 项 Suggested ${r.entries.length}`)
      location.hash = `roadshows/${r.id}`
    } catch (err) {
      fail(err)
    }
  })
  return form
}

const time = (s) => (s ? new Date(s).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' }) : '')

async function showRoadshow(id) {
  const rs = await api(`/v1/roadshows/${id}`)
  // fetched once: each edit below redraws at once from local state, in the order the clicks came
  const results = rs.status === 'confirmed' ? await api(`/v1/roadshows/${id}/results`) : null
  let programme = [...rs.entries]
  let alternates = [...rs.alternates]
  let dirty = false
  const main = $('#main')

  const move = (i, d) => {
    const j = i + d
    if (j < 0 || j >= programme.length) return
    ;[programme[i], programme[j]] = [programme[j], programme[i]]
    dirty = true
    render()
  }
  const drop = (i) => {
    alternates = [programme[i], ...alternates]
    programme.splice(i, 1)
    dirty = true
    render()
  }
  const add = (i) => {
    programme.push(alternates[i])
    alternates.splice(i, 1)
    dirty = true
    render()
  }
  async function save() {
    try {
      const r = await api(`/v1/roadshows/${id}`, { method: 'PATCH', json: { base_version: rs.version, entries: programme.map((e) => ({ kind: e.kind, id: e.id })) } })
      show(`已保存为 v${r.version} Saved`)
      await showRoadshow(id)
    } catch (err) {
      fail(err)
    }
  }
  async function confirm() {
    try {
      const r = await api(`/v1/roadshows/${id}/confirm`, { method: 'POST', json: { version: rs.version } })
      show(`已确认 v${r.version} Confirmed`)
      await showRoadshow(id)
    } catch (err) {
      fail(err)
    }
  }
  async function download(format) {
    try {
      const res = await api(`/v1/roadshows/${id}/export?format=${format}`, { raw: true })
      const url = URL.createObjectURL(await res.blob())
      const a = h('a', { href: url, download: `roadshow-${id}.${format}` })
      document.body.append(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } catch (err) {
      fail(err)
    }
  }

  const entryCells = (e) => [h('td', {}, e.title, e.available ? null : h('span', { class: 'muted' }, '（已下架 unavailable）')), h('td', {}, e.org_name), h('td', {}, e.field ?? ''), h('td', {}, e.maturity_label ?? ''), h('td', { class: 'muted' }, e.reasons.join('；'))]

  function scores() {
    if (!results) return h('p', { class: 'muted' }, '确认节目单后可录入评委评分。 Scores are recorded once the programme is confirmed.')
    const res = results
    const entry = h('select', { name: 'entry', 'aria-label': '条目 entry' }, rs.entries.map((e) => h('option', { value: `${e.kind}:${e.id}` }, `${e.position}. ${e.title}`)))
    const judge = h('input', { name: 'judge', required: true, maxlength: 60, placeholder: '评委 judge', 'aria-label': '评委 judge' })
    const score = h('input', { name: 'score', type: 'number', required: true, min: 0, max: 100, step: 0.01, placeholder: '0-100', 'aria-label': '分数 score' })
    const form = h('form', { class: 'row', id: 'score-form' }, entry, ' ', judge, ' ', score, ' ', h('button', { type: 'submit' }, '录入 Record'))
    form.addEventListener('submit', async (e) => {
      e.preventDefault()
      const [kind, itemId] = entry.value.split(':')
      try {
        await api(`/v1/roadshows/${id}/scores`, { method: 'POST', json: { kind, id: itemId, judge: judge.value.trim(), score: Number(score.value) } })
        show(`已录入 Recorded：${judge.value.trim()} ${score.value}`)
        await showRoadshow(id)
      } catch (err) {
        fail(err)
      }
    })
    const rows = res.items.map((x) => h('tr', {}, h('td', {}, x.rank ?? '—'), h('td', {}, x.title), h('td', {}, x.org_name), h('td', {}, String(x.judges)),
      h('td', {}, x.trimmed_mean ?? '—'), h('td', {}, x.mean ?? '—'), h('td', { class: 'muted' }, x.dropped ? `去掉 ${x.dropped.highest} / ${x.dropped.lowest}` : '')))
    return h('div', {}, form, h('table', { id: 'results' }, h('thead', {}, h('tr', {}, ['名次', '名称', '单位', '评委数', '去掉最高最低后平均', '平均', ''].map((t) => h('th', {}, t)))), h('tbody', {}, rows)))
  }

  function render() {
    const prog = programme.map((e, i) => h('tr', {},
      h('td', {}, String(i + 1)), h('td', {}, dirty ? '' : `${time(e.starts_at)}${e.ends_at ? `-${time(e.ends_at)}` : ''}`), ...entryCells(e),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'plain', title: '上移 up', 'aria-label': `上移 ${e.title}`, disabled: i === 0, onclick: () => move(i, -1) }, '↑'),
        h('button', { type: 'button', class: 'plain', title: '下移 down', 'aria-label': `下移 ${e.title}`, disabled: i === programme.length - 1, onclick: () => move(i, 1) }, '↓'),
        h('button', { type: 'button', class: 'plain', 'aria-label': `移出 ${e.title}`, onclick: () => drop(i) }, '移出'))))
    const alts = alternates.map((e, i) => h('tr', {}, ...entryCells(e),
      h('td', { class: 'actions' }, h('button', { type: 'button', class: 'plain', 'aria-label': `加入 ${e.title}`, disabled: !e.available, onclick: () => add(i) }, '加入'))))
    const head = (cols) => h('thead', {}, h('tr', {}, cols.map((t) => h('th', {}, t))))
    main.replaceChildren(
      h('p', {}, h('a', { href: '#roadshows' }, '← 路演列表 All roadshows')),
      h('div', { class: 'card' },
        h('h2', {}, rs.title),
        h('p', {}, h('span', { class: `status ${rs.status}` }, rs.status === 'confirmed' ? `已确认 v${rs.version}` : `草稿 v${rs.version}`),
          ` · ${rs.kind_label} · 每场 ${rs.slot.pitch}+${rs.slot.qa} 分钟 · 每单位至多 ${rs.per_org_max} 项`,
          rs.withdrawn ? h('span', { class: 'muted' }, ` · ${rs.withdrawn} 项已撤回，请移出后再确认`) : null),
        h('div', { class: 'row' },
          h('button', { type: 'button', id: 'save', disabled: !dirty, onclick: save }, '保存 Save'), ' ',
          h('button', { type: 'button', id: 'confirm', disabled: dirty || rs.status === 'confirmed', onclick: confirm }, '确认 Confirm'), ' ',
          ...['html', 'csv', 'md'].map((f) => h('button', { type: 'button', class: 'plain', onclick: () => download(f) }, `导出 ${f.toUpperCase()}`)))),
      h('div', { class: 'card' }, h('h3', {}, '节目单 Programme'),
        h('table', { id: 'programme' }, head(['序号', '时间', '名称', '单位', '领域', '成熟度', '推荐理由', '']), h('tbody', {}, prog))),
      h('div', { class: 'card' }, h('h3', {}, '候补 Alternates'),
        alts.length ? h('table', { id: 'alternates' }, head(['名称', '单位', '领域', '成熟度', '理由', '']), h('tbody', {}, alts)) : h('p', { class: 'muted' }, '无 none')),
      h('div', { class: 'card' }, h('h3', {}, '评委评分 Judges\' scores'), scores()))
  }
  render()
}

// ---- start ----

$('#tabs').addEventListener('click', (e) => {
  const tab = e.target.closest('button')?.dataset.tab
  if (tab) location.hash = tab
})
window.addEventListener('hashchange', route)
if (sessionStorage.getItem(KEY)) {
  api('/v1/me').then((r) => {
    me = r
    route()
  }).catch(fail)
} else renderShell()
