import t from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { createTestDatabase } from '../helpers/app.js'
import { PATIENT_PROBE, startServerProcess } from '../helpers/server-process.js'
import { openDatabase } from '../../src/db/client.js'


// child processes start slowly on a busy 2-core machine: more than the suite's default 120 s per file
t.setTimeout(360_000)
/**
 * Shutdown under load (issue 11), the service as in production (child process): SIGTERM while requests are in
 * flight — some deliberately slow (their bodies still arriving) and a steady load on keep-alive connections. Every
 * request in flight completes with its answer, a request arriving on a still-open connection during the drain gets
 * a 503 `shutting-down` problem (Connection: close), no other kind of answer appears, the exit code is 0, and every
 * acknowledged write is stored.
 */
const body = (): string => JSON.stringify({ name: `Drain ${randomUUID().slice(0, 8)}`, plan: 'basic', subscription: { status: 'active', termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } })

t.test('SIGTERM under load: in-flight requests complete, drain answers are problems, exit 0, nothing acknowledged lost', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sd-shutdown-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const { url } = await createTestDatabase(t)
  const env: Record<string, string> = url === undefined ? { PGLITE_DIR: join(dir, 'pglite') } : { DATABASE_URL: url, ...PATIENT_PROBE }
  const server = await startServerProcess(t, env)
  const token = await server.token({ sub: 'admin-drain', roles: ['admin'] })
  const { port } = new URL(server.base)

  const acknowledged: string[] = []
  const answers: Array<{ status: number; type: string; code?: string }> = []
  let running = true
  const worker = async (): Promise<void> => {
    while (running) {
      try {
        const res = await fetch(`${server.base}/v1/organizations`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: body(), signal: AbortSignal.timeout(20_000) })
        const json = await res.json() as { id?: string; code?: string }
        answers.push({ status: res.status, type: res.headers.get('content-type') ?? '', code: json.code })
        if (res.status === 201 && json.id !== undefined) acknowledged.push(json.id)
      } catch {
        // after the listener closed, new connections are refused: not an answer
        if (server.child.exitCode !== null) return
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
  }
  const workers = Array.from({ length: 4 }, async () => { await worker() })

  // three requests whose bodies are still arriving when SIGTERM comes
  const slow = await Promise.all([0, 1, 2].map(async () => {
    const socket = net.connect(Number(port), '127.0.0.1')
    let data = ''
    socket.on('data', (d: Buffer) => { data += d.toString() })
    socket.on('error', () => {})
    const closed = once(socket, 'close')
    await once(socket, 'connect')
    const b = body()
    socket.write(`POST /v1/organizations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nIdempotency-Key: ${randomUUID()}\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b.slice(0, 15)}`)
    return { socket, rest: b.slice(15), closed, text: () => data }
  }))
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  t.ok(answers.some((a) => a.status === 201), 'serving under load before SIGTERM')
  server.child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 300))
  for (const s of slow) s.socket.write(`${s.rest}GET /v1/support-plans HTTP/1.1\r\nHost: x\r\n\r\n`)
  await Promise.all(slow.map(async (s) => await s.closed))
  const [code, signal] = await server.exited
  running = false
  await Promise.all(workers)

  t.equal(code, 0, 'exit code 0')
  t.equal(signal, null)
  for (const s of slow) {
    const responses = s.text().split(/(?=HTTP\/1\.1 )/)
    t.match(responses[0], /^HTTP\/1\.1 201 /, 'the slow request in flight at SIGTERM completed')
    const id = /"id":"([0-9a-f-]{36})"/.exec(responses[0] ?? '')?.[1]
    if (id !== undefined) acknowledged.push(id)
    t.match(responses[1], /^HTTP\/1\.1 503 /, 'the next request on that connection: 503')
    t.match(responses[1], /content-type: application\/problem\+json/i)
    t.match(responses[1], /connection: close/i)
    t.match(responses[1], /"code":"shutting-down"/)
  }
  const others = answers.filter((a) => !(a.status === 201 || (a.status === 503 && a.code === 'shutting-down' && a.type.startsWith('application/problem+json'))))
  t.same(others, [], 'every answer under load is a success or a shutting-down problem')
  t.comment(`answers under load: ${answers.length} (${answers.filter((a) => a.status === 503).length} drain 503s); acknowledged ${acknowledged.length}`)

  const database = url === undefined ? await openDatabase({ pgliteDir: join(dir, 'pglite') }) : await openDatabase({ url })
  t.teardown(async () => { await database.close() })
  const rows = await database.rows<{ n: number }>(sql`select count(*)::int as n from organizations where id = any(${`{${acknowledged.join(',')}}`}::uuid[])`)
  t.equal(rows[0]?.n, new Set(acknowledged).size, 'every acknowledged write is stored')
  t.ok(acknowledged.length >= 3)
})
