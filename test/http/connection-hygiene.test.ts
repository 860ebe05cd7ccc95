import t, { type Test } from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { buildTestApp } from '../helpers/app.js'

/**
 * Connection hygiene and errors below fastify (issue 11), over raw sockets: slow bodies and slow headers are cut off
 * with a 408 problem, oversized headers get 431, malformed HTTP 400 — each problem+json with Connection: close and
 * no internal text; idle keep-alive connections are closed; connections beyond the cap are refused; during the
 * shutdown drain a request on a still-open connection gets a 503 `shutting-down` problem while the in-flight one
 * completes.
 */
const h = await buildTestApp(t, {
  env: { HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '800', HTTP_MAX_CONNECTIONS: '3', RATE_LIMIT_MAX: '0' }
})
await h.app.listen({ port: 0, host: '127.0.0.1' })
const port = (h.app.server.address() as net.AddressInfo).port

interface Raw { socket: net.Socket; text: () => string; closed: Promise<unknown> }
async function open (): Promise<Raw> {
  const socket = net.connect(port, '127.0.0.1')
  let data = ''
  socket.on('data', (d: Buffer) => { data += d.toString('latin1') })
  socket.on('error', () => {})
  const closed = once(socket, 'close')
  await once(socket, 'connect')
  return { socket, text: () => data, closed }
}

interface Parsed { status: number; headers: Record<string, string>; body: string }
function parse (raw: string): Parsed[] {
  const out: Parsed[] = []
  let rest = raw
  while (rest.startsWith('HTTP/1.1')) {
    const end = rest.indexOf('\r\n\r\n')
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n')
    const headers: Record<string, string> = {}
    for (const l of lines) { const i = l.indexOf(':'); headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim() }
    const length = Number(headers['content-length'] ?? 0)
    out.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) })
    rest = rest.slice(end + 4 + length)
  }
  return out
}

const assertProblem = (t: Test, r: Parsed | undefined, status: number, code: string): void => {
  t.equal(r?.status, status)
  t.match(r?.headers['content-type'], /^application\/problem\+json/)
  t.equal(r?.headers.connection, 'close')
  const body = JSON.parse(r?.body ?? '{}') as Record<string, unknown>
  t.match(body, { status, code, type: `https://support-desk.dev/problems/${code}`, title: String, detail: String })
  t.notMatch(r?.body, /Error|stack|ERR_|HPE_|node:/, 'no internal text')
}

t.test('a slow body is cut off with a 408 problem and the connection is closed', async (t) => {
  const c = await open()
  c.socket.write(`POST /v1/organizations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${await h.adminToken()}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"name":`)
  await c.closed
  assertProblem(t, parse(c.text())[0], 408, 'request-timeout')
})

t.test('headers that never finish are cut off with a 408 problem', async (t) => {
  const c = await open()
  c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n')
  await c.closed
  assertProblem(t, parse(c.text())[0], 408, 'request-timeout')
})

t.test('headers too large: 431 problem with Connection: close', async (t) => {
  const c = await open()
  c.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
  await c.closed
  assertProblem(t, parse(c.text())[0], 431, 'headers-too-large')
})

t.test('malformed HTTP: 400 problem with Connection: close', async (t) => {
  for (const garbage of ['NOT HTTP AT ALL\r\n\r\n', 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 'GET / HTTP/1.1\r\nBad Header\r\n\r\n']) {
    const c = await open()
    c.socket.write(garbage)
    await c.closed
    assertProblem(t, parse(c.text())[0], 400, 'malformed-request')
  }
})

t.test('an idle keep-alive connection is closed after the keep-alive timeout', async (t) => {
  const c = await open()
  c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
  await c.closed
  const [r] = parse(c.text())
  t.equal(r?.status, 200)
  t.match(r?.headers['keep-alive'], /timeout=/)
})

t.test('connections beyond HTTP_MAX_CONNECTIONS are closed at once; the others keep working', async (t) => {
  const held = [await open(), await open(), await open()]
  const extra = await open()
  extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
  await extra.closed
  t.equal(extra.text(), '', 'the extra connection got no answer')
  for (const c of held) c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  await Promise.all(held.map(async (c) => await c.closed))
  t.same(held.map((c) => parse(c.text())[0]?.status), [200, 200, 200])
})

t.test('shutdown drain: the in-flight request completes, the next one on that connection is a 503 shutting-down problem', async (t) => {
  const c = await open()
  const body = JSON.stringify({ name: 'Drain org', plan: 'basic', subscription: { status: 'active', termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } })
  c.socket.write(`POST /v1/organizations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${await h.adminToken()}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const closing = h.app.close()
  await new Promise((resolve) => setTimeout(resolve, 100))
  c.socket.write(`${body.slice(10)}GET /v1/support-plans HTTP/1.1\r\nHost: x\r\n\r\n`)
  await c.closed
  await closing
  const [first, second] = parse(c.text())
  t.equal(first?.status, 201, 'the request in flight when the drain began completed')
  assertProblem(t, second, 503, 'shutting-down')
  t.ok(second?.headers['retry-after'])
})
