// A loopback HTTP server for provider tests (real SDK, real HTTP): hands each request's parsed JSON body to `onJson`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

// `any` on purpose: request bodies are read loosely by each test
export async function loopbackServer(onJson: (body: any, res: ServerResponse, req: IncomingMessage) => void) {
  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (d) => (raw += d))
    req.on('end', () => onJson(JSON.parse(raw), res, req))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
