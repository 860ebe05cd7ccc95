import { sql, type SQL } from 'drizzle-orm'
import type { PgPreparedQuery, PreparedQueryConfig } from 'drizzle-orm/pg-core'
import type { DbOrTx } from './client.js'

/**
 * A hot-path statement built once and run as a prepared statement, on the pool or inside a transaction.
 *
 * drizzle on postgres.js runs a plain query-builder call unprepared (parse + plan on every call, drizzle-orm issue
 * 6096); `.prepare(name)` makes postgres.js use a named server-side statement per connection (keyed by the SQL text).
 * A drizzle prepared query is bound to the session it was built on, so building one per transaction would rebuild
 * the SQL text on every call. Instead the query is built once per driver and, inside a transaction, a thin view of it
 * that points at the transaction's connection is used (the SQL, parameters and result mapping are shared).
 * If drizzle's internals ever change shape (no `session.client` / `client` fields), it falls back to building the
 * statement on the given transaction — still prepared, just slower.
 */
type Client = unknown
interface WithClient { client?: Client }
const sessionOf = (db: DbOrTx): { client?: Client; constructor: unknown } | undefined =>
  (db as unknown as { session?: { client?: Client; constructor: unknown } }).session

export class PreparedStatement<T extends PreparedQueryConfig> {
  private readonly bases = new Map<unknown, PgPreparedQuery<T>>()

  constructor (readonly name: string, private readonly build: (db: DbOrTx, name: string) => PgPreparedQuery<T>) {}

  /** the prepared query bound to `db` (the pool or a transaction) */
  on (db: DbOrTx): PgPreparedQuery<T> {
    const session = sessionOf(db)
    const client = session?.client
    if (session === undefined || client === undefined) return this.build(db, this.name)
    let base = this.bases.get(session.constructor)
    if (base === undefined) {
      base = this.build(db, this.name)
      this.bases.set(session.constructor, base)
    }
    const baseClient = (base as unknown as WithClient).client
    if (baseClient === client) return base
    if (baseClient === undefined) return this.build(db, this.name)
    return Object.create(base, { client: { value: client } }) as PgPreparedQuery<T>
  }

  async execute (db: DbOrTx, values: Record<string, unknown> = {}): Promise<T['execute']> {
    return await this.on(db).execute(values)
  }

  /**
   * The rows as the driver returns them, without drizzle's result mapping (column names as keys, timestamps as
   * text, jsonb parsed): for hot reads that map rows themselves (issue 7: drizzle's per-column mapping allocated
   * a fifth of the memory of a ticket list page).
   */
  async raw (db: DbOrTx, values: Record<string, unknown> = {}): Promise<Array<Record<string, unknown>>> {
    // both drivers in use (postgres-js, pglite) implement all(); drizzle's abstract type does not declare it
    const query = this.on(db) as unknown as { all: (v: Record<string, unknown>) => Promise<Array<Record<string, unknown>>> }
    return await query.all(values)
  }
}

/**
 * A placeholder as raw SQL (not bound to a column encoder, which would choke on null dates), with an optional cast:
 * values are passed to the driver as given, so callers encode them (dates as ISO strings, jsonb as JSON text).
 */
export const placeholder = (name: string, cast?: string): SQL =>
  cast === undefined ? sql`${sql.placeholder(name)}` : sql`${sql.placeholder(name)}::${sql.raw(cast)}`
