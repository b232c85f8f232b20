// The web console in headless Chromium, on a real HTTP server over the demo catalogue: an organiser signs in with a
// key, has a roadshow suggested, swaps an alternate in, saves, confirms, records a score and exports the programme; a
// manager works the review queue. Text from users shows as text (no script runs), and the page loads nothing from
// elsewhere. Skips, saying why, where Chromium is not installed.
import { mkdirSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { serve, type ServerType } from '@hono/node-server'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { chromiumAvailable, launchChromium, warnIfNoChromium } from '../helpers/browser'
import { CLEAR_NEED, draft, postNeed } from '../helpers/briefs'
import { loadDemoData } from '../helpers/demo'

warnIfNoChromium('tests/e2e/console.browser.test.ts')

const SHOTS = path.join(tmpdir(), 'console-screens')
let t: TestApp
let server: ServerType | undefined
let base = ''
let browser: Browser | undefined
let org: { orgId: string; key: string }
let mgr: { orgId: string; key: string }

/** A page that records what a person would not want: dialogs (a script ran), page errors, CSP reports, foreign requests. */
async function open(): Promise<{ page: Page; problems: string[] }> {
  // a centre's staff work in Beijing time, as the exported programme does
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, timezoneId: 'Asia/Shanghai' })
  const problems: string[] = []
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`)
    void d.dismiss()
  })
  page.on('pageerror', (e) => problems.push(`error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`)
  })
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('blob:')) problems.push(`request: ${r.url()}`)
  })
  await page.goto(`${base}/console`)
  return { page, problems }
}

const optionValues = async (page: Page, sel: string) => Promise.all((await page.locator(sel).all()).map((o) => o.getAttribute('value')))

async function signIn(page: Page, key: string) {
  await page.fill('#key', key)
  await page.click('#signin button[type=submit]')
  await page.waitForSelector('#who button')
}

describe.skipIf(!chromiumAvailable)('the console in a browser', () => {
  beforeAll(async () => {
    t = await createTestApp({ MATCH_STRENGTH_FLOOR: '0' }, { isolated: true })
    await loadDemoData(t.rt)
    await t.settle()
    org = await t.tenant('organizer', 'organizer')
    mgr = await t.tenant('transfer_center', 'manager')
    await new Promise<void>((resolve) => {
      server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
        base = `http://127.0.0.1:${info.port}`
        resolve()
      })
    })
    browser = await launchChromium()
    mkdirSync(SHOTS, { recursive: true })
  })
  afterAll(async () => {
    await browser?.close()
    await new Promise((r) => (server ? server.close(r) : r(null)))
    await t?.close()
  })

  it('serves the page with a strict CSP, and refuses a bad key without storing it', async () => {
    const res = await fetch(`${base}/console`)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect((await fetch(`${base}/console/assets/../../package.json`)).status).toBe(404)
    expect((await fetch(`${base}/console/assets/routes.ts`)).status).toBe(404)
    const { page, problems } = await open()
    await page.fill('#key', 'tt_not_a_key')
    await page.click('#signin button[type=submit]')
    await page.waitForSelector('#message .error')
    expect(await page.textContent('#message')).toContain('密钥无效')
    expect(await page.evaluate('sessionStorage.length')).toBe(0)
    expect(problems).toEqual([])
    await page.close()
  })

  it('lets an organiser build, edit, confirm, score and export a roadshow', async () => {
    const { page, problems } = await open()
    await signIn(page, org.key)
    expect(await page.textContent('#who')).toContain('路演组织者')
    expect(await page.isHidden('[data-tab=review]')).toBe(true)
    await page.fill('#new-roadshow [name=title]', '<img src=x onerror=alert(1)>智能制造专场')
    await page.fill('#new-roadshow [name=industry]', '智能制造')
    await page.fill('#new-roadshow [name=keywords]', '视觉，机器人')
    await page.fill('#new-roadshow [name=size]', '2')
    await page.fill('#new-roadshow [name=starts_at]', '2026-12-10T14:00')
    await page.click('#new-roadshow button[type=submit]')
    await page.waitForSelector('#programme')
    // the title is text, not markup
    expect(await page.textContent('h2')).toBe('<img src=x onerror=alert(1)>智能制造专场')
    const titles = async (sel: string) => page.locator(`${sel} tbody tr td:nth-child(${sel === '#programme' ? 3 : 1})`).allTextContents()
    const before = await titles('#programme')
    expect(before).toHaveLength(2)
    const alternates = await titles('#alternates')
    expect(alternates.length).toBeGreaterThan(0)
    expect(await page.locator('#programme tbody tr').first().locator('td').nth(1).textContent()).toBe('14:00-14:15')
    await page.screenshot({ path: path.join(SHOTS, 'roadshow-draft.png'), fullPage: true })

    // swap the second entry for the first alternate, then put it first
    await page.click(`#programme button[aria-label="移出 ${before[1]}"]`)
    await page.click(`#alternates button[aria-label="加入 ${alternates[0]}"]`)
    await page.click(`#programme button[aria-label="上移 ${alternates[0]}"]`)
    expect(await page.isDisabled('#confirm')).toBe(true) // unsaved changes first
    await page.click('#save')
    await page.waitForSelector('text=草稿 v2')
    expect(await titles('#programme')).toEqual([alternates[0], before[0]])
    await page.click('#confirm')
    await page.waitForSelector('text=已确认 v2')

    await page.fill('#score-form [name=judge]', '评委甲')
    await page.fill('#score-form [name=score]', '88.5')
    await page.click('#score-form button[type=submit]')
    await page.waitForSelector('#results >> text=88.5')
    expect(await page.locator('#results tbody tr').first().locator('td').nth(1).textContent()).toBe(alternates[0])

    const download = page.waitForEvent('download')
    await page.click('text=导出 CSV')
    const file = await (await download).path()
    const csv = readFileSync(file!, 'utf8')
    expect(csv).toContain(`1,14:00-14:15,${alternates[0]},`)
    // moved in by the organiser: the cap's note no longer applies
    expect(csv).not.toContain('同一单位已有')
    await page.screenshot({ path: path.join(SHOTS, 'roadshow-confirmed.png'), fullPage: true })

    // the API agrees with what the page showed
    const id = page.url().split('/').pop()!
    const api = await (await t.request(`/v1/roadshows/${id}`, { key: org.key })).json()
    expect(api).toMatchObject({ status: 'confirmed', version: 2 })
    expect(api.entries.map((e: { title: string }) => e.title)).toEqual([alternates[0], before[0]])
    expect(problems).toEqual([])
    await page.close()
  })

  it('lets a manager confirm and reject suggestions from the review queue', async () => {
    const { page, problems } = await open()
    await signIn(page, mgr.key)
    await page.click('[data-tab=review]')
    await page.waitForSelector('article.review')
    const cards = page.locator('article.review')
    const n = await cards.count()
    expect(n).toBeGreaterThan(1)
    const first = (await cards.nth(0).getAttribute('data-match'))!
    const second = (await cards.nth(1).getAttribute('data-match'))!
    await page.screenshot({ path: path.join(SHOTS, 'review-queue.png') })
    await cards.nth(0).locator('button.confirm').click()
    await page.waitForSelector(`article[data-match="${first}"]`, { state: 'detached' })
    expect(await page.textContent('#message')).toContain('已确认')
    const card = page.locator(`article[data-match="${second}"]`)
    await card.locator('select').selectOption('成熟度不足')
    await card.locator('input').fill('需要中试数据')
    await card.locator('button.reject').click()
    await page.waitForSelector(`article[data-match="${second}"]`, { state: 'detached' })
    const a = await (await t.request(`/v1/matches/${first}`, { key: mgr.key })).json()
    const b = await (await t.request(`/v1/matches/${second}`, { key: mgr.key })).json()
    expect(a.state).toBe('confirmed')
    expect(b.state).toBe('rejected')
    expect(JSON.stringify(b)).toContain('成熟度不足')
    expect(await cards.count()).toBe(n - 2)
    // signing out forgets the key
    await page.click('#who button')
    expect(await page.evaluate('sessionStorage.length')).toBe(0)
    expect(await page.isVisible('#signin')).toBe(true)
    expect(problems).toEqual([])
    await page.close()
  })
  it('takes an enterprise from its need to a published brief, and shows it the matches a manager confirmed', async () => {
    const ent = await t.tenant('enterprise', 'enterprise', '储能集成示范公司')
    const needId = await postNeed(t, ent.key, { ...CLEAR_NEED, visibility: 'public', external_id: 'console-need' })
    await t.settle()
    const { page, problems } = await open()
    await signIn(page, ent.key)
    // the enterprise's first tab is its own needs, and only those
    await page.waitForSelector('#need-list')
    expect(await page.locator('#need-list tbody tr').allTextContents()).toEqual([expect.stringContaining(CLEAR_NEED.title)])
    await page.click(`text=${CLEAR_NEED.title}`)
    await page.waitForSelector('#draft-brief')
    expect(await page.textContent('#main')).toContain('技术经理人确认后，匹配会显示在这里')
    expect(await page.textContent('#main')).not.toContain('null')
    await page.click('#draft-brief')
    await page.waitForSelector('#briefs >> text=草稿 v1')
    await page.click('#briefs button.confirm-brief')
    await page.waitForSelector('#briefs >> text=已确认 v1')
    await page.click('#briefs button.publish-brief')
    await page.waitForSelector('#briefs >> text=已发布 v1')
    const briefs = await (await t.request(`/v1/needs/${needId}/briefs`, { key: ent.key })).json()
    expect(briefs.items[0]).toMatchObject({ status: 'published', version: 1 })

    // a manager confirms the strongest suggestion from the need's page ...
    const staffPage = await open()
    await signIn(staffPage.page, mgr.key)
    await staffPage.page.goto(`${base}/console#needs/${needId}`)
    await staffPage.page.waitForSelector('#need-queue article.review')
    const first = staffPage.page.locator('#need-queue article.review').first()
    const title = (await first.locator('h3').textContent())!
    await first.locator('button.confirm').click()
    await staffPage.page.waitForSelector('#message >> text=已确认')
    await staffPage.page.screenshot({ path: path.join(SHOTS, 'need-manager.png') })
    expect(staffPage.problems).toEqual([])
    await staffPage.page.close()
    // ... and the enterprise sees it
    await page.reload()
    await page.waitForSelector('#matches')
    expect(await page.locator('#matches tbody tr td:first-child').allTextContents()).toEqual([title])
    await page.screenshot({ path: path.join(SHOTS, 'need-enterprise.png'), fullPage: true })
    expect(problems).toEqual([])
    await page.close()
  })
  it('shows a university its achievements and the needs a manager confirmed them for, and nothing before', async () => {
    const ent = await t.tenant('enterprise', 'enterprise')
    const uni = await t.tenant('university', 'university', '液冷技术研究院')
    const needId = await postNeed(t, ent.key, { ...CLEAR_NEED, visibility: 'public', external_id: 'console-uni-need' })
    const made = await t.request('/v1/achievements', {
      method: 'POST', key: uni.key,
      json: { title: '储能电池包液冷板流道拓扑优化设计', summary: '面向储能电池包的液冷板流道拓扑优化，电芯最大温差控制在3℃以内，液冷板压降低于30kPa。', field: '新能源-储能', maturity: 'pilot', external_id: 'console-uni-a' },
    })
    const achievementId = (await made.json()).id as string
    await t.settle()
    const { page, problems } = await open()
    await signIn(page, uni.key)
    await page.waitForSelector('#achievement-list')
    expect(await page.isHidden('[data-tab=needs]')).toBe(true)
    await page.click('text=储能电池包液冷板流道拓扑优化设计')
    await page.waitForSelector('text=技术经理人确认匹配后会显示在这里')
    // a manager confirms the pair through the API; the university's page then names the need
    const list = await (await t.request(`/v1/needs/${needId}/matches?limit=100`, { key: mgr.key })).json()
    const match = list.items.find((m: { item_id: string }) => m.item_id === achievementId)
    expect(match, 'the achievement was matched with the need').toBeDefined()
    expect((await t.request(`/v1/matches/${match.id}/review`, { method: 'POST', key: mgr.key, json: { decision: 'confirmed' } })).status).toBe(200)
    await page.reload()
    await page.waitForSelector('#item-matches')
    expect(await page.locator('#item-matches tbody tr td:first-child').allTextContents()).toEqual([CLEAR_NEED.title])
    expect(problems).toEqual([])
    await page.close()
  })
  it('lets a manager order a patent-navigation report, export it and confirm its summary', async () => {
    const { page, problems } = await open()
    await signIn(page, mgr.key)
    await page.click('[data-tab=navigation]')
    await page.waitForSelector('#new-report')
    await page.fill('#new-report [name=title]', '<b>锂电池</b>专利导航')
    await page.fill('#new-report [name=keywords]', '锂离子电池，电池')
    await page.click('#new-report button[type=submit]')
    await page.waitForSelector('#reports >> text=已完成', { timeout: 60_000 })
    expect(await page.locator('#reports tbody tr').first().locator('td').first().textContent()).toBe('<b>锂电池</b>专利导航')
    const download = page.waitForEvent('download')
    await page.locator('#reports tbody tr').first().locator('text=导出 HTML').click()
    const html = readFileSync((await (await download).path())!, 'utf8')
    expect(html).toContain('&lt;b&gt;锂电池&lt;/b&gt;专利导航')
    await page.locator('#reports button.confirm-report').first().click()
    await page.waitForSelector('#reports >> text=摘要已确认')
    await page.screenshot({ path: path.join(SHOTS, 'navigation.png') })
    expect(problems).toEqual([])
    await page.close()
  })
  it('lets a university import a spreadsheet from a template and read back each rejected row', async () => {
    const uni = await t.tenant('university', 'university', '导入测试大学')
    const { page, problems } = await open()
    await signIn(page, uni.key)
    await page.click('[data-tab=imports]')
    await page.waitForSelector('#new-import')
    // the kinds a university may import, and no organisation picker (it imports for itself)
    expect(await optionValues(page, '#new-import [name=kind] option')).toEqual(['achievement', 'patent'])
    expect(await page.locator('#new-import [name=org_id]').count()).toBe(0)
    expect(await page.isHidden('[data-tab=admin]')).toBe(true)
    const template = page.waitForEvent('download')
    await page.click('#template')
    const header = readFileSync((await (await template).path())!, 'utf8').replace(/^\ufeff/, '').split('\r\n')[0]!
    const cols = header.split(',')
    expect(cols).toContain('成果名称')
    const line = (v: Record<string, string>) => cols.map((c) => v[c] ?? '').join(',')
    const csv = [header,
      line({ 编号: 'UI-1', 成果名称: '<img src=x onerror=alert(1)>秸秆纤维复合板材', 成果简介: '以农作物秸秆为原料制备复合板材。', 成熟度: '中试', 状态: '已发布' }),
      line({ 编号: 'UI-2', 成果名称: '成熟度写错的一行', 成熟度: '差不多了' }),
      line({ 编号: 'UI-3', 成果名称: '低温等离子体废气处理装置', 价格: '50-80万元' }),
    ].join('\r\n')
    await page.setInputFiles('#new-import [name=file]', { name: '成果清单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await page.click('#new-import button[type=submit]')
    await page.waitForSelector('#import-status >> text=已完成', { timeout: 60_000 })
    expect(await page.textContent('#import-status')).toContain('新增 2')
    expect(await page.textContent('#import-status')).toContain('拒绝 1')
    expect(await page.textContent('#main')).not.toContain('null')
    const rejected = await page.locator('#rejected tbody tr td').allTextContents()
    expect(rejected.slice(0, 2)).toEqual(['3', 'maturity'])
    expect(rejected[2]).toContain('差不多了')
    const errors = page.waitForEvent('download')
    await page.click('#errors-csv')
    expect(readFileSync((await (await errors).path())!, 'utf8')).toContain('成熟度写错的一行')
    await page.screenshot({ path: path.join(SHOTS, 'import.png'), fullPage: true })
    // the imported rows are the university's achievements, their titles shown as text
    await page.click('[data-tab=achievements]')
    await page.waitForSelector('#achievement-list')
    expect(await page.locator('#achievement-list tbody tr td:first-child').allTextContents()).toEqual(
      expect.arrayContaining(['<img src=x onerror=alert(1)>秸秆纤维复合板材', '低温等离子体废气处理装置']))
    expect(problems).toEqual([])
    await page.close()
  })

  it('shows a university its patents, each with its facts and the needs it was confirmed for', async () => {
    const uni = await t.tenant('university', 'university', '专利很多的大学')
    const form = new FormData()
    form.set('file', new File([JSON.stringify({ publication_number: 'CN119777001A', title: '<i>一种</i>锂电池健康状态估计方法', abstract: '基于电化学阻抗谱估计锂电池健康状态。', legal_status: 'valid', patent_type: 'invention', ipc_main: 'H01M10/42', application_date: '2023-03-01' })], 'p.jsonl'))
    form.set('kind', 'patent')
    const up = await (await t.request('/v1/imports', { method: 'POST', key: uni.key, body: form })).json()
    await t.job(up.job_id)
    await t.settle()
    const { page, problems } = await open()
    await signIn(page, uni.key)
    await page.click('[data-tab=patents]')
    await page.waitForSelector('#patent-list')
    expect(await page.locator('#patent-list tbody tr td').allTextContents()).toEqual(['<i>一种</i>锂电池健康状态估计方法', 'CN119777001A', '发明', '有效', 'H01M10/42'])
    await page.click('#patent-list a')
    await page.waitForSelector('text=技术经理人确认匹配后会显示在这里')
    expect(await page.textContent('#main .card p.muted')).toBe('CN119777001A · 发明 · 有效 · H01M10/42 · 申请日 2023-03-01')
    expect(problems).toEqual([])
    await page.close()
  })

  it('lets an enterprise edit its brief section by section, compare versions, and take it through the 榜单 stages', async () => {
    const ent = await t.tenant('enterprise', 'enterprise', '榜单编辑示范公司')
    const needId = await postNeed(t, ent.key, { ...CLEAR_NEED, external_id: 'console-brief-edit' })
    const b1 = await draft(t, ent.key, needId, { writer: 'template' })
    expect(b1.version).toBe(1)
    const { page, problems } = await open()
    await signIn(page, ent.key)
    await page.goto(`${base}/console#needs/${needId}`)
    await page.click(`#briefs a`)
    await page.waitForSelector('#brief-form')
    expect(await page.getAttribute('[data-tab=needs]', 'aria-current')).toBe('page')
    expect(await page.textContent('#clarity')).toContain(`清晰度 Clarity ${b1.clarity.score}/100`)
    expect(await page.inputValue('#brief-form [name=title]')).toBe(b1.content.title)
    const indicators = await page.locator('#indicators tbody tr').count()
    expect(indicators).toBe(b1.content.indicators.length)

    // someone else saves first: this page's save is refused, nothing is overwritten
    const other = await t.request(`/v1/briefs/${b1.id}`, { method: 'PATCH', key: ent.key, json: { base_version: 1, content: { duration: '10个月' } } })
    expect(other.status).toBe(200)
    await page.fill('#brief-form [name=problem]', '页面上改写的技术难题')
    await page.click('#save-brief')
    await page.waitForSelector('#message .error')
    expect(await page.textContent('#message')).toContain('已被他人修改')

    await page.reload()
    await page.waitForSelector('#save-brief >> text=保存为 v3')
    expect(await page.inputValue('#brief-form [name=duration]')).toBe('10个月')
    await page.fill('#brief-form [name=problem]', '液冷板流道设计：<b>电芯最大温差≤3℃</b>')
    await page.click('#add-indicator')
    const added = page.locator('#indicators tbody tr').last()
    await added.locator('[data-k=name]').fill('噪声')
    await added.locator('[data-k=target]').fill('≤55')
    await added.locator('[data-k=unit]').fill('dB')
    await page.fill('#brief-form [name=deliverables]', '液冷板设计方案\n样件3套')
    // a target restated by a person is no longer the need's words
    await page.locator('#indicators tbody tr').first().locator('[data-k=target]').fill('≤2.5')
    await page.click('#save-brief')
    await page.waitForSelector('text=已编辑 v3')
    expect(await page.textContent('#message')).toContain('已保存为 v3 Saved：技术难题、主要技术指标、预期成果形式')

    await page.click('button[aria-label="对比 v2 v3"]')
    await page.waitForSelector('#diff-table')
    const diff = await page.locator('#diff-table tbody tr td:first-child').allTextContents()
    expect(diff).toEqual(['技术难题', '主要技术指标', '预期成果形式'])
    expect(await page.textContent('#diff-table')).toContain('新增「噪声」')
    expect(await page.textContent('#diff-table')).toContain('修改「电芯最大温差」')
    await page.screenshot({ path: path.join(SHOTS, 'brief-edit.png'), fullPage: true })

    await page.click('#confirm-brief')
    await page.waitForSelector('#publish-brief')
    await page.click('#publish-brief')
    await page.waitForSelector('#next-stage')
    expect(await page.locator('#brief-form [name=problem]').getAttribute('readonly')).not.toBeNull()
    await page.click('#next-stage')
    await page.waitForSelector('text=榜单阶段 待揭榜')

    const b = await (await t.request(`/v1/briefs/${b1.id}`, { key: ent.key })).json()
    expect(b).toMatchObject({ status: 'published', stage: 'awaiting', version: 3, confirmed_version: 3, writer: 'person' })
    expect(b.content.problem).toBe('液冷板流道设计：<b>电芯最大温差≤3℃</b>')
    expect(b.content.duration).toBe('10个月')
    expect(b.content.deliverables).toEqual(['液冷板设计方案', '样件3套'])
    expect(b.content.indicators).toHaveLength(indicators + 1)
    expect(b.content.indicators.at(-1)).toMatchObject({ name: '噪声', target: '≤55', unit: 'dB', basis: '人工填写' })
    // the indicators read from the need keep their quotes
    expect(b.content.indicators[0]).toEqual({ ...b1.content.indicators[0], target: '≤2.5', basis: '人工填写', quote: undefined })
    expect(b.content.indicators.slice(1, indicators)).toEqual(b1.content.indicators.slice(1))
    expect(problems).toEqual([])
    await page.close()

    // another enterprise that opens the brief's address learns nothing about it
    const stranger = await t.tenant('enterprise', 'enterprise')
    const s2 = await open()
    await signIn(s2.page, stranger.key)
    await s2.page.goto(`${base}/console#briefs/${b1.id}`)
    await s2.page.waitForSelector('#message .error')
    expect(await s2.page.textContent('#message')).toContain('资源不存在')
    expect(await s2.page.textContent('body')).not.toContain(CLEAR_NEED.title)
    await s2.page.close()
  })

  it('lets an enterprise post a need and edit it, with the API errors shown per field', async () => {
    const ent = await t.tenant('enterprise', 'enterprise', '发布需求示范公司')
    const { page, problems } = await open()
    await signIn(page, ent.key)
    await page.waitForSelector('#post-need')
    await page.click('#post-need summary')
    const f = '#needs-form'
    await page.fill(`${f} [name=title]`, '<script>alert(1)</script>高盐废水零排放工艺')
    await page.fill(`${f} [name=description]`, '我司化工园区高盐废水需实现零排放，希望蒸发结晶能耗降低30%。')
    await page.click(`${f} .add-indicator`)
    await page.locator(`${f} .indicators tbody tr`).last().locator('[data-k=name]').fill('吨水能耗')
    await page.locator(`${f} .indicators tbody tr`).last().locator('[data-k=target]').fill('≤25')
    await page.locator(`${f} .indicators tbody tr`).last().locator('[data-k=unit]').fill('kWh')
    await page.fill(`${f} [name=budget_min]`, '80')
    await page.fill(`${f} [name=budget_max]`, '50')
    await page.check(`${f} input[value=co_development]`)
    await page.selectOption(`${f} [name=visibility]`, 'public')
    await page.click(`${f} button[type=submit]`)
    // the API's own check, shown with its field
    await page.waitForSelector('#message .error')
    expect(await page.textContent('#message')).toContain('budget_max')
    await page.screenshot({ path: path.join(SHOTS, 'need-form.png'), fullPage: true })
    await page.fill(`${f} [name=budget_max]`, '120')
    await page.click(`${f} button[type=submit]`)
    await page.waitForSelector('#edit-need')
    expect(await page.textContent('h2')).toBe('<script>alert(1)</script>高盐废水零排放工艺')
    const needId = page.url().split('/').pop()!
    const made = await (await t.request(`/v1/needs/${needId}`, { key: ent.key })).json()
    expect(made).toMatchObject({ budget_min: 800000, budget_max: 1200000, cooperation_modes: ['co_development'], visibility: 'public', status: 'open', industry: null })
    expect(made.indicators).toEqual([{ name: '吨水能耗', target: '≤25', unit: 'kWh' }])

    await page.click('#edit-need summary')
    // nothing touched, nothing sent
    await page.click('#needs-form button[type=submit]')
    await page.waitForSelector('#message >> text=没有修改')
    await page.fill('#needs-form [name=industry]', '节能环保')
    await page.selectOption('#needs-form [name=status]', 'closed')
    await page.click('#needs-form button[type=submit]')
    await page.waitForSelector('text=closed · public · 节能环保')
    const edited = await (await t.request(`/v1/needs/${needId}`, { key: ent.key })).json()
    expect(edited).toMatchObject({ status: 'closed', industry: '节能环保', budget_min: 800000, title: made.title })
    // the edit changed those two fields and nothing else (one audit event naming them)
    const audit = await t.db.query<{ digest: { changed: Record<string, unknown> } }>("SELECT digest FROM audit_events WHERE object_id = $1 AND action = 'need.update'", [needId])
    expect(audit.rows.map((r) => Object.keys(r.digest.changed).sort())).toEqual([['industry', 'status']])
    expect(problems).toEqual([])
    await page.close()
  })

  it('lets a university register an achievement and edit it', async () => {
    const uni = await t.tenant('university', 'university', '登记成果示范大学')
    const { page, problems } = await open()
    await signIn(page, uni.key)
    await page.waitForSelector('#add-achievement')
    await page.click('#add-achievement summary')
    const f = '#achievements-form'
    await page.fill(`${f} [name=title]`, '高盐废水低能耗蒸发结晶技术')
    await page.fill(`${f} [name=summary]`, 'MVR 蒸发与分盐结晶耦合，吨水能耗低于25 kWh。')
    await page.fill(`${f} [name=keywords]`, 'MVR，分盐、零排放')
    await page.selectOption(`${f} [name=maturity]`, 'small_pilot')
    await page.check(`${f} input[value=license]`)
    await page.fill(`${f} [name=price_min]`, '30')
    await page.click(`${f} button[type=submit]`)
    await page.waitForSelector('#edit-achievement')
    const id = page.url().split('/').pop()!
    expect(await (await t.request(`/v1/achievements/${id}`, { key: uni.key })).json()).toMatchObject({
      keywords: ['MVR', '分盐', '零排放'], maturity: 'small_pilot', transfer_modes: ['license'], price_min: 300000, status: 'active',
    })
    await page.click('#edit-achievement summary')
    await page.selectOption('#achievements-form [name=maturity]', 'pilot')
    await page.fill('#achievements-form [name=price_min]', '')
    await page.click('#achievements-form button[type=submit]')
    await page.waitForSelector('text=已保存')
    expect(await (await t.request(`/v1/achievements/${id}`, { key: uni.key })).json()).toMatchObject({ maturity: 'pilot', price_min: null })
    expect(problems).toEqual([])
    await page.close()
  })

  it('gives judges scoring links that they open on a phone to score the programme, until revoked', async () => {
    const rs = await (await t.request('/v1/roadshows', { method: 'POST', key: org.key, json: { title: '<i>评分</i>专场', theme: { keywords: ['视觉', '机器人'] }, size: 2, starts_at: '2026-12-10T06:00:00Z' } })).json()
    expect((await t.request(`/v1/roadshows/${rs.id}/confirm`, { method: 'POST', key: org.key, json: { version: 1 } })).status).toBe(200)
    const { page, problems } = await open()
    await signIn(page, org.key)
    await page.goto(`${base}/console#roadshows/${rs.id}`)
    await page.waitForSelector('#judge-form')
    const links: string[] = []
    for (const name of ['评委甲', '评委乙', '评委丙']) {
      await page.fill('#judge-form [name=judge]', name)
      await page.click('#judge-form button[type=submit]')
      await page.waitForSelector(`#judge-link >> text=${name}`)
      links.push(await page.inputValue('#judge-link input'))
    }
    expect(links[0]).toMatch(new RegExp(`^${base}/console/judge#rj_`))
    expect(await page.locator('#judge-list tbody tr').count()).toBe(3)

    // each judge opens their link on a phone and scores the first entry
    const first = rs.entries[0].title as string
    for (const [i, score] of [90, 70, 80].entries()) {
      const phone = await browser!.newPage({ viewport: { width: 390, height: 844 }, timezoneId: 'Asia/Shanghai' })
      const errs: string[] = []
      phone.on('pageerror', (e) => errs.push(e.message))
      await phone.goto(links[i]!)
      await phone.waitForSelector('#judge-entries')
      // the token leaves the address bar at once
      expect(phone.url()).toBe(`${base}/console/judge`)
      expect(await phone.textContent('h2')).toBe('<i>评分</i>专场')
      expect(await phone.textContent('#judge-entries article:first-child')).toContain('14:00-14:15')
      await phone.fill(`#judge-entries input[aria-label="${first} 分数 score"]`, String(score))
      await phone.click(`#judge-entries button[aria-label="提交 ${first}"]`)
      await phone.waitForSelector(`#judge-entries >> text=已保存 ${score}`)
      if (i === 0) await phone.screenshot({ path: path.join(SHOTS, 'judge-phone.png'), fullPage: true })
      expect(errs).toEqual([])
      await phone.close()
    }
    await page.reload()
    await page.waitForSelector('#results')
    expect(await page.locator('#results tbody tr').first().textContent()).toContain('80')

    // revoked: the link no longer opens anything
    await page.click('#judge-list button[aria-label="撤销 评委甲"]')
    await page.click('#judge-list button:has-text("确认撤销")')
    await page.waitForSelector('#judge-list >> text=已撤销')
    const phone = await browser!.newPage()
    await phone.goto(links[0]!)
    await phone.waitForSelector('text=评分链接无效或已被组织者撤销')
    // a link cut short by a chat app, opened in a tab that held another judge's link, scores as nobody
    // (opening another link in the same tab changes only the fragment; the page starts again from it)
    await phone.goto(links[1]!)
    await phone.waitForSelector('#judge-entries')
    expect(await phone.textContent('#who')).toBe('评委 评委乙')
    await phone.goto(`${base}/console/judge#${links[2]!.split('#')[1]!.slice(0, 20)}`)
    await phone.waitForSelector('text=请使用组织者发给你的评分链接打开本页')
    await phone.close()
    expect(await page.textContent('#judges')).not.toContain('null')
    await page.screenshot({ path: path.join(SHOTS, 'judge-links.png'), fullPage: true })
    expect(problems).toEqual([])
    await page.close()
  })

  it('lets an organiser put a break into the programme, and shows it with its time', async () => {
    // a lunch after the last entry is stored but not shown; the page must not lose it
    const rs = await (await t.request('/v1/roadshows', { method: 'POST', key: org.key, json: { title: '茶歇专场', theme: { keywords: ['视觉', '机器人'] }, size: 3, per_org_max: 3, starts_at: '2026-12-10T06:00:00Z', breaks: [{ after: 3, minutes: 60, label: '午休' }] } })).json()
    const { page, problems } = await open()
    await signIn(page, org.key)
    await page.goto(`${base}/console#roadshows/${rs.id}`)
    // open already: the roadshow has a (stored, not shown) break
    await page.waitForSelector('#add-break')
    await page.click('#add-break')
    await page.fill('[aria-label="休息 2 after"]', '1')
    await page.fill('[aria-label="休息 2 minutes"]', '20')
    await page.click('#save')
    await page.waitForSelector('text=草稿 v2')
    expect(await page.textContent('#programme tr.pause')).toContain('14:15-14:35茶歇（20 分钟）')
    const times = await page.locator('#programme tbody tr:not(.pause) td:nth-child(2)').allTextContents()
    expect(times).toEqual(['14:00-14:15', '14:35-14:50', '14:50-15:05'])
    const saved = await (await t.request(`/v1/roadshows/${rs.id}`, { key: org.key })).json()
    expect(saved.breaks.map((b: { after: number; label: string }) => `${b.after}${b.label}`)).toEqual(['1茶歇', '3午休'])
    // a reorder alone leaves the breaks as they are
    await page.click(`#programme button[aria-label="下移 ${saved.entries[1].title}"]`)
    await page.click('#save')
    await page.waitForSelector('text=草稿 v3')
    const again = await (await t.request(`/v1/roadshows/${rs.id}`, { key: org.key })).json()
    expect(again.breaks).toEqual(saved.breaks)
    await page.screenshot({ path: path.join(SHOTS, 'roadshow-break.png'), fullPage: true })
    expect(problems).toEqual([])
    await page.close()
  })

  it('lets a manager import for a university it picks, and lists imports with their organisation', async () => {
    await t.tenant('university', 'university', '经理人代导入大学')
    const { page, problems } = await open()
    await signIn(page, mgr.key)
    await page.click('[data-tab=imports]')
    await page.waitForSelector('#new-import [name=org_id]')
    expect(await optionValues(page, '#new-import [name=kind] option')).toEqual(['achievement', 'patent', 'need'])
    // only organisations that may own the kind are offered
    const uniOption = page.locator('#new-import [name=org_id] option', { hasText: '经理人代导入大学' })
    await page.selectOption('#new-import [name=org_id]', (await uniOption.getAttribute('value'))!)
    await page.setInputFiles('#new-import [name=file]', { name: 'one.jsonl', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ title: '代导入的成果：智能灌溉控制器', summary: '按土壤墒情自动灌溉。' })) })
    await page.click('#new-import button[type=submit]')
    await page.waitForSelector('#import-status >> text=已完成', { timeout: 60_000 })
    await page.click('text=← 导入列表 All imports')
    await page.waitForSelector('#import-list')
    expect(await page.locator('#import-list tbody tr').first().textContent()).toContain('经理人代导入大学')
    await page.selectOption('#new-import [name=kind]', 'need')
    expect(await page.locator('#new-import [name=org_id] option', { hasText: '经理人代导入大学' }).count()).toBe(0)
    expect(problems).toEqual([])
    await page.close()
  })

  it('shows the page last asked for, even when the page before answers later', async () => {
    const admin = await t.tenant('platform', 'admin')
    const { page, problems } = await open()
    // the first page (needs) answers slowly, as on a loaded database; the person moves on meanwhile
    await page.route('**/v1/needs?*', async (r) => {
      await new Promise((res) => setTimeout(res, 1500))
      await r.continue()
    })
    await signIn(page, admin.key)
    await page.click('[data-tab=admin]')
    await page.waitForSelector('#new-org')
    await page.waitForTimeout(2500)
    expect(await page.locator('#new-org').count()).toBe(1)
    expect(await page.locator('#need-list').count()).toBe(0)
    expect(problems).toEqual([])
    await page.close()
  })

  it('pages through a long list of needs', async () => {
    const ent = await t.tenant('enterprise', 'enterprise', '需求很多的公司')
    const rows = Array.from({ length: 57 }, (_, i) => JSON.stringify({ external_id: `many-${i}`, title: `批量需求第${i + 1}项：工业废水深度处理`, description: '需要一套工业废水深度处理工艺。', status: 'draft' }))
    const form = new FormData()
    form.set('file', new File([rows.join('\n')], 'needs.jsonl'))
    form.set('kind', 'need')
    const up = await (await t.request('/v1/imports', { method: 'POST', key: ent.key, body: form })).json()
    await t.job(up.job_id)
    await t.settle()
    const { page, problems } = await open()
    await signIn(page, ent.key)
    await page.waitForSelector('#need-list')
    expect(await page.locator('#need-list tbody tr').count()).toBe(50)
    await page.click('#need-list-more')
    await page.waitForSelector('#need-list tbody tr:nth-child(57)')
    expect(await page.locator('#need-list-more').count()).toBe(0)
    const titles = await page.locator('#need-list tbody tr td:first-child').allTextContents()
    expect(new Set(titles).size).toBe(57)
    expect(problems).toEqual([])
    await page.close()
  })

  it('lets an admin create an organisation and a key shown once, which works until it is revoked', async () => {
    const admin = await t.tenant('platform', 'admin')
    const { page, problems } = await open()
    await signIn(page, admin.key)
    await page.click('[data-tab=admin]')
    await page.waitForSelector('#new-org')
    await page.fill('#new-org [name=name]', '<script>alert(1)</script>新材料科技有限公司')
    await page.selectOption('#new-org [name=kind]', 'enterprise')
    await page.fill('#new-org [name=region]', '江苏')
    await page.click('#new-org button[type=submit]')
    await page.waitForSelector('#new-key')
    expect(await page.textContent('h2')).toBe('<script>alert(1)</script>新材料科技有限公司')
    // an enterprise's keys can only be enterprise keys
    expect(await optionValues(page, '#new-key [name=role] option')).toEqual(['enterprise'])
    await page.fill('#new-key [name=name]', '采购部')
    await page.click('#new-key button[type=submit]')
    await page.waitForSelector('#new-key-secret input')
    const secret = await page.inputValue('#new-key-secret input')
    expect(secret.length).toBeGreaterThan(20)
    await page.screenshot({ path: path.join(SHOTS, 'admin-key.png'), fullPage: true })
    // the secret is on this page only: the list shows its prefix, the API never returns it again
    const orgId = page.url().split('/').pop()!
    const keys = await (await t.request(`/v1/orgs/${orgId}/keys`, { key: admin.key })).json()
    expect(JSON.stringify(keys)).not.toContain(secret)

    const other = await open()
    await signIn(other.page, secret)
    expect(await other.page.textContent('#who')).toContain('企业')

    // two clicks revoke (no dialog); the new key then signs its page out
    await page.click('#key-list button[aria-label="撤销 采购部"]')
    await page.click('#key-list button:has-text("确认撤销")')
    await page.waitForSelector('#key-list >> text=已撤销')
    await other.page.click('[data-tab=imports]')
    await other.page.waitForSelector('#signin')
    expect(await other.page.textContent('#message')).toContain('密钥无效')
    expect(other.problems).toEqual([])
    await other.page.close()

    // the audit trail has it all, with the fields each event changed (never their values)
    await page.click('[data-tab=audit]')
    await page.waitForSelector('#audit-list')
    await page.fill('#audit-filter [name=object_id]', orgId)
    await page.click('#audit-filter button[type=submit]')
    await page.waitForSelector('#audit-list >> text=org.create')
    const rows = await page.locator('#audit-list tbody tr').allTextContents()
    expect(rows.find((r) => r.includes('org.create'))).toContain('kind, name, region')
    expect(rows.join('')).not.toContain('新材料科技有限公司')
    await page.fill('#audit-filter [name=object_id]', '')
    await page.fill('#audit-filter [name=action]', 'key.revoke')
    await page.click('#audit-filter button[type=submit]')
    await page.waitForSelector('#audit-list >> text=key.revoke')
    expect(await page.locator('#audit-list tbody tr td:nth-child(3)').allTextContents()).toEqual(expect.arrayContaining(['key.revoke']))
    expect(new Set(await page.locator('#audit-list tbody tr td:nth-child(3)').allTextContents())).toEqual(new Set(['key.revoke']))
    expect(problems).toEqual([])
    await page.close()
  })
})
