import { readFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type postgresType from 'postgres'

/**
 * postgres.js with two documented patches; the first (issue 7): its internal FIFO (src/queue.js) replaced by an equivalent whose
 * cost does not grow over time.
 *
 * The original `shift()` leaves an `undefined` hole at the front and only resets the array once the queue runs
 * empty; `remove(x)` searches with `indexOf` from the start. The pool moves a connection between queues on every
 * query (`busy.shift()`, then `busy.remove(c)` + `busy.push(c)` when all connections are busy and queries are
 * pipelined), so under sustained load — more queries in flight than connections — the busy queue never runs empty,
 * its array grows by one hole per query and every query scans all the holes: throughput falls about 3–4× within a
 * minute (bench: 50 queries in flight over 10 connections, 16k → 3.6k queries/s). Pipelining itself is worth keeping:
 * it sends several queries per write and saves a third of the CPU per request.
 *
 * The replacement has the same interface and order; `remove` searches only the live part and `shift` compacts the
 * holes every COMPACT_AT shifts, so every operation is amortised O(live entries). It is installed by priming
 * Node's CommonJS module cache with it before postgres.js's CommonJS build is loaded (postgres.js captures the
 * queue with `require('./queue.js')` at load time); nothing on disk is changed. If the package layout is not the
 * expected one (another major version), the unpatched driver is used and `patched` says so.
 */
export const COMPACT_AT = 1024

export interface PgQueue<T> {
  readonly length: number
  remove: (x: T) => T | null
  push: (x: T) => T
  shift: () => T | undefined
}

export function Queue<T> (initial: T[] = []): PgQueue<T> {
  let xs: Array<T | undefined> = initial.slice()
  let index = 0
  return {
    get length () {
      return xs.length - index
    },
    remove: (x: T) => {
      // entries before `index` were shifted out (holes): never search them
      const i = xs.indexOf(x, index)
      return i === -1 ? null : (xs.splice(i, 1), x)
    },
    push: (x: T) => (xs.push(x), x),
    shift: () => {
      const out = xs[index++]
      if (index === xs.length) {
        index = 0
        xs = []
      } else if (index >= COMPACT_AT) {
        xs = xs.slice(index)
        index = 0
      } else {
        xs[index - 1] = undefined
      }
      return out
    }
  }
}

const require = createRequire(import.meta.url)

/**
 * Second patch (issue 11): postgres.js 3.4.x `nextWrite` on a closed connection (porsager/postgres issues 1154 and
 * 1208; pull requests 1168 and 1209, unreleased). A small write is deferred with `setImmediate(nextWrite)`; when the
 * socket closes in between (a reset from a proxy, a pooler, a failover), `closed()` sets `socket = null` and the
 * deferred `nextWrite` calls `null.write(...)` from a timer callback: an uncatchable TypeError that ends the process.
 * A reserved (or transaction) connection whose socket closed reaches the same line on its next query. Two more
 * faults sit next to it: `closed()` and `terminate()` clear the timer without nulling it, so a later write on that
 * connection is never scheduled (the query hangs), and a stale `chunk` would be sent ahead of the next start-up.
 * And after a reset (`closed(hadError = true)`) a query written between the socket's 'error' and 'close' events is
 * never settled: the 'error' handler rejected only the queries it saw, and `closed()` settles only after a clean close.
 *
 * The fix, as in PR 1209: `nextWrite` with no socket drops the buffered bytes and settles every pending query of
 * the connection with a catchable CONNECTION_CLOSED (through the driver's own `error()`), instead of throwing — only
 * returning would leave the query pending for ever (the reviewers' point on PR 1168); `closed()`/`terminate()`
 * reset the timer and the buffer, and `closed()` settles what is still pending after either kind of close (a promise
 * settles once, so a query already rejected is untouched). Applied by compiling a rewritten copy of the CommonJS `connection.js` into Node's
 * module cache before postgres.js loads it; every rewritten line must match exactly, else nothing is patched and
 * `connectionPatched` is false (a test asserts it is true).
 */
export const CONNECTION_REWRITES: ReadonlyArray<readonly [string, string]> = [
  [
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    '  function nextWrite(fn) {\n' +
    '    if (socket === null) { // patched (support-desk, issue 11): settle instead of throwing from a timer\n' +
    '      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n' +
    '      chunk = nextWriteTimer = null\n' +
    "      error(Errors.connection('CONNECTION_CLOSED', options))\n" +
    '      return false\n' +
    '    }\n' +
    '    const x = socket.write(chunk, fn)'
  ],
  [
    '    terminated = true\n    if (stream || query || initial || sent.length)\n      error(Errors.connection(\'CONNECTION_DESTROYED\', options))\n\n    clearImmediate(nextWriteTimer)\n',
    '    terminated = true\n    if (stream || query || initial || sent.length)\n      error(Errors.connection(\'CONNECTION_DESTROYED\', options))\n\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null // patched\n'
  ],
  [
    '    incomings = null\n    clearImmediate(nextWriteTimer)\n    socket.removeListener(\'data\', data)',
    '    incomings = null\n    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null // patched\n    socket.removeListener(\'data\', data)'
  ],
  [
    "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))",
    "    if (query || sent.length) error(Errors.connection('CONNECTION_CLOSED', options, socket)) // patched: also after an error"
  ]
]

/** the rewritten source, or undefined when any expected line is missing (another version) */
export function rewriteConnectionSource (source: string): string | undefined {
  let out = source
  for (const [from, to] of CONNECTION_REWRITES) {
    if (out.split(from).length !== 2) return undefined
    out = out.replace(from, () => to)
  }
  return out
}

/**
 * Third patch (issue 15): `sql.begin(fn)` sends BEGIN and waits for its answer before running `fn`, so every
 * transaction costs a round trip that carries nothing. The rewrite sends BEGIN and lets `fn` start as soon as the
 * connection is reserved for the transaction: its first statements go out in the same write as BEGIN (postgres.js
 * pipelines the queries of one connection). The pool parks a connection whose query has an `onexecute` (BEGIN) in its
 * `full` queue, where no other query is given to it; the rewrite then moves it to `reserved` (where the unpatched
 * driver moves it on BEGIN's answer), so the transaction's statements are written at once rather than one per answer. The answer to BEGIN is still awaited before the transaction's result is
 * returned, so a failed BEGIN fails the transaction. BEGIN on an idle connection of the pool fails only when the
 * connection itself fails, and then every statement pipelined after it on that connection fails as well: no
 * statement can run outside the transaction that was asked for. Same guards as the other rewrites: every rewritten
 * text must match exactly once, else postgres.js is used unpatched and `beginPatched` is false.
 */
export const BEGIN_REWRITES: ReadonlyArray<readonly [string, string]> = [
  [
    "      await sql.unsafe('begin ' + options.replace(/[^a-z ]/ig, ''), [], { onexecute }).execute()\n" +
    '      return await Promise.race([\n' +
    '        scope(connection, fn),\n' +
    '        new Promise((_, reject) => connection.onclose = reject)\n' +
    '      ])\n',
    '      // patched (support-desk, issue 15): BEGIN is pipelined with the first statements of the transaction\n' +
    '      let whenReserved\n' +
    '      const reservedConnection = new Promise(resolve => { whenReserved = resolve })\n' +
    "      const beginning = sql.unsafe('begin ' + options.replace(/[^a-z ]/ig, ''), [], { onexecute: c => { const r = onexecute(c); whenReserved(); return r } }).execute()\n" +
    '      beginning.catch(() => {})\n' +
    '      await Promise.race([reservedConnection, beginning])\n' +
    '      if (!connection) await beginning\n' +
    '      // the pool parked the connection as full while BEGIN was being written (as it does unpatched); the transaction\n' +
    '      // owns it now: reserved, so its statements are written at once (pipelined) instead of one per answer\n' +
    '      connection.queue === full && move(connection, reserved)\n' +
    '      const result = await Promise.race([\n' +
    '        scope(connection, fn),\n' +
    '        new Promise((_, reject) => connection.onclose = reject)\n' +
    '      ])\n' +
    '      await beginning\n' +
    '      return result\n'
  ]
]

/** the rewritten index.js source, or undefined when the expected text is missing (another version) */
export function rewriteBeginSource (source: string): string | undefined {
  let out = source
  for (const [from, to] of BEGIN_REWRITES) {
    if (out.split(from).length !== 2) return undefined
    out = out.replace(from, () => to)
  }
  return out
}

/** compiles `rewrite(source)` of `file` into Node's module cache (before anything requires it); false when not applied */
function prime (file: string, rewrite: (source: string) => string | undefined): boolean {
  if (require.cache[file] !== undefined) return false
  const rewritten = rewrite(readFileSync(file, 'utf8'))
  if (rewritten === undefined) return false
  const mod = new Module(file)
  mod.filename = file
  mod.paths = (Module as unknown as { _nodeModulePaths: (d: string) => string[] })._nodeModulePaths(dirname(file))
  ;(mod as unknown as { _compile: (src: string, file: string) => void })._compile(rewritten, file)
  mod.loaded = true
  require.cache[file] = mod
  return true
}

function primeConnection (dir: string): boolean {
  return prime(join(dir, 'connection.js'), rewriteConnectionSource)
}

function load (): { postgres: typeof postgresType; patched: boolean; connectionPatched: boolean; beginPatched: boolean } {
  try {
    const entry = require.resolve('postgres')
    const queuePath = join(dirname(entry), 'queue.js')
    if (require.cache[entry] === undefined) {
      const original = require(queuePath) as unknown
      const probe = typeof original === 'function' ? (original as () => Partial<PgQueue<number>>)() : undefined
      const cached = require.cache[queuePath]
      if (probe !== undefined && typeof probe.shift === 'function' && typeof probe.remove === 'function' && typeof probe.push === 'function' && cached !== undefined) {
        cached.exports = Queue
        const connectionPatched = primeConnection(dirname(entry))
        // the entry itself (src/index.js of the CommonJS build) holds `begin`
        const beginPatched = prime(entry, rewriteBeginSource)
        const postgres = require('postgres') as typeof postgresType
        return { postgres, patched: true, connectionPatched, beginPatched }
      }
    }
  } catch {
    // unexpected layout: fall through to the unpatched driver
  }
  return { postgres: require('postgres') as typeof postgresType, patched: false, connectionPatched: false, beginPatched: false }
}

const loaded = load()

/** postgres.js (CommonJS build) with the queue patch applied when possible */
export const postgres = loaded.postgres
/** true when the patched queue is in use */
export const queuePatched = loaded.patched
/** true when the nextWrite/closed-socket patch is in use */
export const connectionPatched = loaded.connectionPatched
/** true when BEGIN is pipelined with the transaction's first statements */
export const beginPatched = loaded.beginPatched
