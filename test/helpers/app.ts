import { randomBytes } from 'node:crypto'
import { exportSPKI, generateKeyPair, type CryptoKey } from 'jose'
import postgres from 'postgres'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { openDatabase, type Database } from '../../src/db/client.js'
import { runMigrations } from '../../src/db/migrate.js'
import { seedHolidays } from '../../src/application/seed.js'
import { mintToken, type MintOptions } from '../../src/auth/keys.js'
import type { AppContext } from '../../src/application/context.js'
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
 * A fresh, migrated, isolated database for one test file: an in-memory PGlite, or — when TEST_DATABASE_URL is
 * set — a new database on that PostgreSQL server, dropped at teardown.
 */
export async function createTestDatabase (t: TestLike, options: { poolMax?: number; pgliteDir?: string } = {}): Promise<{ database: Database; url?: string; open: () => Promise<Database> }> {
  if (onPostgres && TEST_DATABASE_URL !== undefined) {
    const name = `sd_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} })
    await admin.unsafe(`CREATE DATABASE ${name}`)
    const url = new URL(TEST_DATABASE_URL)
    url.pathname = `/${name}`
    const opened: Database[] = []
    const open = async (): Promise<Database> => {
      const db = await openDatabase({ url: url.toString(), poolMax: options.poolMax ?? 10 })
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
  const database = await openDatabase({ pgliteDir: options.pgliteDir })
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
  const ctx: AppContext = { database, now: clock.now, idempotencyTtlHours: config.idempotencyTtlHours, calendars: new CalendarStore(database), jobs, attachments: attachmentServices(config, database) }
  await seedHolidays(ctx)
  const app = await buildApp(config, { database, now: clock.now, docsUi: false, jobs })
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
    const app2 = await buildApp(config, { database: db2, now: clock.now, docsUi: false })
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
