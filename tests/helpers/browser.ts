// Headless Chromium for the browser tests: Debian's package (scripts/install-chromium.sh), driven by playwright-core.
// Where it is missing, a test file skips and says why.
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'

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
