import { mkdir } from 'node:fs/promises'
import net from 'node:net'
import type { PGlite } from '@electric-sql/pglite'
import { type SQL } from 'drizzle-orm'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core'
import type { ExtractTablesWithRelations } from 'drizzle-orm'
import type postgres from 'postgres'
import { postgres as connectPostgres } from './postgres-driver.js'
import type * as schema from './schema/index.js'

export type Schema = typeof schema
export type Db = PgDatabase<PgQueryResultHKT, Schema>
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>
export type DbOrTx = Db | Tx

export interface Database {
  readonly kind: 'pglite' | 'postgres'
  readonly db: Db
  /** postgres.js client (only on PostgreSQL): for prepared hot-path statements and reserved connections */
  readonly sql?: postgres.Sql
  /** connection URL (only on PostgreSQL) */
  readonly url?: string
  /** the embedded engine (only on PGlite) */
  readonly pglite?: PGlite
  /** run a raw statement and get its rows, the same shape on both drivers */
  rows<T = Record<string, unknown>>(query: SQL, on?: DbOrTx): Promise<T[]>
  /** answers within `readinessTimeoutMs` (1 s by default): rejects when the database cannot be reached */
  ping(): Promise<void>
  /** whether the database is believed reachable right now (see DatabaseAvailability) */
  readonly availability: DatabaseAvailability
  close(): Promise<void>
}

/**
 * Fail fast when the database is lost (issue 11). On PostgreSQL a monitor probes the server every `intervalMs` over
 * its own connection (`select 1`, answered within `timeoutMs` or it counts as failed) and keeps one state:
 * - up → down on a failed probe (refused, reset, or no answer: packets silently dropped). Going down destroys every
 *   socket of the pool, so queries waiting on a dead connection reject at once (CONNECTION_CLOSED) instead of
 *   waiting for TCP to notice, and while down the pool's new connections fail at once, without a network round trip.
 *   Requests that need the database are refused before their handler with 503 `database-unavailable` + Retry-After.
 * - down → up on the first successful probe: the pool reconnects on demand, no restart.
 * A query failing with a connection error between two probes asks for a probe at once (`suspect`).
 * On PGlite (in-process) the database is up until it is closed.
 */
export interface DatabaseAvailability {
  isUp(): boolean
  /** a query failed with a connection error: probe now instead of at the next interval */
  suspect(): void
  /** seconds a refused client should wait before retrying */
  readonly retryAfterSeconds: number
  /** observe state changes (logging) */
  onChange(listener: (up: boolean, reason?: unknown) => void): void
}

export interface AvailabilityOptions {
  /** probe period (default 500 ms) */
  intervalMs?: number
  /** a probe not answered within this is a failure (default 1,000 ms) */
  timeoutMs?: number
  /** postgres.js connect_timeout for the pool and the probe (default 2,000 ms) */
  connectTimeoutMs?: number
}

export interface DatabaseOptions {
  /** postgres://… : real PostgreSQL through postgres.js */
  url?: string
  /** PGlite data folder; `memory://` (or undefined) for an in-memory database */
  pgliteDir?: string
  poolMax?: number
  /** an already created PGlite instance (tests share one migrated template this way) */
  pglite?: PGlite
  availability?: AvailabilityOptions
}

/** postgres.js errors and SQLSTATEs that mean "the database cannot be reached", not "this query is wrong" */
const CONNECTION_ERROR_CODES = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT', 'DATABASE_UNAVAILABLE',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'ERR_STREAM_DESTROYED', 'ERR_SOCKET_CLOSED',
  // SQLSTATE: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01', '57P02', '57P03', '53300'
])

/** true when `err` (or an error it wraps, e.g. drizzle's DrizzleQueryError) says the database is unreachable */
export function isConnectionError (err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) return true
    if (e instanceof Error && /PGlite is closed|database is closed/i.test(e.message)) return true
  }
  return false
}

const unavailableError = (): Error => Object.assign(new Error('database unavailable (circuit open)'), { code: 'DATABASE_UNAVAILABLE' })

/** resolves true when `promise` settles within `ms` (the event loop's pending I/O is read first, so a late timer is not a false timeout) */
async function settlesWithin (promise: Promise<unknown>, ms: number): Promise<boolean> {
  let done = false
  const settled = promise.then(() => { done = true }, () => { done = true })
  const timedOut = new Promise<void>((resolve) => {
    const t = setTimeout(() => setImmediate(resolve), ms)
    t.unref()
  })
  await Promise.race([settled, timedOut])
  return done
}

interface SocketOptions { host: string[]; port: number[]; path?: string | false }

/** tracks a pool's sockets so they can be destroyed at once; `refuse` fails new connections without a round trip */
class SocketRegistry {
  readonly sockets = new Set<net.Socket>()
  refuse = false
  /** performance.now() of the last bytes received from the database on any of these sockets */
  lastDataAt = -Infinity
  factory = (options: SocketOptions): net.Socket => {
    const socket = typeof options.path === 'string' && options.path !== ''
      ? net.connect({ path: options.path })
      : net.connect({ host: options.host[0] ?? 'localhost', port: options.port[0] ?? 5432 })
    socket.setKeepAlive(true, 5_000)
    socket.setNoDelay(true)
    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))
    socket.on('error', () => {}) // postgres.js reports errors through its own listener
    socket.on('data', () => { this.lastDataAt = performance.now() })
    // postgres.js attaches its listeners after this returns: fail on a later turn
    if (this.refuse) setImmediate(() => socket.destroy(unavailableError()))
    return socket
  }

  destroyAll (): void {
    for (const s of this.sockets) s.destroy()
  }
}

class PostgresAvailability implements DatabaseAvailability {
  private up = true
  private probing: Promise<void> | null = null
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private readonly listeners: Array<(up: boolean, reason?: unknown) => void> = []
  readonly retryAfterSeconds = 2
  private readonly probeSockets = new SocketRegistry()
  private readonly probeSql: postgres.Sql

  constructor (url: string, private readonly pool: SocketRegistry, private readonly intervalMs: number, private readonly timeoutMs: number, connectTimeoutMs: number) {
    this.probeSql = connectPostgres(url, {
      max: 1,
      onnotice: () => {},
      connect_timeout: connectTimeoutMs / 1000,
      idle_timeout: 0,
      fetch_types: false,
      prepare: false,
      backoff: () => 0,
      connection: { application_name: 'support-desk-health' },
      // postgres.js's `socket` option (not in its type declarations): a function returning the socket to use
      ...({ socket: this.probeSockets.factory } as object)
    })
    this.schedule()
  }

  isUp (): boolean { return this.up }
  onChange (listener: (up: boolean, reason?: unknown) => void): void { this.listeners.push(listener) }
  suspect (): void { if (this.up) void this.probe() }

  /** one probe; concurrent callers share it */
  async probe (): Promise<void> {
    if (this.probing === null) {
      this.probing = this.runProbe().finally(() => { this.probing = null })
    }
    await this.probing
  }

  private async runProbe (): Promise<void> {
    let failure: unknown
    const query = this.probeSql`select 1`.execute()
    query.catch((err: unknown) => { failure = err })
    const answered = await settlesWithin(query, this.timeoutMs)
    if (!answered) {
      // no answer: the probe's connection is probably dead; start the next probe on a fresh one
      this.probeSockets.destroyAll()
      // but while the pool still receives bytes the database is slow (a loaded machine), not unreachable
      if (performance.now() - this.pool.lastDataAt > this.timeoutMs) this.set(false, new Error(`no answer from the database within ${this.timeoutMs} ms`))
    } else if (failure !== undefined) {
      this.set(false, failure)
    } else {
      this.set(true)
    }
  }

  private set (up: boolean, reason?: unknown): void {
    if (this.stopped || up === this.up) return
    this.up = up
    this.pool.refuse = !up
    if (!up) this.pool.destroyAll()
    for (const l of this.listeners) l(up, reason)
  }

  private schedule (): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.probe().finally(() => { this.schedule() }).catch(() => {})
    }, this.intervalMs)
    this.timer.unref()
  }

  async ping (): Promise<void> {
    if (!this.up || this.stopped) throw unavailableError()
    await this.probe()
    if (!this.up) throw unavailableError()
  }

  async stop (): Promise<void> {
    // closed for good: nothing may use it any more (ping fails, requests get 503)
    this.stopped = true
    this.up = false
    clearTimeout(this.timer)
    await this.probeSql.end({ timeout: 1 })
  }
}

const normalizeRows = <T>(result: unknown): T[] => {
  if (Array.isArray(result)) return result as T[]
  const rows = (result as { rows?: unknown[] }).rows
  return (rows ?? []) as T[]
}

export async function openDatabase (options: DatabaseOptions): Promise<Database> {
  if (options.url !== undefined) {
    const connectTimeoutMs = options.availability?.connectTimeoutMs ?? 2_000
    const sockets = new SocketRegistry()
    // postgres.js with its queue and closed-socket patches (src/db/postgres-driver.ts, issues 7 and 11)
    const sql = connectPostgres(options.url, {
      max: options.poolMax ?? 20,
      onnotice: () => {},
      idle_timeout: 30,
      connect_timeout: connectTimeoutMs / 1000,
      // reconnect soon after the database is back (the default backoff grows to 20 s)
      backoff: (retries: number) => Math.min(0.05 * retries, 0.5),
      prepare: true,
      ...({ socket: sockets.factory } as object)
    })
    const availability = new PostgresAvailability(options.url, sockets, options.availability?.intervalMs ?? 500, options.availability?.timeoutMs ?? 1_000, connectTimeoutMs)
    // no relational schema: the service never uses db.query.*, and drizzle would build a query builder per table for
    // every transaction it opens (issue 15: the write path's CPU)
    const db = drizzlePostgres(sql) as unknown as Db
    return {
      kind: 'postgres',
      db,
      sql,
      url: options.url,
      availability,
      rows: async <T>(query: SQL, on: DbOrTx = db) => normalizeRows<T>(await on.execute(query)),
      ping: async () => { await availability.ping() },
      close: async () => {
        await availability.stop()
        await sql.end({ timeout: 5 })
      }
    }
  }
  // loaded only when used: a service on PostgreSQL does not carry the embedded engine's code (issue 7: RSS)
  const [{ PGlite: EmbeddedPostgres }, { drizzle: drizzlePglite }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')])
  const dir = options.pgliteDir === undefined || options.pgliteDir === 'memory://' ? undefined : options.pgliteDir
  if (dir !== undefined && options.pglite === undefined) await mkdir(dir, { recursive: true })
  const pglite = options.pglite ?? new EmbeddedPostgres(dir)
  await pglite.waitReady
  const db = drizzlePglite(pglite) as unknown as Db
  return {
    kind: 'pglite',
    db,
    pglite,
    rows: async <T>(query: SQL, on: DbOrTx = db) => normalizeRows<T>(await on.execute(query)),
    ping: async () => {
      if (pglite.closed) throw new Error('database is closed')
      await pglite.query('select 1')
    },
    availability: {
      isUp: () => !pglite.closed,
      suspect: () => {},
      retryAfterSeconds: 2,
      onChange: () => {}
    },
    close: async () => { if (!pglite.closed) await pglite.close() }
  }
}
