// A roadshow programme's HTML in headless Chromium: the table reads as a programme (slot times, Chinese text), the
// page loads nothing and runs no script (a title carrying one stays text), and it prints to PDF. Skips, saying why,
// where Chromium is not installed.
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app'
import { chromiumAvailable, launchChromium, recordPage, warnIfNoChromium } from '../helpers/browser'
import { loadDemoData } from '../helpers/demo'

warnIfNoChromium('tests/e2e/roadshows.browser.test.ts')

let t: TestApp
let browser: Browser | undefined
let html = ''

describe.skipIf(!chromiumAvailable)('roadshow programme in a browser', () => {
  beforeAll(async () => {
    t = await createTestApp({}, { isolated: true })
    await loadDemoData(t.rt)
    await t.settle()
    const org = await t.tenant('organizer', 'organizer')
    const r = await (await t.request('/v1/roadshows', {
      method: 'POST', key: org.key,
      json: { title: '<script>alert(1)</script>智能制造专场路演', theme: { industry: '智能制造', keywords: ['视觉', '机器人'] }, size: 4, per_org_max: 3, starts_at: '2026-12-10T14:00:00+08:00' },
    })).json()
    await t.request(`/v1/roadshows/${r.id}/confirm`, { method: 'POST', key: org.key, json: { version: 1 } })
    html = await (await t.request(`/v1/roadshows/${r.id}/export?format=html`, { key: org.key })).text()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await t?.close()
  })

  it('shows the programme with slot times, loads nothing, runs no script, and prints', async () => {
    const page = await browser!.newPage({ viewport: { width: 1100, height: 700 }, javaScriptEnabled: true })
    const { requests, dialogs } = recordPage(page)
    await page.setContent(html, { waitUntil: 'load' })
    expect(await page.title()).toBe('<script>alert(1)</script>智能制造专场路演')
    expect(await page.locator('h1').textContent()).toBe('<script>alert(1)</script>智能制造专场路演')
    expect(await page.locator('p.meta').first().textContent()).toBe('成果路演 · 已确认 v1')
    const rows = page.locator('tbody tr')
    expect(await rows.count()).toBe(4)
    expect(await rows.nth(0).locator('td').nth(1).textContent()).toBe('14:00-14:15')
    expect(await rows.nth(3).locator('td').nth(1).textContent()).toBe('14:45-15:00')
    // the table fits the page: no cell spills past the viewport
    const box = (await page.locator('table').boundingBox())!
    expect(box.x + box.width).toBeLessThanOrEqual(1100)
    const dir = path.join(tmpdir(), 'roadshow-screens')
    mkdirSync(dir, { recursive: true })
    await page.screenshot({ path: path.join(dir, 'programme.png'), fullPage: true })
    const pdf = await page.pdf({ format: 'A4', landscape: true })
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([])
    expect(dialogs).toEqual([])
    await page.close()
  })
})
