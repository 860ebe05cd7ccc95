import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import t from 'tap'
import fc from 'fast-check'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { COMPACT_AT, Queue, queuePatched, connectionPatched, beginPatched, rewriteBeginSource, rewriteConnectionSource, postgres, type PgQueue } from '../../src/db/postgres-driver.js'
import { startFakePostgres } from '../helpers/fake-postgres.js'

const root = new URL('../..', import.meta.url).pathname

const require = createRequire(import.meta.url)
// the original implementation, as shipped (ESM build: not the module the patch replaces)
const originalPath = join(dirname(require.resolve('postgres')), '../../src/queue.js')

type Op = { op: 'push'; v: number } | { op: 'shift' } | { op: 'remove'; v: number }
const ops = fc.array(fc.oneof(
  fc.record({ op: fc.constant('push' as const), v: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ op: fc.constant('shift' as const) }),
  fc.record({ op: fc.constant('remove' as const), v: fc.integer({ min: 0, max: 30 }) })
), { maxLength: 3000 })

const apply = (q: PgQueue<number>, seq: Op[]): unknown[] => seq.map((o) => {
  const r = o.op === 'push' ? q.push(o.v) : o.op === 'shift' ? q.shift() : q.remove(o.v)
  return [r, q.length]
})

t.test('the patched queue answers exactly like the original for any sequence of operations', async (t) => {
  const { default: Original } = await import(originalPath) as { default: <T>() => PgQueue<T> }
  fc.assert(fc.property(ops, (seq) => {
    t.same(apply(Queue<number>(), seq), apply(Original<number>(), seq))
  }), { numRuns: 200 })
})

t.test('shift + remove + push with the queue never empty (the pool under load) stays cheap and bounded', async (t) => {
  const q = Queue<object>()
  const conns = Array.from({ length: 10 }, () => ({}))
  for (const c of conns) q.push(c)
  let wrong = 0
  for (let i = 0; i < 200_000; i++) {
    const c = q.shift()!
    if (q.remove(c) !== null) wrong++ // already shifted out: not in the live part
    q.push(c)
    if (q.length !== 10) wrong++
  }
  t.equal(wrong, 0, '200,000 rounds, each as the pool does it')
  t.equal(q.length, 10)
  t.ok(COMPACT_AT > 0)
})

t.test('the driver in use has the patched queue', async (t) => {
  t.equal(queuePatched, true, 'postgres.js 3.4 layout recognised: the CommonJS build loads the patched queue')
  t.equal(typeof postgres, 'function')
})

async function runOriginal (script: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const [code] = await once(child, 'exit') as [number | null]
  clearTimeout(timer)
  return { code, stderr, stdout }
}

t.test('nextWrite on a closed connection (postgres.js #1154/#1208): the original driver dies, the patched one rejects CONNECTION_CLOSED', async (t) => {
  t.equal(connectionPatched, true, 'postgres.js 3.4 connection.js recognised: the rewritten copy is loaded')
  const server = await startFakePostgres({ answer: 1, mode: 'close' })
  t.teardown(server.close)
  const url = `postgres://u@127.0.0.1:${server.port}/db`

  // the ESM build the service does not load is the original code: a reserved connection closed by the server, queried again
  const original = await runOriginal(`
    import postgres from 'postgres'
    const sql = postgres(${JSON.stringify(url)}, { max: 1, onnotice () {} })
    const reserved = await sql.reserve()
    await reserved\`select 1\`.catch((e) => console.log('first', e.code))
    await reserved\`select 1\`.catch((e) => console.log('second', e.code))
    console.log('survived')
    process.exit(0)`)
  t.not(original.code, 0, 'the original driver ends the process')
  t.match(original.stdout, /first CONNECTION_CLOSED/)
  t.notMatch(original.stdout, /survived/)
  t.match(original.stderr, /Cannot read properties of null \(reading 'write'\)[\s\S]*nextWrite/)

  const sql = postgres(url, { max: 1, onnotice () {} })
  t.teardown(async () => { await sql.end({ timeout: 1 }) })
  const reserved = await sql.reserve()
  const code = async (q: Promise<unknown>): Promise<unknown> => await q.then(() => 'resolved', (e: { code?: string }) => e.code)
  t.equal(await code(reserved`select 1`), 'CONNECTION_CLOSED')
  t.equal(await code(reserved`select 1`), 'CONNECTION_CLOSED', 'the next query on the closed connection settles with a catchable error')
  t.equal(await code(reserved`select ${'x'.repeat(2000)}::text`), 'CONNECTION_CLOSED', 'a large write (written at once, not deferred) too')
  reserved.release()
})

t.test('after a reset (RST), a query sent between the socket error and its close settles instead of hanging', async (t) => {
  const server = await startFakePostgres({ answer: 1, mode: 'reset' })
  t.teardown(server.close)
  const url = `postgres://u@127.0.0.1:${server.port}/db`
  const original = await runOriginal(`
    import postgres from 'postgres'
    const sql = postgres(${JSON.stringify(url)}, { max: 1, onnotice () {} })
    const reserved = await sql.reserve()
    await reserved\`select 1\`.catch((e) => console.log('first', e.code))
    const timer = setTimeout(() => { console.log('hung'); process.exit(3) }, 3000)
    await reserved\`select 1\`.catch((e) => console.log('second', e.code))
    clearTimeout(timer)
    process.exit(0)`)
  t.match(original.stdout, /first ECONNRESET\s+hung/, 'the original driver never settles the second query')

  const sql = postgres(url, { max: 1, onnotice () {} })
  t.teardown(async () => { await sql.end({ timeout: 1 }) })
  const reserved = await sql.reserve()
  const code = async (q: Promise<unknown>): Promise<unknown> => await q.then(() => 'resolved', (e: { code?: string }) => e.code)
  t.equal(await code(reserved`select 1`), 'ECONNRESET')
  t.equal(await code(reserved`select 1`), 'CONNECTION_CLOSED')
  reserved.release()
  t.equal(await code(sql`select 1`), 'CONNECTION_CLOSED', 'a pooled query afterwards settles too')
})

t.test('the rewrite matches postgres.js 3.4 exactly once per line and refuses another layout', async (t) => {
  const source = readFileSync(join(dirname(require.resolve('postgres')), 'connection.js'), 'utf8')
  const rewritten = rewriteConnectionSource(source)
  t.ok(rewritten?.includes("error(Errors.connection('CONNECTION_CLOSED', options))\n      return false"))
  t.equal(rewriteConnectionSource(source.replace('const x = socket.write(chunk, fn)', 'const x = socket?.write(chunk, fn)')), undefined)
})

t.test('BEGIN is pipelined with the first statements of a transaction (issue 15): one write fewer, same results and errors', async (t) => {
  t.equal(beginPatched, true, 'postgres.js 3.4 index.js recognised: the rewritten begin is loaded')
  const server = await startFakePostgres({ answer: 1_000 })
  t.teardown(server.close)
  const url = `postgres://u@127.0.0.1:${server.port}/db`
  // counts the driver's socket writes (postgres.js takes a socket factory)
  const counting = `
    const counter = { writes: 0 }
    const socket = () => {
      const s = net.connect({ host: '127.0.0.1', port: ${server.port} })
      const write = s.write.bind(s)
      s.write = (...args) => { counter.writes++; return write(...args) }
      return s
    }`
  const scenario = `
    const sql = postgres(${JSON.stringify(url)}, { max: 1, onnotice () {}, fetch_types: false, socket })
    await sql\`select 1\`
    const before = counter.writes
    const result = await sql.begin(async (tx) => { await tx\`select 1\`; await tx\`select 2\`; return 'done' })
    console.log('writes', counter.writes - before, result)
    await sql.end({ timeout: 1 })`
  const original = await runOriginal(`
    import postgres from 'postgres'
    import net from 'node:net'
    ${counting}
    ${scenario}
    process.exit(0)`)
  t.match(original.stdout, /writes 4 done/, 'the original driver: BEGIN, select 1, select 2, COMMIT — four writes, each after the previous answer')

  const net = await import('node:net')
  let writes = 0
  const socket = (): unknown => {
    const s = net.connect({ host: '127.0.0.1', port: server.port })
    const write = s.write.bind(s) as (...args: unknown[]) => boolean
    ;(s as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => { writes++; return write(...args) }
    return s
  }
  const sql = postgres(url, { max: 1, onnotice () {}, fetch_types: false, ...({ socket } as object) })
  t.teardown(async () => { await sql.end({ timeout: 1 }) })
  await sql`select 1`
  const before = writes
  const result = await sql.begin(async (tx) => { await tx`select 1`; await tx`select 2`; return 'done' })
  t.equal(result, 'done')
  t.equal(writes - before, 3, 'patched: BEGIN + select 1 in one write, then select 2, then COMMIT')

  // a failing first statement still fails the transaction (and rolls it back) with its own error
  const failing = await startFakePostgres({ answer: 1 })
  t.teardown(failing.close)
  const sql2 = postgres(`postgres://u@127.0.0.1:${failing.port}/db`, { max: 1, onnotice () {}, fetch_types: false })
  t.teardown(async () => { await sql2.end({ timeout: 1 }) })
  const outcome = await sql2.begin(async (tx) => await tx`select 1`).then(() => 'resolved', (e: { code?: string }) => e.code)
  t.match(outcome, /^(ECONNRESET|CONNECTION_CLOSED)$/, 'the connection lost right after BEGIN fails the transaction with a catchable connection error')
})

t.test('the begin rewrite matches postgres.js 3.4 exactly once and refuses another layout', async (t) => {
  const source = readFileSync(require.resolve('postgres'), 'utf8')
  t.ok(rewriteBeginSource(source)?.includes('patched (support-desk, issue 15)'))
  t.equal(rewriteBeginSource(source.replace("await sql.unsafe('begin '", "await sql.unsafe('BEGIN '")), undefined)
})
