import { transactionOn } from './application/context.js'
import { setFlagsFromString } from 'node:v8'
import { loadConfig, ConfigError, type Config } from './config.js'
import { openDatabase, type Database } from './db/client.js'
import { runMigrations } from './db/migrate.js'
import { buildApp } from './app.js'
import { seedDemoData, seedHolidays } from './application/seed.js'
import { CalendarStore } from './application/calendar-store.js'
import { loadOrCreateDevKeys, mintToken } from './auth/keys.js'
import { organizations } from './db/schema/organizations.js'
import { attachmentServices } from './application/attachment-services.js'
import { createJobEngine } from './jobs/engine.js'

async function printDevHints (config: Config, database: Database, baseUrl: string): Promise<void> {
  console.log(`\nSupport Desk API listening on ${baseUrl}`)
  console.log(`  API docs:  ${baseUrl}/docs    contract: ${baseUrl}/openapi.json`)
  if (config.jwt.devKeysDir === undefined) return
  const keys = await loadOrCreateDevKeys(config.jwt.devKeysDir)
  const token = await mintToken(keys.privateKey, { sub: 'dev-agent', roles: ['agent', 'admin'] }, { issuer: config.jwt.issuer, audience: config.jwt.audience, expiresIn: '12h' })
  const orgs = await database.db.select({ id: organizations.id, name: organizations.name, plan: organizations.plan }).from(organizations).limit(5)
  console.log('\nDevelopment token (agent+admin, 12 h; `make token ROLE=customer ORG=<id>` mints others):')
  console.log(`  curl -s -H "Authorization: Bearer ${token}" ${baseUrl}/v1/organizations\n`)
  for (const o of orgs) console.log(`  org ${o.id}  ${o.plan.padEnd(8)} ${o.name}`)
  console.log('')
}

async function main (): Promise<void> {
  let config: Config
  try {
    config = loadConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(78)
    }
    throw err
  }
  // a soft bound on heap growth (issue 7); read by V8 at every full GC, so setting it at start is enough
  if (config.heapGrowthPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`)
  const database = await openDatabase({ url: config.databaseUrl, pgliteDir: config.pgliteDir, poolMax: config.dbPoolMax, availability: config.dbHealth })
  if (config.migrateOnStart) await runMigrations(database)
  // the contract's servers list (and Swagger UI's "Try it out") follows PUBLIC_URL; without it, this listener
  if (config.publicUrl === undefined && config.port !== 0) config.publicUrl = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`
  const log = { warn: (obj: object, msg: string) => { app.log.warn(obj, msg) }, error: (obj: object, msg: string) => { app.log.error(obj, msg) } }
  const jobs = createJobEngine({ database, now: () => new Date(), workers: config.workers, pollingIntervalSeconds: config.jobsPollIntervalSeconds, superviseIntervalSeconds: config.jobsSuperviseIntervalSeconds, log })
  const app = await buildApp(config, { database, jobs })
  const seedCtx = { database, now: () => new Date(), idempotencyTtlHours: config.idempotencyTtlHours, calendars: new CalendarStore(database), jobs, attachments: attachmentServices(config, database), transaction: transactionOn(database) }
  await seedHolidays(seedCtx)
  if (config.seedDemoData) await seedDemoData(seedCtx)

  let closing = false
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down: draining in-flight requests and running jobs')
    const timer = setTimeout(() => { app.log.error('shutdown timed out'); process.exit(1) }, 20_000)
    timer.unref()
    try {
      // stop taking requests and jobs together; running handlers get 10 s, then pg-boss retries them elsewhere
      await Promise.all([app.close(), jobs.stop({ timeoutMs: 10_000 })])
      // the webhook connection pool after the delivery jobs (its idle sockets never keep the process alive)
      await app.webhooks.close()
      await database.close()
      process.exit(0)
    } catch (err) {
      app.log.error({ err }, 'error during shutdown')
      process.exit(1)
    }
  }
  process.on('SIGTERM', () => { void shutdown('SIGTERM') })
  process.on('SIGINT', () => { void shutdown('SIGINT') })

  // installs pg-boss's schema on first start, creates the queues; workers (WORKERS) catch up on jobs due while down
  await jobs.start()
  app.log.info({ workers: config.workers, api: config.api }, 'jobs engine started')
  if (!config.api) {
    await app.ready()
    console.log('Support Desk worker-only replica (API=false): running the job workers, not listening')
    return
  }
  await app.listen({ port: config.port, host: config.host })
  // the email channel's own SMTP listener (docs/email.md), off unless INBOUND_SMTP_PORT is set; closed with the app
  if (config.email.inboundSmtpPort !== undefined) {
    const smtp = await app.emailChannel.startInboundSmtp(config.email.inboundSmtpPort)
    app.log.info({ port: smtp.port }, 'inbound SMTP listening')
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  await printDevHints(config, database, config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`)
}

main().catch((err: unknown) => {
  console.error('failed to start:', err)
  process.exit(1)
})
