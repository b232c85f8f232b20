// Headless Chromium for the browser tests: Debian's package (scripts/install-chromium.sh), driven by playwright-core.
// Where it is missing, a test file skips and says why.
import { existsSync } from 'node:fs'
import { chromium, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const chromiumAvailable = existsSync(CHROMIUM)

/** Warns, naming the file, when the browser tests of `file` will skip. */
export function warnIfNoChromium(file: string) {
  if (!chromiumAvailable) console.warn(`SKIPPED ${file}: no Chromium at ${CHROMIUM} (bash scripts/install-chromium.sh)`)
}

export const launchChromium = () =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })

/** What a page did that a static report must never do: requests (any URL) and dialogs (a script ran), as they happen. */
export function recordPage(page: Page): { requests: string[]; dialogs: string[] } {
  const requests: string[] = []
  const dialogs: string[] = []
  page.on('request', (req) => requests.push(req.url()))
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  return { requests, dialogs }
}
