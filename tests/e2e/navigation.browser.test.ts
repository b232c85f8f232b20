// A navigation report's HTML in headless Chromium: it renders offline with its charts, runs no script (the patent
// title carrying one stays text), and prints to PDF. Skips, saying why, where Chromium is not installed.
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { chromiumAvailable, launchChromium, recordPage, warnIfNoChromium } from '../helpers/browser'
import { EVIL, loadNavFixture } from '../fixtures/navigation'

warnIfNoChromium('tests/e2e/navigation.browser.test.ts')

let t: TestApp
let browser: Browser | undefined
let html = ''

describe.skipIf(!chromiumAvailable)('navigation report in a browser', () => {
  beforeAll(async () => {
    t = await createTestApp({}, { isolated: true })
    await loadNavFixture(t)
    const mgr = await t.tenant('transfer_center', 'manager')
    const r = await (await t.request('/v1/navigation-reports', { key: mgr.key, method: 'POST', json: { title: '固态电解质专利导航', scope: { keywords: ['固态电解质'] } } })).json()
    await t.job(r.job_id)
    html = await (await t.request(`/v1/navigation-reports/${r.id}?format=html`, { key: mgr.key })).text()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('shows every section with its charts, loads nothing, runs no script, and prints', async () => {
    const page = await browser!.newPage({ viewport: { width: 1000, height: 1400 }, javaScriptEnabled: true })
    const { requests, dialogs } = recordPage(page)
    await page.setContent(html, { waitUntil: 'load' })
    expect(await page.title()).toBe('固态电解质专利导航 · 专利导航报告')
    const headings = await page.locator('h2').allTextContents()
    expect(headings).toHaveLength(10)
    expect(headings[0]).toBe('一、导航目标与检索范围')
    // charts are inline SVG with Chinese text, drawn at a readable size
    const charts = page.locator('figure.chart svg')
    expect(await charts.count()).toBeGreaterThanOrEqual(6)
    const box = await charts.first().boundingBox()
    expect(box!.width).toBeGreaterThan(500)
    expect(await page.locator('figure.chart svg text', { hasText: '申请量' }).count()).toBeGreaterThan(0)
    // the patent title with a script tag is shown as text, and no script ran
    expect(await page.locator('td', { hasText: EVIL }).count()).toBeGreaterThan(0)
    expect(dialogs).toEqual([])
    expect(await page.locator('script').count()).toBe(0)
    expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([])
    const pdf = await page.pdf({ format: 'A4' })
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    await page.close()
  })
})
