import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebhookSender, type Resolver } from '../../src/application/webhook-sender.js'

/**
 * The shared connection pool of webhook attempts (issue 13 performance work): connections are reused (keep-alive),
 * and the SSRF guard runs again at every new connection, on the address really connected to — even when the
 * attempt's own check (resolveTarget) is bypassed, as after a DNS answer that changed in between (rebinding).
 */
async function loopbackServer (t: Test): Promise<{ port: number; connections: () => number; requests: () => number }> {
  let connections = 0
  let requests = 0
  const server = createServer((req, res) => {
    requests++
    req.resume()
    req.on('end', () => { res.writeHead(204).end() })
  })
  server.on('connection', () => { connections++ })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) })
  return { port: (server.address() as AddressInfo).port, connections: () => connections, requests: () => requests }
}

const headers = { 'content-type': 'application/json' }

t.test('allow-listed host: attempts share one keep-alive connection', async (t) => {
  const srv = await loopbackServer(t)
  const sender = new WebhookSender({ allowedHosts: [`127.0.0.1:${srv.port}`], resolve: async () => [] })
  t.teardown(async () => { await sender.close() })
  const url = new URL(`http://127.0.0.1:${srv.port}/hook`)
  for (let i = 0; i < 20; i++) {
    const r = await sender.send({ url, address: null, family: 0 }, headers, '{}')
    t.equal(r.statusCode, 204, r.error ?? '')
  }
  t.equal(srv.requests(), 20)
  t.ok(srv.connections() <= 2, 'twenty sequential attempts reuse their connection (one, or two when a request is sent before the previous connection is back in the pool)')
})

t.test('a name resolving to a refused address at connection time: no connection', async (t) => {
  const srv = await loopbackServer(t)
  let lookups = 0
  // public at the attempt's check, loopback when the connection is opened (rebinding)
  const resolve: Resolver = async () => { lookups++; return [{ address: '127.0.0.1', family: 4 }] }
  const sender = new WebhookSender({ allowedHosts: [], resolve })
  t.teardown(async () => { await sender.close() })
  const r = await sender.send({ url: new URL(`http://rebind.example.com:${srv.port}/hook`), address: '93.184.216.34', family: 4 }, headers, '{}')
  t.equal(r.statusCode, null)
  t.match(r.error, /refused range \(loopback\)/)
  t.ok(lookups > 0, 'resolved at connection time')
  t.equal(srv.connections(), 0, 'no connection attempted')
})

t.test('a literal refused address at connection time: no connection', async (t) => {
  const srv = await loopbackServer(t)
  const sender = new WebhookSender({ allowedHosts: [], resolve: async () => [] })
  t.teardown(async () => { await sender.close() })
  const r = await sender.send({ url: new URL(`http://127.0.0.1:${srv.port}/hook`), address: '127.0.0.1', family: 4 }, headers, '{}')
  t.equal(r.statusCode, null)
  t.match(r.error, /refused range \(loopback\)/)
  t.equal(srv.connections(), 0, 'no connection attempted')
})

t.test('one answer among several refused: the whole name is refused', async (t) => {
  const srv = await loopbackServer(t)
  const sender = new WebhookSender({ allowedHosts: [], resolve: async () => [{ address: '93.184.216.34', family: 4 }, { address: '169.254.169.254', family: 4 }] })
  t.teardown(async () => { await sender.close() })
  const r = await sender.send({ url: new URL(`http://mixed.example.com:${srv.port}/hook`), address: '93.184.216.34', family: 4 }, headers, '{}')
  t.equal(r.statusCode, null)
  t.match(r.error, /refused range \(linkLocal\)/)
  t.equal(srv.connections(), 0)
})
