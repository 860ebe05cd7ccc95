import { mkdir } from 'node:fs/promises'
import type { PGlite } from '@electric-sql/pglite'
import { type SQL } from 'drizzle-orm'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core'
import type { ExtractTablesWithRelations } from 'drizzle-orm'
import type postgres from 'postgres'
import { postgres as connectPostgres } from './postgres-driver.js'
import * as schema from './schema/index.js'
import { runBeforeCommitHooks } from './commit-scope.js'

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
  ping(): Promise<void>
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** postgres://… : real PostgreSQL through postgres.js */
  url?: string
  /** PGlite data folder; `memory://` (or undefined) for an in-memory database */
  pgliteDir?: string
  poolMax?: number
  /** an already created PGlite instance (tests share one migrated template this way) */
  pglite?: PGlite
}

const normalizeRows = <T>(result: unknown): T[] => {
  if (Array.isArray(result)) return result as T[]
  const rows = (result as { rows?: unknown[] }).rows
  return (rows ?? []) as T[]
}

export async function openDatabase (options: DatabaseOptions): Promise<Database> {
  if (options.url !== undefined) {
    // postgres.js with its queue patch (src/db/postgres-driver.ts, issue 7)
    const sql = connectPostgres(options.url, {
      max: options.poolMax ?? 20,
      onnotice: () => {},
      idle_timeout: 30,
      connect_timeout: 10,
      prepare: true
    })
    const db = runBeforeCommitHooks(drizzlePostgres(sql, { schema }) as unknown as Db)
    return {
      kind: 'postgres',
      db,
      sql,
      url: options.url,
      rows: async <T>(query: SQL, on: DbOrTx = db) => normalizeRows<T>(await on.execute(query)),
      ping: async () => { await sql`select 1` },
      close: async () => { await sql.end({ timeout: 5 }) }
    }
  }
  // loaded only when used: a service on PostgreSQL does not carry the embedded engine's code (issue 7: RSS)
  const [{ PGlite: EmbeddedPostgres }, { drizzle: drizzlePglite }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')])
  const dir = options.pgliteDir === undefined || options.pgliteDir === 'memory://' ? undefined : options.pgliteDir
  if (dir !== undefined && options.pglite === undefined) await mkdir(dir, { recursive: true })
  const pglite = options.pglite ?? new EmbeddedPostgres(dir)
  await pglite.waitReady
  const db = runBeforeCommitHooks(drizzlePglite(pglite, { schema }) as unknown as Db)
  return {
    kind: 'pglite',
    db,
    pglite,
    rows: async <T>(query: SQL, on: DbOrTx = db) => normalizeRows<T>(await on.execute(query)),
    ping: async () => {
      if (pglite.closed) throw new Error('database is closed')
      await pglite.query('select 1')
    },
    close: async () => { if (!pglite.closed) await pglite.close() }
  }
}
