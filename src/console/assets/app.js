// The console: a thin client of the /v1 API, making the same calls as the README's curl examples with the key the
// person pasted (kept in this tab's sessionStorage only). Every text that comes from the API is set as text
// (textContent / text nodes), never parsed as HTML; the page's CSP allows only this origin's script and style.
import { $, action, api, download, fail, h, KEY, onUnauthorized, pagedTable, session, show, shownOnce, staff, table, twoStep, utcMinute, waitJob, words } from './core.js'
import { showImports } from './imports.js'
import { showAdmin, showAudit } from './admin.js'
import { BRIEF_STATUS, showBrief } from './briefs.js'
import { itemForm } from './forms.js'

const REASONS = ['技术方向不符', '成熟度不足', '价格或预算不符', '地域或合作方式不符', '已有合作', '其他']
const ROLE_LABEL = { admin: '管理员 admin', manager: '技术经理人 manager', organizer: '路演组织者 organizer', enterprise: '企业 enterprise', university: '高校/院所 university' }
const MATURITY = [['', '不限 any'], ['lab', '实验室'], ['small_pilot', '小试'], ['pilot', '中试'], ['industrial', '产业化']]
const TABS = { achievements: ['university'], patents: ['university'], needs: ['enterprise', 'manager', 'admin'], review: ['manager', 'admin'], roadshows: ['organizer', 'manager', 'admin'], navigation: ['enterprise', 'manager', 'admin', 'organizer'], imports: ['university', 'enterprise', 'manager', 'admin'], admin: ['admin'], audit: ['admin'], briefs: ['enterprise', 'manager', 'admin'] }
/** Pages without a tab of their own, and the tab they belong under. */
const UNDER = { briefs: 'needs' }
const MATCH_STATE = { suggested: '待审核', confirmed: '已确认', rejected: '已驳回' }

// ---- sign in ----

function signOut() {
  sessionStorage.removeItem(KEY)
  session.me = null
  location.hash = ''
  renderShell()
}

async function signIn(key) {
  sessionStorage.setItem(KEY, key)
  try {
    session.me = await api('/v1/me')
    $('#message').replaceChildren()
    route()
  } catch (err) {
    sessionStorage.removeItem(KEY)
    fail(err)
  }
}

function renderShell() {
  const tabs = $('#tabs')
  if (!session.me) {
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
  for (const b of tabs.querySelectorAll('button')) b.hidden = !TABS[b.dataset.tab].includes(session.me.role)
  $('#who').replaceChildren(ROLE_LABEL[session.me.role] ?? session.me.role, h('button', { type: 'button', class: 'plain', onclick: signOut }, '退出 Sign out'))
}

// ---- routing: #review, #roadshows, #roadshows/<id> ----

function route() {
  renderShell()
  if (!session.me) return
  const [tab, raw] = location.hash.slice(1).split('/')
  // only an id goes into an API path
  const id = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw ?? '') ? raw : undefined
  const allowed = Object.keys(TABS).filter((t) => TABS[t].includes(session.me.role))
  const current = allowed.includes(tab) ? tab : allowed[0]
  const lit = UNDER[current] ?? current
  for (const b of $('#tabs').querySelectorAll('button')) b.toggleAttribute('aria-current', b.dataset.tab === lit)
  if (lit) $('#tabs').querySelector(`[data-tab=${lit}]`).setAttribute('aria-current', 'page')
  // a fresh page element per navigation: a view still loading for the page before draws into the old, detached one
  const main = h('main', { id: 'main' })
  $('#main').replaceWith(main)
  if (!current) {
    main.replaceChildren(h('div', { class: 'card' }, '此角色的工作台页面尚未提供，请使用 API（/docs）。 Pages for this role are not built yet; use the API (/docs).'))
    return
  }
  main.replaceChildren(h('p', { class: 'muted' }, '加载中… Loading…'))
  const views = {
    achievements: () => (id ? showItem('achievements', id) : showItems('achievements')),
    patents: () => (id ? showItem('patents', id) : showItems('patents')),
    needs: () => (id ? showNeed(id) : showNeeds()),
    review: showReview,
    navigation: showNavigation,
    roadshows: () => (id ? showRoadshow(id) : showRoadshows()),
    imports: () => showImports(id),
    admin: () => showAdmin(id),
    audit: showAudit,
    briefs: () => (id ? showBrief(id) : showNeeds()),
  }
  views[current]().catch((err) => {
    fail(err)
    main.replaceChildren(h('p', { class: 'muted' }, '无法显示此页。 This page could not be shown.'))
  })
}

// ---- review queue ----

async function showReview() {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  const r = await api('/v1/matches?state=suggested&new=true&limit=20')
  const list = h('div', { id: 'queue' })
  if (!r.items.length) list.append(h('p', { class: 'card' }, '没有待审核的新建议 / Nothing new to review'))
  for (const m of r.items) list.append(reviewCard(m))
  main.replaceChildren(
    h('h2', {}, '审核队列 Review queue'),
    h('p', { class: 'muted' }, '新的匹配建议，强者在前；经确认后需求方企业才能看到。 New suggestions, strongest first; the enterprise sees a match only once confirmed.'),
    list)
}

/** A suggestion to confirm or reject; on its need's page (`inNeed`) without the need's title and the item's summary. */
function reviewCard(m, { inNeed = false } = {}) {
  const reason = h('select', { 'aria-label': '驳回原因 reason' }, REASONS.map((r) => h('option', { value: r }, r)))
  const note = h('input', { placeholder: '备注 note（可选）', maxlength: 2000, 'aria-label': '备注 note' })
  const card = h('article', { class: 'card review', 'data-match': m.id },
    h('h3', {}, inNeed ? null : [m.need_title, ' → '], m.item_title ?? '（不可见 not visible）'),
    h('p', {}, h('span', { class: `band ${m.band ?? ''}` }, m.band ?? '—'),
      `强度 strength ${m.strength ?? '—'} · ${m.item_kind === 'patent' ? '专利 patent' : '成果 achievement'} · ${m.item_org_name ?? ''}`),
    h('p', { class: 'muted' }, m.explanation.summary),
    m.snippet && !inNeed ? h('p', {}, m.snippet) : null,
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

// ---- achievements and patents: a university's own, and the needs they were confirmed for ----

const MATURITY_LABEL = Object.fromEntries(MATURITY.filter(([v]) => v))
const STATUS_LABEL = { draft: '草稿', active: '已发布', archived: '已下架' }
const LEGAL_LABEL = { pending: '审中', valid: '有效', invalid: '失效' }
const PATENT_TYPE = { invention: '发明', utility_model: '实用新型', design: '外观设计' }
/** The two kinds of listing a university owns: how each is listed, described and linked. */
const ITEMS = {
  achievements: {
    title: '我的成果 My achievements', back: '← 成果列表 All achievements', cols: ['名称', '状态', '技术领域', '成熟度'],
    cells: (a) => [STATUS_LABEL[a.status] ?? a.status, a.field ?? '', MATURITY_LABEL[a.maturity] ?? ''],
    facts: (a) => [STATUS_LABEL[a.status] ?? a.status, a.field, MATURITY_LABEL[a.maturity], a.region],
    text: (a) => a.summary,
    empty: '还没有成果；在“导入”页上传表格，或用 POST /v1/achievements 登记。 None yet: upload a spreadsheet on the Imports page, or use POST /v1/achievements.',
  },
  patents: {
    title: '我的专利 My patents', back: '← 专利列表 All patents', cols: ['名称', '公开号', '类型', '法律状态', 'IPC'],
    cells: (p) => [p.publication_number, PATENT_TYPE[p.patent_type] ?? '', LEGAL_LABEL[p.legal_status] ?? '', p.ipc_main ?? ''],
    facts: (p) => [p.publication_number, PATENT_TYPE[p.patent_type], LEGAL_LABEL[p.legal_status], p.ipc_main, p.application_date ? `申请日 ${p.application_date}` : null],
    text: (p) => p.abstract,
    empty: '还没有专利；在“导入”页上传专利库导出的表格。 None yet: upload a patent-database export on the Imports page.',
  },
}

async function showItems(kind) {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  const k = ITEMS[kind]
  const row = (x) => h('tr', {}, h('td', {}, h('a', { href: `#${kind}/${x.id}` }, x.title)), k.cells(x).map((c) => h('td', {}, c)))
  const list = await pagedTable(`${kind.slice(0, -1)}-list`, `/v1/${kind}?limit=50&org_id=${session.me.org_id}`, k.cols, row, k.empty)
  // achievements are registered one by one here too; patents come from patent-database exports (the Imports page)
  const add = kind === 'achievements' ? h('details', { class: 'adder', id: 'add-achievement' }, h('summary', {}, '＋ 登记成果 Register an achievement'),
    itemForm('achievements', null, (a) => { location.hash = `achievements/${a.id}` })) : null
  main.replaceChildren(...[h('h2', {}, k.title), add, h('div', { class: 'card' }, list)].filter(Boolean))
}

async function showItem(kind, id) {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  const k = ITEMS[kind]
  const [x, matches] = await Promise.all([api(`/v1/${kind}/${id}`), api(`/v1/${kind}/${id}/matches?limit=50`)])
  const rows = matches.items.map((m) => h('tr', {}, h('td', {}, m.need_title), h('td', {}, h('span', { class: `band ${m.band ?? ''}` }, m.band ?? '—'), String(m.strength ?? '')),
    h('td', { class: 'muted' }, m.explanation.summary)))
  main.replaceChildren(
    h('p', {}, h('a', { href: `#${kind}` }, k.back)),
    h('div', { class: 'card' }, h('h2', {}, x.title), h('p', { class: 'muted' }, k.facts(x).filter(Boolean).join(' · ')), h('p', {}, k.text(x) ?? ''),
      kind === 'achievements' ? h('details', { id: 'edit-achievement' }, h('summary', {}, '编辑成果 Edit'), itemForm('achievements', x, () => showItem(kind, id))) : null),
    h('div', { class: 'card' }, h('h3', {}, '已确认的企业需求 Needs it was confirmed for'),
      table('item-matches', ['需求', '强度', '理由'], rows, '技术经理人确认匹配后会显示在这里。 Needs show here once a manager confirms a match.')))
}

// ---- needs: an enterprise's own (staff: all), their matches and challenge briefs ----

async function showNeeds() {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  const row = (n) => h('tr', {},
    h('td', {}, h('a', { href: `#needs/${n.id}` }, n.title)), h('td', {}, n.status), h('td', {}, n.visibility), h('td', {}, n.industry ?? ''),
    staff() ? h('td', {}, String(n.unreviewed_suggestions ?? 0)) : null)
  const list = await pagedTable('need-list', `/v1/needs?limit=50${staff() ? '' : `&org_id=${session.me.org_id}`}`, ['名称', '状态', '可见范围', '行业', ...(staff() ? ['待审核'] : [])], row,
    '还没有需求；在上方发布，或在“导入”页上传表格。 No needs yet: post one above, or upload a spreadsheet on the Imports page.')
  // an enterprise posts its own needs here (staff post for an enterprise through the API or an import, naming it)
  const post = session.me.role === 'enterprise' ? h('details', { class: 'adder', id: 'post-need' }, h('summary', {}, '＋ 发布需求 Post a need'),
    itemForm('needs', null, (n) => { location.hash = `needs/${n.id}` })) : null
  main.replaceChildren(...[h('h2', {}, staff() ? '需求 Needs' : '我的需求 My needs'), post, h('div', { class: 'card' }, list)].filter(Boolean))
}

async function showNeed(id) {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  const [need, matches, briefs] = await Promise.all([api(`/v1/needs/${id}`), api(`/v1/needs/${id}/matches?limit=30`), api(`/v1/needs/${id}/briefs`)])
  const act = (label, attrs, fn) => action(label, attrs, fn, () => showNeed(id))
  // what only its enterprise and staff may do (the API's rule; others, e.g. an enterprise reading a public need, read)
  const writer = staff() || need.org_id === session.me.org_id
  const runMatch = act('重新匹配 Match now', { id: 'run-match' }, async () => {
    const r = await api(`/v1/needs/${id}/match`, { method: 'POST' })
    show('匹配中… Matching…')
    const j = await waitJob(r.job_id)
    show(j.state === 'completed' ? '匹配完成 Matched' : `匹配失败 Failed：${j.failure ?? ''}`, j.state === 'completed' ? 'ok' : 'error')
  })
  const draftBrief = act('起草榜单 Draft a brief', { id: 'draft-brief' }, async () => {
    const r = await api(`/v1/needs/${id}/briefs`, { method: 'POST', json: { writer: 'auto' } })
    show('起草中… Drafting…')
    const j = await waitJob(r.job_id)
    show(j.state === 'completed' ? '榜单草稿已生成 Drafted' : `起草失败 Failed：${j.failure ?? ''}`, j.state === 'completed' ? 'ok' : 'error')
  })
  const suggested = matches.items.filter((m) => m.state === 'suggested')
  const decided = matches.items.filter((m) => m.state !== 'suggested')
  const matchRows = decided.map((m) => h('tr', {},
    h('td', {}, m.item_title ?? '（不可见）'), h('td', {}, m.item_org_name ?? ''), h('td', {}, h('span', { class: `band ${m.band ?? ''}` }, m.band ?? '—'), String(m.strength ?? '')),
    h('td', {}, MATCH_STATE[m.state] ?? m.state), h('td', { class: 'muted' }, m.explanation.summary)))
  const briefRows = briefs.items.map((b) => h('tr', { 'data-brief': b.id },
    h('td', {}, b.version ? h('a', { href: `#briefs/${b.id}` }, b.content?.title ?? '') : '（起草中）'), h('td', {}, `${BRIEF_STATUS[b.status] ?? b.status} v${b.version}`, b.stage_label && b.stage !== 'published' ? ` · ${b.stage_label}` : ''), h('td', {}, b.clarity ? `${b.clarity.score}/100` : ''),
    h('td', {}, b.model ? `${b.writer} · ${b.model}` : b.writer ?? ''),
    h('td', { class: 'actions' },
      b.version ? action('导出 HTML', { class: 'plain' }, () => download(`/v1/briefs/${b.id}/export?format=html`, `brief-${b.id}.html`)) : null,
      b.status === 'draft' || b.status === 'edited' ? act('确认 Confirm', { class: 'confirm-brief' }, () => api(`/v1/briefs/${b.id}/confirm`, { method: 'POST', json: { version: b.version } })) : null,
      b.status === 'confirmed' ? act('发布 Publish', { class: 'publish-brief' }, () => api(`/v1/briefs/${b.id}/publish`, { method: 'POST' })) : null)))
  const parts = [
    h('p', {}, h('a', { href: '#needs' }, '← 需求列表 All needs')),
    h('div', { class: 'card' },
      h('h2', {}, need.title),
      h('p', { class: 'muted' }, `${need.status} · ${need.visibility} · ${need.industry ?? ''}${need.region ? ` · ${need.region}` : ''}`),
      h('p', {}, need.description ?? ''),
      writer ? h('div', { class: 'row' }, need.status === 'open' ? runMatch : null, draftBrief) : null,
      writer ? h('details', { id: 'edit-need' }, h('summary', {}, '编辑需求 Edit'), itemForm('needs', need, () => showNeed(id))) : null),
    staff() && suggested.length ? h('div', { class: 'card' }, h('h3', {}, `待审核建议 To review (${suggested.length})`), h('div', { id: 'need-queue' }, suggested.map((m) => reviewCard(m, { inNeed: true })))) : null,
    h('div', { class: 'card' }, h('h3', {}, staff() ? '已审核 Reviewed' : '已确认的匹配 Confirmed matches'),
      table('matches', ['成果/专利', '单位', '强度', '状态', '理由'], matchRows, staff() ? '无 none' : '技术经理人确认后，匹配会显示在这里。 Matches show here once a manager confirms them.')),
    h('div', { class: 'card' }, h('h3', {}, '企业出题榜单 Challenge briefs'),
      table('briefs', ['榜单', '状态', '清晰度', '起草', ''], briefRows)),
  ]
  main.replaceChildren(...parts.filter(Boolean))
}

// ---- patent navigation reports (专利导航) ----

const REPORT_STATUS = { queued: '排队中', running: '生成中', completed: '已完成', failed: '失败' }

async function showNavigation() {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  const r = await api('/v1/navigation-reports?limit=50')
  const act = (label, attrs, fn, then) => action(label, { class: 'plain', ...attrs }, fn, then)
  const rows = r.items.map((x) => h('tr', { 'data-report': x.id },
    h('td', {}, x.title), h('td', {}, REPORT_STATUS[x.status] ?? x.status, x.error ? h('span', { class: 'muted' }, ` ${x.error}`) : null),
    h('td', {}, x.status === 'completed' ? (x.summary_state === 'confirmed' ? '摘要已确认' : '摘要草稿') : ''), h('td', {}, x.created_at.slice(0, 10)),
    h('td', { class: 'actions' }, x.status === 'completed' ? [
      act('导出 HTML', {}, () => download(`/v1/navigation-reports/${x.id}?format=html`, `navigation-${x.id}.html`)),
      act('导出 MD', {}, () => download(`/v1/navigation-reports/${x.id}?format=md`, `navigation-${x.id}.md`)),
      x.summary_state !== 'confirmed' ? act('确认摘要 Confirm', { class: 'confirm-report' }, async () => {
        await api(`/v1/navigation-reports/${x.id}/confirm`, { method: 'POST' })
        show('摘要已确认 Confirmed')
      }, showNavigation) : null,
    ] : null)))
  const form = h('form', { class: 'card', id: 'new-report' },
    h('h3', {}, '新建导航报告 New report'),
    h('div', { class: 'row' },
      h('label', {}, '报告名称 title', h('input', { name: 'title', maxlength: 200, size: 30 })),
      h('label', {}, '关键词 keywords（空格或逗号分隔）', h('input', { name: 'keywords', size: 30 })),
      h('label', {}, 'IPC 前缀 prefixes', h('input', { name: 'ipc', size: 16, placeholder: 'H01M G01N' })),
      h('label', {}, '申请日起 from', h('input', { name: 'date_from', type: 'date' })),
      h('button', { type: 'submit' }, '生成 Build')))
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const v = Object.fromEntries(new FormData(form))
    const body = { scope: { keywords: words(v.keywords), ipc: words(v.ipc).map((x) => x.toUpperCase()), ...(v.date_from ? { date_from: v.date_from } : {}) } }
    if (v.title.trim()) body.title = v.title.trim()
    try {
      const created = await api('/v1/navigation-reports', { method: 'POST', json: body })
      show('报告生成中… Building…')
      const j = created.job_id ? await waitJob(created.job_id) : null
      if (!form.isConnected) return // the person has moved on: no redraw over another page
      show(j && j.state === 'failed' ? `生成失败 Failed：${j.failure ?? ''}` : '报告已生成 Built', j && j.state === 'failed' ? 'error' : 'ok')
      await showNavigation()
    } catch (err) {
      fail(err)
    }
  })
  main.replaceChildren(
    h('h2', {}, '专利导航 Patent navigation'),
    h('p', { class: 'muted' }, '按关键词、IPC 或申请日检索专利，生成符合 GB/T 39551 的导航报告；摘要经人工确认前为草稿。 Reports over a patent scope; the written summary stays a draft until a person confirms it.'),
    form,
    h('div', { class: 'card' }, h('h3', {}, '报告 Reports'), table('reports', ['名称', '状态', '摘要', '创建', ''], rows, '还没有报告 / None yet')))
}

// ---- roadshows ----

async function showRoadshows() {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  const r = await api('/v1/roadshows')
  const rows = r.items.map((x) => h('tr', {},
    h('td', {}, h('a', { href: `#roadshows/${x.id}` }, x.title)), h('td', {}, x.kind_label),
    h('td', {}, h('span', { class: `status ${x.status}` }, x.status === 'confirmed' ? '已确认' : '草稿'), ` v${x.version}`),
    h('td', {}, x.created_at.slice(0, 10))))
  main.replaceChildren(
    h('h2', {}, '路演 Roadshows'),
    newRoadshowForm(),
    h('div', { class: 'card' }, h('h3', {}, '已有路演 Existing'),
      table('roadshow-list', ['名称', '类型', '状态', '创建'], rows, '还没有路演 / None yet')))
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
      theme: { keywords: words(v.keywords), industry: v.industry.trim() || undefined, region: v.region.trim() || undefined, min_maturity: v.min_maturity || undefined },
      starts_at: v.starts_at ? new Date(v.starts_at).toISOString() : undefined,
    }
    try {
      const r = await api('/v1/roadshows', { method: 'POST', json: body })
      if (!form.isConnected) return // the person has moved on: no redraw over another page
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
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  const rs = await api(`/v1/roadshows/${id}`)
  // fetched once: each edit below redraws at once from local state, in the order the clicks came
  const [results, judges] = await Promise.all([rs.status === 'confirmed' ? api(`/v1/roadshows/${id}/results`) : null, api(`/v1/roadshows/${id}/judges`)])
  let programme = [...rs.entries]
  let alternates = [...rs.alternates]
  // every stored break (those not shown too); sent back only when edited, whole
  let breaks = rs.breaks.map(({ after, minutes, label }) => ({ after, minutes, label }))
  let breaksEdited = false
  let dirty = false

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
  const reload = () => showRoadshow(id)
  async function save() {
    const body = { base_version: rs.version, entries: programme.map((e) => ({ kind: e.kind, id: e.id })) }
    if (breaksEdited) body.breaks = breaks
    const r = await api(`/v1/roadshows/${id}`, { method: 'PATCH', json: body })
    show(`已保存为 v${r.version} Saved`)
  }
  async function confirm() {
    const r = await api(`/v1/roadshows/${id}/confirm`, { method: 'POST', json: { version: rs.version } })
    show(`已确认 v${r.version} Confirmed`)
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
        if (!form.isConnected) return // the person has moved on: no redraw over another page
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

  /** Breaks: after which entry, how long, what (茶歇, 午休); a change is saved with the programme. */
  function breakEditor() {
    const touched = () => {
      breaksEdited = true
      dirty = true
      // typing updates the state and the buttons only: a full redraw would take the field from under the cursor
      $('#save').disabled = false
      $('#confirm').disabled = true
    }
    const set = (i, k, el) => {
      if (k === 'label') breaks[i].label = el.value
      else if (el.value !== '' && Number.isInteger(Number(el.value))) breaks[i][k] = Number(el.value)
      touched()
    }
    const rows = breaks.map((b, i) => h('div', { class: 'row break-row' },
      h('label', {}, '在第几场后 after', h('input', { type: 'number', min: 1, max: Math.max(1, programme.length - 1), value: b.after, 'aria-label': `休息 ${i + 1} after`, oninput: (e) => set(i, 'after', e.target) })),
      h('label', {}, '分钟 minutes', h('input', { type: 'number', min: 1, max: 240, value: b.minutes, 'aria-label': `休息 ${i + 1} minutes`, oninput: (e) => set(i, 'minutes', e.target) })),
      h('label', {}, '名称 label', h('input', { maxlength: 30, value: b.label, 'aria-label': `休息 ${i + 1} label`, oninput: (e) => set(i, 'label', e.target) })),
      h('button', { type: 'button', class: 'plain', 'aria-label': `删除休息 ${i + 1}`, onclick: () => { breaks.splice(i, 1); breaksEdited = dirty = true; render() } }, '删除')))
    return h('details', { id: 'breaks', open: breaks.length > 0 }, h('summary', {}, `休息 Breaks（${breaks.length}）`), rows,
      h('button', { type: 'button', class: 'plain', id: 'add-break', onclick: () => {
        const used = new Set(breaks.map((b) => b.after))
        const free = [...Array(Math.max(0, programme.length - 1)).keys()].map((x) => x + 1).filter((x) => !used.has(x))
        if (!free.length) return show('每个场次之后都已有休息 / every gap already has a break', 'error')
        breaks.push({ after: free.find((x) => x >= Math.ceil(programme.length / 2)) ?? free[0], minutes: 10, label: '茶歇' })
        breaksEdited = dirty = true
        render()
      } }, '＋ 添加休息 Add a break'))
  }

  function render() {
    // saved breaks keep their times until the next save; edited ones show where they fall
    const breakAfter = new Map((dirty ? breaks : rs.breaks.filter((b) => b.shown)).map((b) => [b.after, b]))
    const pause = (i) => {
      const b = breakAfter.get(i + 1)
      if (!b || i === programme.length - 1) return null
      return h('tr', { class: 'pause' }, h('td', {}), h('td', {}, dirty || !b.starts_at ? '' : `${time(b.starts_at)}-${time(b.ends_at)}`), h('td', { colspan: 6 }, `${b.label}（${b.minutes} 分钟）`))
    }
    const prog = programme.flatMap((e, i) => [h('tr', {},
      h('td', {}, String(i + 1)), h('td', {}, dirty ? '' : `${time(e.starts_at)}${e.ends_at ? `-${time(e.ends_at)}` : ''}`), ...entryCells(e),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'plain', title: '上移 up', 'aria-label': `上移 ${e.title}`, disabled: i === 0, onclick: () => move(i, -1) }, '↑'),
        h('button', { type: 'button', class: 'plain', title: '下移 down', 'aria-label': `下移 ${e.title}`, disabled: i === programme.length - 1, onclick: () => move(i, 1) }, '↓'),
        h('button', { type: 'button', class: 'plain', 'aria-label': `移出 ${e.title}`, onclick: () => drop(i) }, '移出'))), pause(i)].filter(Boolean))
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
          action('保存 Save', { id: 'save', disabled: !dirty }, save, reload), ' ',
          action('确认 Confirm', { id: 'confirm', disabled: dirty || rs.status === 'confirmed' }, confirm, reload), ' ',
          ...['html', 'csv', 'md'].map((f) => action(`导出 ${f.toUpperCase()}`, { class: 'plain' }, () => download(`/v1/roadshows/${id}/export?format=${f}`, `roadshow-${id}.${f}`))))),
      h('div', { class: 'card' }, h('h3', {}, '节目单 Programme'),
        h('table', { id: 'programme' }, head(['序号', '时间', '名称', '单位', '领域', '成熟度', '推荐理由', '']), h('tbody', {}, prog)), breakEditor()),
      h('div', { class: 'card' }, h('h3', {}, '候补 Alternates'),
        table('alternates', ['名称', '单位', '领域', '成熟度', '理由', ''], alts)),
      h('div', { class: 'card' }, h('h3', {}, '评委评分 Judges\' scores'), scores()),
      judgeLinks(id, judges.items, reload))
  }
  render()
}

/**
 * Judges' scoring links: one per judge, shown once when made (the API keeps only its hash); each judge scores the
 * confirmed programme on their own phone under the name given here; a link can be revoked at once.
 */
function judgeLinks(id, judges, reload, secret) {
  const name = h('input', { name: 'judge', required: true, maxlength: 60, placeholder: '评委姓名或代号', 'aria-label': '评委 judge' })
  const form = h('form', { class: 'row', id: 'judge-form' }, name, ' ', h('button', { type: 'submit' }, '生成评分链接 Make a link'))
  const discard = h('input', { type: 'checkbox', id: 'discard-scores' })
  const card = h('div', { class: 'card', id: 'judges' })
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const button = form.querySelector('button')
    button.disabled = true
    try {
      const j = await api(`/v1/roadshows/${id}/judges`, { method: 'POST', json: { name: name.value.trim() } })
      const list = await api(`/v1/roadshows/${id}/judges`).catch(() => ({ items: [...judges, j] }))
      // moved on meanwhile: the link still has to reach the organiser, in the message line
      if (!form.isConnected) return show(`${j.name} 的评分链接（只显示这一次）：${location.origin}${j.link}`)
      card.replaceWith(judgeLinks(id, list.items, reload, { name: j.name, link: `${location.origin}${j.link}` }))
      show(`已生成 ${j.name} 的评分链接 Link made`)
    } catch (err) {
      fail(err)
      button.disabled = false
    }
  })
  const revoke = (j) => twoStep('撤销 Revoke', '确认撤销 Confirm', `撤销 ${j.name}`, async () => {
    await api(`/v1/roadshows/${id}/judges/${j.id}?discard_scores=${discard.checked}`, { method: 'DELETE' })
    show(`已撤销 ${j.name} 的链接${discard.checked ? '并删除其评分' : ''} Revoked`)
  }, reload)
  const rows = judges.map((j) => h('tr', {}, h('td', {}, j.name), h('td', {}, utcMinute(j.created_at)), h('td', {}, utcMinute(j.last_used_at)),
    h('td', {}, j.revoked_at ? '已撤销' : '有效'), h('td', { class: 'actions' }, j.revoked_at ? null : revoke(j))))
  card.append(...[h('h3', {}, '评委评分链接 Judges\' links'),
    h('p', { class: 'muted' }, '每位评委一条链接，在手机上打开即可为确认后的节目单打分；链接只显示一次，可随时撤销。 One link a judge, shown once; revoke it any time.'),
    secret ? shownOnce('judge-link', [h('strong', {}, `${secret.name} 的评分链接（只显示这一次）`), ' The link, shown once:'], secret.link, '评分链接 link', 80) : null,
    table('judge-list', ['评委', '生成 (UTC)', '最近使用', '状态', ''], rows, '还没有评分链接 / No links yet'),
    rows.length ? h('label', { class: 'check' }, discard, '撤销时同时删除该评委的评分（链接泄露时） discard their scores when revoking (a leaked link)') : null,
    form].filter(Boolean))
  return card
}

// ---- start ----

onUnauthorized(signOut)

$('#tabs').addEventListener('click', (e) => {
  const tab = e.target.closest('button')?.dataset.tab
  if (tab) location.hash = tab
})
window.addEventListener('hashchange', route)
if (sessionStorage.getItem(KEY)) {
  api('/v1/me').then((r) => {
    session.me = r
    route()
  }).catch(fail)
} else renderShell()
