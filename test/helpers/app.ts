import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { exportSPKI, generateKeyPair, type CryptoKey } from 'jose'
import postgres from 'postgres'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp, type AppDeps } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { openDatabase, type Database } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { seedHolidays } from '../../src/application/seed.js'
import { mintToken, type MintOptions } from '../../src/auth/keys.js'
import { transactionOn, type AppContext } from '../../src/application/context.js'
import { CalendarStore } from '../../src/application/calendar-store.js'
import { attachmentServices } from '../../src/application/attachment-services.js'
import type { PlanId } from '../../src/domain/policy/policy.js'
import { createJobEngine, disabledJobs, type JobEngine } from '../../src/jobs/engine.js'

/** the minimal surface of a tap Test the helpers need */
export interface TestLike { teardown: (fn: () => unknown) => void }

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL
export const onPostgres = TEST_DATABASE_URL !== undefined && TEST_DATABASE_URL !== ''
export const ISSUER = 'support-desk-test'
export const AUDIENCE = 'support-desk-api-test'

/** a clock tests can move; starts at real time unless given */
export class TestClock {
  current: Date
  constructor (start: Date = new Date()) { this.current = new Date(start) }
  now = (): Date => new Date(this.current)
  set (d: Date | string): void { this.current = new Date(d) }
  advance (ms: number): void { this.current = new Date(this.current.getTime() + ms) }
}

/**
 * The migrated template every test file of a run starts from (issue 16: migrate once, clone per file), keyed by the
 * content of drizzle/ so a new migration builds a new template:
 * - PostgreSQL: a database `sd_tpl_<hash>` built once under an advisory lock; each file gets CREATE DATABASE … TEMPLATE.
 * - PGlite: the data directory of a migrated instance, dumped once to .tap/templates/; each file loads it
 *   (~1.7 s instead of ~6.6 s for a fresh instance plus migrations, measured on this 2-core machine).
 * The migrator still runs on every clone (a no-op on a current template), so a stale template can never hide a migration.
 */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle/', import.meta.url))
const TEMPLATES_DIR = fileURLToPath(new URL('../../.tap/templates/', import.meta.url))

let hashMemo: string | undefined
function migrationsHash (): string {
  if (hashMemo !== undefined) return hashMemo
  const hash = createHash('sha256')
  const files = [...readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort(), 'meta/_journal.json']
  for (const f of files) hash.update(f).update(readFileSync(join(MIGRATIONS_DIR, f)))
  hashMemo = hash.digest('hex').slice(0, 16)
  return hashMemo
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

/** a cross-process lock: a directory created atomically; a lock older than 5 minutes is taken as abandoned */
async function withFileLock<T> (lockDir: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lockDir)
      break
    } catch {
      try { if (Date.now() - statSync(lockDir).mtimeMs > 300_000) rmSync(lockDir, { recursive: true, force: true }) } catch { /* the holder just released it */ }
      await sleep(100)
    }
  }
  try { return await fn() } finally { rmSync(lockDir, { recursive: true, force: true }) }
}

let pgliteTemplateMemo: Blob | undefined
async function pgliteTemplate (): Promise<Blob> {
  if (pgliteTemplateMemo !== undefined) return pgliteTemplateMemo
  mkdirSync(TEMPLATES_DIR, { recursive: true })
  const file = join(TEMPLATES_DIR, `pglite-${migrationsHash()}.tar`)
  if (!existsSync(file)) {
    await withFileLock(`${file}.lock`, async () => {
      if (existsSync(file)) return
      const database = await openDatabase({})
      try {
        await runMigrations(database)
        const dump = await database.pglite?.dumpDataDir('none')
        if (dump === undefined) throw new Error('PGlite dump failed')
        writeFileSync(`${file}.tmp`, Buffer.from(await dump.arrayBuffer()))
        renameSync(`${file}.tmp`, file)
      } finally {
        await database.close()
      }
    })
  }
  pgliteTemplateMemo = new Blob([readFileSync(file)])
  return pgliteTemplateMemo
}

/** the migrated template database on the server (built once per migration set, shared by every file and run) */
async function postgresTemplate (admin: postgres.Sql, serverUrl: string): Promise<string> {
  const name = `sd_tpl_${migrationsHash()}`
  const exists = async (): Promise<boolean> => (await admin`select 1 from pg_database where datname = ${name}`).length > 0
  if (await exists()) return name
  const lock = postgres(serverUrl, { max: 1, onnotice: () => {} })
  try {
    await lock`select pg_advisory_lock(727002)`
    if (!await exists()) {
      const building = `${name}_build`
      await admin.unsafe(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`)
      await admin.unsafe(`CREATE DATABASE ${building}`)
      const url = new URL(serverUrl)
      url.pathname = `/${building}`
      const db = await openDatabase({ url: url.toString(), poolMax: 1 })
      try { await runMigrations(db) } finally { await db.close() }
      await admin.unsafe(`ALTER DATABASE ${building} RENAME TO ${name}`)
    }
  } finally {
    await lock.end({ timeout: 5 })
  }
  return name
}

/**
 * A fresh, migrated, isolated database for one test file: a clone of the migrated template — an in-memory PGlite
 * loaded from the template's data directory, or (when TEST_DATABASE_URL is set) a new database on that server
 * created from the template database, dropped at teardown.
 */
export async function createTestDatabase (t: TestLike, options: { poolMax?: number; pgliteDir?: string } = {}): Promise<{ database: Database; url?: string; open: () => Promise<Database> }> {
  if (onPostgres && TEST_DATABASE_URL !== undefined) {
    const name = `sd_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} })
    const template = await postgresTemplate(admin, TEST_DATABASE_URL)
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`)
        break
      } catch (err) {
        // "source database is being accessed by other users": another file's clone is reading the template right now
        if (attempt >= 50 || (err as { code?: string }).code !== '55006') throw err
        await sleep(50 + Math.random() * 100)
      }
    }
    const url = new URL(TEST_DATABASE_URL)
    url.pathname = `/${name}`
    const opened: Database[] = []
    const open = async (): Promise<Database> => {
      // the probe waits up to 10 s for a connection and for its answer (production: 2 s and 1 s): the suite's files
      // run in parallel and clone databases (CREATE DATABASE … TEMPLATE), which on a loaded machine can delay a new
      // connection or a `select 1` past those limits (seen: CONNECT_TIMEOUT) and would open the circuit mid-test. A
      // refused or reset connection still counts at once; the monitor's own timing is tested with real outages in
      // test/reliability/db-faults.test.ts.
      const db = await openDatabase({ url: url.toString(), poolMax: options.poolMax ?? 10, availability: { timeoutMs: 10_000, connectTimeoutMs: 10_000 } })
      opened.push(db)
      return db
    }
    const database = await open()
    await runMigrations(database)
    t.teardown(async () => {
      for (const db of opened) await db.close()
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end({ timeout: 5 })
    })
    return { database, url: url.toString(), open }
  }
  const { PGlite } = await import('@electric-sql/pglite')
  // a test that measures process memory keeps PGlite on a folder (options.pgliteDir) and migrates it itself
  const database = options.pgliteDir !== undefined
    ? await openDatabase({ pgliteDir: options.pgliteDir })
    : await openDatabase({ pglite: new PGlite({ loadDataDir: await pgliteTemplate() }) })
  await runMigrations(database)
  t.teardown(async () => { await database.close() })
  return { database, open: async () => database }
}

export interface TestApp {
  app: FastifyInstance
  database: Database
  clock: TestClock
  ctx: AppContext
  config: Config
  privateKey: CryptoKey
  /** mint a token with the test key */
  token: (claims: { sub?: string; roles: string[]; org_id?: string }, options?: Partial<MintOptions>) => Promise<string>
  adminToken: () => Promise<string>
  agentToken: (sub?: string) => Promise<string>
  customerToken: (orgId: string, sub?: string) => Promise<string>
  /** app.inject with a bearer token */
  request: (token: string | null, opts: InjectOptions) => Promise<LightMyRequestResponse>
  /** create an organization through the API (admin); returns its JSON */
  createOrg: (plan: PlanId, overrides?: Record<string, unknown>) => Promise<Record<string, any>>
  /** build another app instance over the same database (a second replica) */
  replica: () => Promise<FastifyInstance>
  /** the job engine: with `{ jobs: true }` a started pg-boss in manual mode on the TestClock, else the no-op one */
  jobs: JobEngine
  /** `{ jobs: true }`: process every job due at the TestClock's now (jobs.runDue()); returns how many ran */
  runDueJobs: () => Promise<number>
}

export interface BuildTestAppOptions {
  clock?: TestClock
  env?: Record<string, string>
  poolMax?: number
  /**
   * true: a real pg-boss engine over the test database in manual mode — the database side of pg-boss reads the
   * TestClock, no poller runs, and `runDueJobs()` runs what is due at `clock.now()` (docs/jobs.md). Adds ~5 s on PGlite.
   */
  jobs?: boolean
  /** dependencies of buildApp a test injects (e.g. fixed DNS answers for the email channel) */
  deps?: Pick<AppDeps, 'dnsResolver'>
  /** serve Swagger UI at /docs (browser tests) */
  docsUi?: boolean
  /** webhook delivery options (resolver, timeout, jitter); the dispatcher loop is off unless dispatcher: true */
  webhooks?: AppDeps['webhooks']
  /** PGlite on this folder instead of in memory (a test that measures process memory) */
  pgliteDir?: string
}

export async function buildTestApp (t: TestLike, options: BuildTestAppOptions = {}): Promise<TestApp> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const publicPem = await exportSPKI(publicKey)
  const config = loadConfig({
    JWT_PUBLIC_KEY: publicPem,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    LOG_LEVEL: 'silent',
    ...options.env
  })
  const clock = options.clock ?? new TestClock()
  const { database, open } = await createTestDatabase(t, { poolMax: options.poolMax, pgliteDir: options.pgliteDir })
  const jobs = options.jobs === true ? createJobEngine({ database, now: clock.now, workers: true, mode: 'manual', poolMax: 2 }) : disabledJobs
  const ctx: AppContext = { database, now: clock.now, idempotencyTtlHours: config.idempotencyTtlHours, calendars: new CalendarStore(database), jobs, attachments: attachmentServices(config, database), transaction: transactionOn(database) }
  await seedHolidays(ctx)
  const app = await buildApp(config, { database, now: clock.now, docsUi: options.docsUi ?? false, jobs, ...options.deps, webhooks: { dispatcher: false, ...options.webhooks } })
  await app.ready()
  await jobs.start()
  t.teardown(async () => { await app.close(); await jobs.stop({ timeoutMs: 1000 }) })

  const token = async (claims: { sub?: string; roles: string[]; org_id?: string }, opts: Partial<MintOptions> = {}): Promise<string> =>
    await mintToken(privateKey, { sub: claims.sub ?? 'user-1', roles: claims.roles, ...(claims.org_id === undefined ? {} : { org_id: claims.org_id }) }, { issuer: ISSUER, audience: AUDIENCE, ...opts })

  const request = async (tok: string | null, opts: InjectOptions): Promise<LightMyRequestResponse> =>
    await app.inject({ ...opts, headers: { ...(tok === null ? {} : { authorization: `Bearer ${tok}` }), ...(opts.headers ?? {}) } })

  const adminToken = async (): Promise<string> => await token({ sub: 'admin-1', roles: ['admin'] })

  const createOrg = async (plan: PlanId, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> => {
    const now = clock.now().getTime()
    const res = await request(await adminToken(), {
      method: 'POST',
      url: '/v1/organizations',
      payload: {
        name: `Org ${plan} ${randomBytes(3).toString('hex')}`,
        plan,
        subscription: { status: 'active', termStart: new Date(now - 30 * 86_400_000).toISOString(), termEnd: new Date(now + 335 * 86_400_000).toISOString() },
        ...overrides
      }
    })
    if (res.statusCode !== 201) throw new Error(`createOrg failed: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  const replica = async (): Promise<FastifyInstance> => {
    const db2 = await open()
    const app2 = await buildApp(config, { database: db2, now: clock.now, docsUi: false, webhooks: { dispatcher: false, ...options.webhooks } })
    await app2.ready()
    t.teardown(async () => { await app2.close() })
    return app2
  }

  return {
    app, database, clock, ctx, config, privateKey, token, request, createOrg, replica, adminToken, jobs,
    runDueJobs: async () => await jobs.runDue(),
    agentToken: async (sub = 'agent-1') => await token({ sub, roles: ['agent'] }),
    customerToken: async (orgId: string, sub = 'customer-1') => await token({ sub, roles: ['customer'], org_id: orgId })
  }
}
