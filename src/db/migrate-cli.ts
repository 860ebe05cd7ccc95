/** `npm run db:migrate`: applies the committed drizzle migrations to DATABASE_URL (or the PGlite folder). */
import { loadConfig } from './../config.js'
import { openDatabase } from './client.js'
import { runMigrations } from './migrate.js'

const env = { ...process.env, AUTH_DEV_KEYS: process.env.AUTH_DEV_KEYS ?? (process.env.JWT_PUBLIC_KEY ?? process.env.JWT_JWKS_URL ? undefined : '.data/dev-keys') }
const config = loadConfig(env)
const database = await openDatabase({ url: config.databaseUrl, pgliteDir: config.pgliteDir, poolMax: 1 })
await runMigrations(database)
await database.close()
console.log(`migrations applied (${database.kind})`)
