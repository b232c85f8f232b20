// A judge's scoring page (/console/judge#<token>): the link an organiser gave carries the judge's token in its
// fragment, which browsers never send to a server. The page moves it into this tab's sessionStorage, removes it from
// the address bar, and scores the confirmed programme through /v1/judging/*, the only routes the token opens.
import { $, api, fail, h, show, useToken } from './core.js'

const TOKEN = 'tt-judge-token'
const fromLink = location.hash.slice(1)
if (fromLink) {
  // a new link replaces whatever this tab held before, even one cut short by a chat app (then it opens nothing)
  sessionStorage.removeItem(TOKEN)
  if (/^rj_[\w-]{8}_[\w-]{32}$/.test(fromLink)) sessionStorage.setItem(TOKEN, fromLink)
}
history.replaceState(null, '', location.pathname)
// another link opened in this tab changes only the fragment: start again from it
window.addEventListener('hashchange', () => location.reload())
useToken(() => sessionStorage.getItem(TOKEN) ?? '')

const time = (s) => (s ? new Date(s).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' }) : '')

async function draw() {
  if (!sessionStorage.getItem(TOKEN)) {
    $('#main').replaceChildren(h('div', { class: 'card' }, '请使用组织者发给你的评分链接打开本页。 Open this page with the scoring link the organiser sent you.'))
    return
  }
  let v
  try {
    v = await api('/v1/judging/roadshow')
  } catch (err) {
    // only a 401 means the link itself is bad (the API answers every bad token alike); anything else may pass
    if (err.status === 401) {
      sessionStorage.removeItem(TOKEN)
      $('#message').replaceChildren()
      $('#main').replaceChildren(h('div', { class: 'card' }, '评分链接无效或已被组织者撤销。 The link is not valid or was revoked by the organiser.'))
    } else {
      fail(err)
      $('#main').replaceChildren(h('div', { class: 'card' }, '暂时无法读取节目单，请稍后刷新。 The programme could not be read just now: refresh in a moment.'))
    }
    return
  }
  $('#who').replaceChildren(`评委 ${v.judge.name}`)
  const pauses = new Map(v.breaks.map((b) => [b.after, b]))
  const rows = v.entries.flatMap((e) => {
    const input = h('input', { type: 'number', min: 0, max: 100, step: 0.5, value: e.my_score ?? '', 'aria-label': `${e.title} 分数 score`, inputmode: 'decimal' })
    const state = h('span', { class: 'muted' }, e.my_score === null ? '未评分' : '已保存')
    const save = h('button', { type: 'button', 'aria-label': `提交 ${e.title}` }, '提交 Save')
    save.addEventListener('click', async () => {
      const score = Number(input.value)
      if (input.value === '' || !(score >= 0 && score <= 100)) {
        show('请输入 0-100 的分数 / a score from 0 to 100', 'error')
        return
      }
      save.disabled = true
      try {
        await api('/v1/judging/scores', { method: 'PUT', json: { kind: e.kind, id: e.id, score } })
        state.textContent = `已保存 ${score}`
        show(`已提交 Saved：${e.title} ${score}`)
      } catch (err) {
        fail(err)
      } finally {
        save.disabled = false
      }
    })
    // one card an entry: readable on a phone held in one hand
    const card = h('article', { class: 'entry', 'data-entry': e.id },
      h('p', { class: 'muted' }, `${e.position}${e.starts_at ? ` · ${time(e.starts_at)}-${time(e.ends_at)}` : ''}`),
      h('h3', {}, e.title), h('p', { class: 'muted' }, [e.org_name, e.field].filter(Boolean).join(' · ')),
      h('div', { class: 'row' }, input, save, state))
    const b = pauses.get(e.position)
    return b ? [card, h('p', { class: 'pause muted' }, `${b.label}（${b.minutes} 分钟）${b.starts_at ? ` ${time(b.starts_at)}-${time(b.ends_at)}` : ''}`)] : [card]
  })
  $('#main').replaceChildren(h('div', { class: 'card' }, h('h2', {}, v.roadshow.title),
    h('p', { class: 'muted' }, `每场 ${v.roadshow.slot.pitch}+${v.roadshow.slot.qa} 分钟；满分 100；可随时修改，以最后一次提交为准。 Score 0-100; you may change a score until the end.`),
    v.roadshow.status !== 'confirmed'
      ? h('p', {}, '节目单尚未确认，确认后即可评分；请稍后刷新。 The programme is not confirmed yet: refresh later.')
      : h('div', { id: 'judge-entries' }, rows)))
}

void draw()
