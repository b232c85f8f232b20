// What every console page shares: building elements (text only, never HTML), calling the API with the pasted key,
// messages, buttons that run a call, downloads and job waits, and the signed-in caller.
export const KEY = 'tt-console-key'
export const $ = (sel) => document.querySelector(sel)

/** The signed-in caller (GET /v1/me), or null. */
export const session = { me: null }
export const staff = () => session.me?.role === 'manager' || session.me?.role === 'admin'

let unauthorized = () => {}
// the pasted API key; the judge's page uses its scoring token instead
let token = () => sessionStorage.getItem(KEY) ?? ''
export const useToken = (fn) => {
  token = fn
}
/** What a 401 does (the shell signs out). */
export const onUnauthorized = (fn) => {
  unauthorized = fn
}


/** An element with attributes, listeners (onclick, onsubmit, ...) and children; strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c))
  return el
}

export class ApiError extends Error {
  constructor(title, errors, status) {
    super(title)
    this.errors = errors
    this.status = status
  }
}

/**
 * One call of the /v1 API with the pasted key: `json` is sent as JSON, `form` (FormData, for uploads) as multipart;
 * `raw` returns the response itself (downloads). A 401 signs out; another failure throws ApiError with the problem's
 * title and per-field errors.
 */
export async function api(path, { method = 'GET', json, form, raw = false } = {}) {
  const headers = { authorization: `Bearer ${token()}` }
  if (json !== undefined) headers['content-type'] = 'application/json'
  const body = form ?? (json === undefined ? undefined : JSON.stringify(json))
  const res = await fetch(path, { method, headers, body })
  if (res.status === 401) {
    unauthorized()
    throw new ApiError('密钥无效或已撤销 / The key is not valid', [], 401)
  }
  if (raw && res.ok) return res
  const out = (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : { title: await res.text() }
  // the problem's title says what kind of failure, its detail what exactly (e.g. 榜单已被他人修改)
  if (!res.ok) throw new ApiError([out.title ?? `HTTP ${res.status}`, out.detail].filter(Boolean).join('：'), out.errors ?? [], res.status)
  return out
}

export function show(text, kind = 'ok') {
  $('#message').replaceChildren(h('div', { class: kind }, text))
}
export function fail(err) {
  const fields = (err.errors ?? []).map((e) => `${e.field}: ${e.message}`)
  show([err.message, ...fields].join('；'), 'error')
}

/** A button that runs `fn` (disabled meanwhile), then `then` (usually a redraw); a failure is shown and the button freed. */
export function action(label, attrs, fn, then) {
  return h('button', { type: 'button', ...attrs, onclick: async (e) => {
    const b = e.currentTarget
    b.disabled = true
    try {
      await fn()
      // a redraw only while the button's page is still shown (a job can finish after the person has moved on)
      if (then && b.isConnected) await then()
      else b.disabled = false
    } catch (err) {
      fail(err)
      b.disabled = false
    }
  } }, label)
}

/** Words typed into one field: split on spaces, commas, 、 and semicolons (half- or full-width). */
export const words = (s) => s.split(/[\s,，、;；]+/).filter(Boolean)


/** Waits for a job to finish (the API runs matching and drafting as jobs). */
export async function waitJob(jobId) {
  for (let i = 0; i < 240; i++) {
    const j = await api(`/v1/jobs/${jobId}`)
    if (j.state === 'completed' || j.state === 'failed') return j
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new ApiError('任务仍在运行，请稍后刷新 / The job is still running; refresh later', [])
}

export async function download(path, name) {
  const res = await api(path, { raw: true })
  const url = URL.createObjectURL(await res.blob())
  const a = h('a', { href: url, download: name })
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}


/** A table with a header row, or `empty` (a muted line) when there are no rows. */
export function table(id, cols, rows, empty = '无 none') {
  if (!rows.length) return h('p', { class: 'muted' }, empty)
  return h('table', { id }, h('thead', {}, h('tr', {}, cols.map((c) => h('th', {}, c)))), h('tbody', {}, rows))
}

/**
 * A list page that reads `path` page by page: the first page, then a "more" button while the API gives a next_cursor.
 * `row` turns an item into a table row.
 */
export async function pagedTable(id, path, cols, row, empty) {
  const sep = path.includes('?') ? '&' : '?'
  const first = await api(path)
  const box = h('div', {})
  const tbody = h('tbody', {}, first.items.map(row))
  const more = (cursor) => action('更多 More', { class: 'plain', id: `${id}-more` }, async () => {
    const r = await api(`${path}${sep}cursor=${encodeURIComponent(cursor)}`)
    tbody.append(...r.items.map(row))
    box.lastChild.replaceWith(r.next_cursor ? more(r.next_cursor) : h('span'))
  })
  if (!first.items.length) box.append(h('p', { class: 'muted' }, empty))
  else box.append(h('table', { id }, h('thead', {}, h('tr', {}, cols.map((c) => h('th', {}, c)))), tbody), first.next_cursor ? more(first.next_cursor) : h('span'))
  return box
}

const lf = (s) => s.replace(/\r\n?/g, '\n')
/**
 * Whether a person changed any input inside `el` since it was drawn (the DOM keeps each control's initial state). An
 * edit sends only what was touched, so a value a form cannot show exactly (a newline in a one-line field, fractional
 * yuan, key order) is never rewritten by a save that did not touch it.
 */
export const touched = (el) => [...el.querySelectorAll('input, textarea, select')].some((c) =>
  c.type === 'checkbox' ? c.checked !== c.defaultChecked : c.tagName === 'SELECT' ? [...c.options].some((o) => o.selected !== o.defaultSelected) : lf(c.value) !== lf(c.defaultValue))

/**
 * A button for what cannot be undone, in two steps instead of a dialog: the first click asks (`confirmLabel`), the
 * second runs `fn`; a failure is shown and the button stays armed.
 */
export function twoStep(label, confirmLabel, ariaLabel, fn, then) {
  const b = h('button', { type: 'button', class: 'plain', 'aria-label': ariaLabel }, label)
  let armed = false
  b.addEventListener('click', async () => {
    if (!armed) {
      armed = true
      b.className = 'danger'
      b.textContent = confirmLabel
      return
    }
    b.disabled = true
    try {
      await fn()
      if (then && b.isConnected) await then()
    } catch (err) {
      fail(err)
      b.disabled = false
    }
  })
  return b
}

/** A time from the API as "YYYY-MM-DD HH:MM" in UTC (the columns say so), or — when there is none. */
export const utcMinute = (s) => (s ? s.slice(0, 16).replace('T', ' ') : '—')

/** A secret shown once (a new key, a judge's link): what to do with it, and a read-only field that selects itself. */
export const shownOnce = (id, note, value, label, size = 60) =>
  h('div', { class: 'secret', id }, h('p', {}, note), h('input', { readonly: true, value, size, 'aria-label': label, onfocus: (ev) => ev.target.select() }))
