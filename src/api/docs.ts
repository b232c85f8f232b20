// The API reference at /docs, entirely same-origin: Swagger UI's assets come from the pinned npm package
// swagger-ui-dist, streamed from node_modules, so the page renders offline and on networks that cannot reach a CDN.
import { createReadStream, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from './env'

const require = createRequire(import.meta.url)
// absolute-path.js rather than the package's main, which would evaluate the 1.7 MB browser bundle in Node
const getAbsoluteFSPath = require('swagger-ui-dist/absolute-path.js') as () => string
const SWAGGER_DIR = getAbsoluteFSPath()
export const SWAGGER_UI_VERSION = (require('swagger-ui-dist/package.json') as { version: string }).version

/** The only files served from the package (nothing else under node_modules is reachable). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
}

// The page's own start-up script, served as a file so the page needs no inline script (see the CSP below).
// validatorUrl null: Swagger UI would otherwise load a badge image from validator.swagger.io.
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
})
`

const v = encodeURIComponent(SWAGGER_UI_VERSION)
const PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API 文档 · API reference — 科技成果转化智能撮合</title>
<link rel="icon" type="image/png" sizes="32x32" href="/docs/assets/favicon-32x32.png?v=${v}">
<link rel="icon" type="image/png" sizes="16x16" href="/docs/assets/favicon-16x16.png?v=${v}">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css?v=${v}">
</head>
<body>
<noscript>此页面需要 JavaScript；机器可读的接口说明见 /openapi.json / This page needs JavaScript; the machine-readable reference is /openapi.json</noscript>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js?v=${v}"></script>
<script src="/docs/assets/docs-init.js?v=${v}"></script>
</body>
</html>
`

// The browser itself refuses anything not from this origin (Swagger UI sets inline styles, hence style-src 'unsafe-inline').
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

export function registerDocs(app: OpenAPIHono<AppEnv>) {
  app.get('/docs', (c) => c.html(PAGE, 200, { 'content-security-policy': CSP, 'cache-control': 'no-cache' }))
  app.get('/docs/assets/docs-init.js', (c) =>
    c.body(INIT_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' }),
  )
  app.get('/docs/assets/:file', (c) => {
    const file = c.req.param('file')
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined
    if (!type) return c.notFound()
    const full = path.join(SWAGGER_DIR, file)
    const headers = {
      'content-type': type,
      'content-length': String(statSync(full).size),
      // the version is in the URL (?v=), so a new swagger-ui-dist is fetched anew
      'cache-control': 'public, max-age=86400',
      'x-content-type-options': 'nosniff',
    }
    // HEAD: no file opened (a stream nobody reads would hold its descriptor)
    if (c.req.method === 'HEAD') return c.body(null, 200, headers)
    return c.body(Readable.toWeb(createReadStream(full)) as ReadableStream<Uint8Array>, 200, headers)
  })
}
