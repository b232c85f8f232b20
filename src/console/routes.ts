// The web console at /console: static files (src/console/assets: a page, ES modules, a style sheet) that call the /v1
// API from the browser with the key a person pastes. No server-side session and no route of its own beyond the files: the console can do exactly
// what its key may do through the API, and every check stays in the API.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../api/env'

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets')
const JS = 'text/javascript; charset=utf-8'
const FILES: Record<string, string> = { 'app.js': JS, 'core.js': JS, 'imports.js': JS, 'admin.js': JS, 'briefs.js': JS, 'forms.js': JS, 'judge.js': JS, 'app.css': 'text/css; charset=utf-8' }
// read once at start: a handful of kilobytes
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8')
const PAGE = read('index.html')
const JUDGE_PAGE = read('judge.html')
const ASSETS = Object.fromEntries(Object.keys(FILES).map((f) => [f, read(f)]))

// only this origin's script and style (no inline script, no eval); API calls go to the same origin
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

export function registerConsole(app: OpenAPIHono<AppEnv>) {
  const headers = { 'content-security-policy': CONSOLE_CSP, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' }
  app.get('/', (c) => c.redirect('/console', 302))
  app.get('/console', (c) => c.html(PAGE, 200, headers))
  // a judge's scoring page: the token rides in the link's fragment, which no request carries
  app.get('/console/judge', (c) => c.html(JUDGE_PAGE, 200, headers))
  app.get('/console/assets/:file', (c) => {
    const file = c.req.param('file')
    if (!Object.hasOwn(FILES, file)) return c.notFound()
    return c.body(ASSETS[file]!, 200, { ...headers, 'content-type': FILES[file]! })
  })
}
