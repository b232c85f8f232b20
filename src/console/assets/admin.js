// Organisations and API keys (机构与密钥), for admins: create an organisation, give it keys (the secret is shown once,
// here, and never again), see when a key was last used, revoke one. The same calls as POST /v1/orgs, /v1/orgs/{id}/keys.
import { $, api, fail, h, pagedTable, show, shownOnce, table, twoStep, utcMinute } from './core.js'

const ORG_KIND = { platform: '平台 platform', transfer_center: '技术转移中心 transfer centre', university: '高校 university', institute: '科研院所 institute', enterprise: '企业 enterprise', organizer: '路演组织方 organizer' }
/** Roles a key of each organisation kind may have (the API refuses others; src/orgs/access.ts ROLE_ORG_KINDS). */
const ROLES_OF = { platform: ['admin', 'manager', 'organizer'], transfer_center: ['manager', 'organizer'], university: ['university'], institute: ['university'], enterprise: ['enterprise'], organizer: ['organizer'] }
const ROLE = { admin: '管理员', manager: '技术经理人', organizer: '路演组织者', enterprise: '企业', university: '高校/院所' }

export async function showAdmin(id) {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  if (id) return showOrg(id)
  const form = h('form', { class: 'card', id: 'new-org' },
    h('h3', {}, '新建机构 New organisation'),
    h('div', { class: 'row' },
      h('label', {}, '名称 name', h('input', { name: 'name', required: true, maxlength: 200, size: 30 })),
      h('label', {}, '类型 kind', h('select', { name: 'kind' }, Object.entries(ORG_KIND).map(([v, l]) => h('option', { value: v }, l)))),
      h('label', {}, '省份 region', h('input', { name: 'region', maxlength: 50, size: 8, placeholder: '江苏' })),
      h('button', { type: 'submit' }, '创建 Create')))
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const v = Object.fromEntries(new FormData(form))
    const button = form.querySelector('button[type=submit]')
    button.disabled = true
    try {
      const o = await api('/v1/orgs', { method: 'POST', json: { name: v.name.trim(), kind: v.kind, ...(v.region.trim() ? { region: v.region.trim() } : {}) } })
      if (!form.isConnected) return // the person has moved on: no redraw over another page
      show(`已创建 Created：${o.name}`)
      location.hash = `admin/${o.id}`
    } catch (err) {
      fail(err)
      button.disabled = false
    }
  })
  const row = (o) => h('tr', {}, h('td', {}, h('a', { href: `#admin/${o.id}` }, o.name)), h('td', {}, ORG_KIND[o.kind] ?? o.kind), h('td', {}, o.region ?? ''), h('td', {}, o.created_at.slice(0, 10)))
  const list = await pagedTable('org-list', '/v1/orgs?limit=50', ['名称', '类型', '省份', '创建'], row, '还没有机构 / None yet')
  main.replaceChildren(h('h2', {}, '机构与密钥 Organisations and keys'), form, h('div', { class: 'card' }, h('h3', {}, '机构 Organisations'), list))
}

/** One organisation and its keys; `secret` is a key just created, drawn with the page so a redraw cannot lose it. */
async function showOrg(id, secret) {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  const [org, keys] = await Promise.all([api(`/v1/orgs/${id}`), api(`/v1/orgs/${id}/keys`)])
  const reload = () => showOrg(id)
  // shown once: the API keeps only its hash
  const created = secret
    ? shownOnce('new-key-secret', [h('strong', {}, '请立即复制并交给使用者；离开本页后无法再次查看。'), ' Copy it now and hand it over: it is not shown again.'], secret, '新密钥 new key')
    : null
  const roles = ROLES_OF[org.kind] ?? []
  const form = h('form', { class: 'row', id: 'new-key' },
    h('label', {}, '密钥名称 name', h('input', { name: 'name', required: true, maxlength: 100, placeholder: '如：张老师的密钥' })),
    h('label', {}, '角色 role', h('select', { name: 'role' }, roles.map((r) => h('option', { value: r }, `${ROLE[r] ?? r} ${r}`)))),
    h('button', { type: 'submit' }, '生成密钥 Create key'))
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const v = Object.fromEntries(new FormData(form))
    const button = form.querySelector('button[type=submit]')
    button.disabled = true // one click, one key
    let k
    try {
      k = await api(`/v1/orgs/${id}/keys`, { method: 'POST', json: { name: v.name.trim(), role: v.role } })
    } catch (err) {
      fail(err)
      button.disabled = false
      return
    }
    // moved on meanwhile: the secret still has to reach the person, in the message line
    if (!form.isConnected) return show(`已生成 Created：${k.name}（请立即复制 copy it now）${k.key}`)
    show(`已生成 Created：${k.name}`)
    await showOrg(id, k.key).catch((err) => {
      // the list could not be read again: the secret still has to reach the person
      main.replaceChildren(shownOnce('new-key-secret', '密钥 key：', k.key, '新密钥 new key'))
      fail(err)
    })
  })
  const revoke = (k) => twoStep('撤销 Revoke', '确认撤销 Confirm revoke', `撤销 ${k.name}`, async () => {
    await api(`/v1/keys/${k.id}`, { method: 'DELETE' })
    show(`已撤销 Revoked：${k.name}`)
  }, reload)
  const rows = keys.items.map((k) => h('tr', { 'data-key': k.id },
    h('td', {}, k.name), h('td', {}, ROLE[k.role] ?? k.role), h('td', { class: 'mono' }, `tt_${k.prefix}_…`), h('td', {}, utcMinute(k.created_at)), h('td', {}, utcMinute(k.last_used_at)),
    h('td', {}, k.revoked_at ? `已撤销 ${utcMinute(k.revoked_at)}` : '有效 active'), h('td', { class: 'actions' }, k.revoked_at ? null : revoke(k))))
  main.replaceChildren(
    h('p', {}, h('a', { href: '#admin' }, '← 机构列表 All organisations')),
    h('div', { class: 'card' }, h('h2', {}, org.name), h('p', { class: 'muted' }, [ORG_KIND[org.kind] ?? org.kind, org.region].filter(Boolean).join(' · '))),
    h('div', { class: 'card' }, h('h3', {}, '密钥 Keys'), created,
      table('key-list', ['名称', '角色', '前缀', '创建 (UTC)', '最近使用', '状态', ''], rows, '还没有密钥 / No keys yet'),
      roles.length ? form : null))
}

// ---- the audit trail (审计日志): every write that changes what someone may see or do, newest first ----

const ACTOR = { key: '密钥', system: '系统', judge: '评委链接' }

/** The audit log with the API's filters; `changed` lists the fields an event changed (the trail keeps hashes, never values). */
export async function showAudit() {
  // the page this view draws into: after a navigation elsewhere it is detached, and a late draw lands nowhere
  const main = $('#main')
  const form = h('form', { class: 'card row', id: 'audit-filter' },
    h('label', {}, '动作 action（完整 exact）', h('input', { name: 'action', maxlength: 100, placeholder: 'need.update', size: 18 })),
    h('label', {}, '对象类型 object', h('input', { name: 'object_kind', maxlength: 50, placeholder: 'need', size: 10 })),
    h('label', {}, '对象 id', h('input', { name: 'object_id', maxlength: 100, size: 20 })),
    h('label', {}, '起 since', h('input', { name: 'since', type: 'date' })),
    h('label', {}, '止 until', h('input', { name: 'until', type: 'date' })),
    h('button', { type: 'submit' }, '筛选 Filter'))
  const box = h('div', { class: 'card' })
  // times in Beijing time, as the date filters are
  const beijing = (s) => new Date(Date.parse(s) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')
  const row = (e) => h('tr', {},
    h('td', {}, beijing(e.at)), h('td', {}, `${ACTOR[e.actor_kind] ?? e.actor_kind} ${e.actor_role ?? ''}`),
    h('td', { class: 'mono' }, e.action), h('td', {}, e.object_kind, e.object_id ? h('div', { class: 'mono muted' }, e.object_id) : null),
    h('td', {}, Object.keys(e.digest?.changed ?? {}).join(', ')))
  const nextDay = (d) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
  let loads = 0
  const load = async () => {
    const mine = ++loads // a slower, older answer does not replace a newer one
    const v = Object.fromEntries([...new FormData(form)].map(([k, x]) => [k, String(x).trim()]).filter(([, x]) => x))
    // days in Beijing time: from the first day's start to the start of the day after the last
    if (v.since) v.since = `${v.since}T00:00:00+08:00`
    if (v.until) v.until = `${nextDay(v.until)}T00:00:00+08:00`
    const q = new URLSearchParams({ limit: '50', ...v })
    box.replaceChildren(h('p', { class: 'muted' }, '加载中… Loading…'))
    try {
      const list = await pagedTable('audit-list', `/v1/audit?${q}`, ['时间（北京）', '操作者', '动作', '对象', '变更字段'], row, '没有符合条件的记录 / No events')
      if (mine === loads) box.replaceChildren(list)
    } catch (err) {
      if (mine !== loads) return
      fail(err)
      box.replaceChildren()
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    void load()
  })
  main.replaceChildren(h('h2', {}, '审计日志 Audit trail'),
    h('p', { class: 'muted' }, '每一次改变可见性或权限的写入都有记录；只记录变更字段的摘要，不保存原值。 Every write that changes what someone may see or do; the changed fields as hashes, never their values.'),
    form, box)
  await load()
}
