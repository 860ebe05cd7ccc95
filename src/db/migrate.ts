import { fileURLToPath } from 'node:url'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import type { Database } from './client.js'

/** src/db and dist/db are both two levels below the repository root, where drizzle/ lives */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url))

/** arbitrary constant: the advisory lock that serialises migrations when several replicas start at once */
const MIGRATION_LOCK = 727_001

export async function runMigrations (database: Database): Promise<void> {
  if (database.kind === 'pglite' && database.pglite !== undefined) {
    // loaded only on PGlite (see openDatabase)
    const [{ drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([import('drizzle-orm/pglite'), import('drizzle-orm/pglite/migrator')])
    await migratePglite(drizzlePglite(database.pglite), { migrationsFolder: MIGRATIONS_FOLDER })
    return
  }
  if (database.url === undefined) throw new Error('postgres url missing')
  // one dedicated connection: the advisory lock and the migration run in the same session
  const client = postgres(database.url, { max: 1, onnotice: () => {} })
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`
    try {
      await migratePostgres(drizzlePostgres(client), { migrationsFolder: MIGRATIONS_FOLDER })
    } finally {
      await client`select pg_advisory_unlock(${MIGRATION_LOCK})`
    }
  } finally {
    await client.end({ timeout: 5 })
  }
}
