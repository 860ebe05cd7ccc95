/**
 * `make bench [QUICK=1]`: measures the service against its own ceilings in one run (see docs/performance.md).
 *
 * 1. databases: the seeded data set (1,000,000 tickets; QUICK: 10,000, a separate database), pgbench's tables (scale 10)
 * 2. processes: the service as in production (`node dist/server.js`, LOG_LEVEL=warn, real JWT key pair), ceiling A
 *    (bare Fastify), the load generator (autocannon, its own process), and per measurement pgbench / ceiling B'
 * 3. warm-up, then ceilings, all scenarios, ceilings, all scenarios, … ceilings (REPS repetitions), then the
 *    stability run; ratios are taken per repetition against the mean of the ceilings measured right before and after
 * 4. a Markdown table on stdout and bench/results/latest.json
 *
 * Options: --quick, --reps N, --seconds S (per scenario and ceiling), --warmup S, --stability S,
 *          --only a,b (scenario names), --keep-going (do not stop on a failed probe)
 * Environment: DATABASE_URL (its server is used; database names are the benchmark's own), PGBENCH (path),
 *              DB_POOL_MAX, HEAP_GROWTH_PERCENT (passed to the service), BENCH_NODE_ARGS (extra node flags for the service, e.g. --cpu-prof)
 */
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, openSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose'
import postgres from 'postgres'
import { StatementStats, type StatementCost } from './lib/statements.js'
import { cpuMs, ioCalls, machineInfo, startFlags, postgresCpu, postgresCpuBetween, round, run, sleep, spread, statusMb, stopChild, waitForHttp, type MachineInfo, type Spread } from './lib/common.js'
import { databaseUrl, ensurePgbench, ensureSeeded, ROOT, serverVersion, type SeedInfo } from './lib/db.js'
import { renderReport } from './report.js'
import { SCENARIOS, TICKETS_PER_REQUEST, type Fixture, type RunState, type ScenarioName } from './scenarios.js'
import type { LoadResult } from './load-worker.js'

// ---------------------------------------------------------------------------------------------------------------
// options

const argv = process.argv.slice(2)
const flag = (name: string): boolean => argv.includes(`--${name}`)
const opt = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined }
const num = (name: string, dflt: number): number => { const v = Number(opt(name)); return Number.isFinite(v) && v > 0 ? v : dflt }

const QUICK = flag('quick')
const REPS = num('reps', QUICK ? 1 : 3)
const SECONDS = num('seconds', QUICK ? 3 : 10)
const WARMUP = num('warmup', QUICK ? 1 : 5)
const STABILITY = num('stability', QUICK ? 10 : 60)
const CONNECTIONS = 50
const TICKETS = QUICK ? 10_000 : 1_000_000
const KEEP_GOING = flag('keep-going')
const ALL = Object.keys(SCENARIOS) as ScenarioName[]
const ONLY = opt('only')?.split(',').filter((s): s is ScenarioName => (ALL as string[]).includes(s))
const SCENARIO_LIST: ScenarioName[] = ONLY !== undefined && ONLY.length > 0 ? ONLY : ALL
/** the deep-cursor scenario also runs against the 10,000-ticket database (latency at 1M vs 10k) */
const DEEP_AT_10K = !QUICK && SCENARIO_LIST.includes('list-deep-cursor')

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const MAIN_DB = QUICK ? 'support_desk_bench_10k' : 'support_desk_bench'
const SMALL_DB = 'support_desk_bench_10k'
const PGBENCH_DB = 'support_desk_pgbench'
const PGBENCH = process.env.PGBENCH ?? 'pgbench'
const RESULTS = join(ROOT, 'bench/results')
const ISSUER = 'support-desk'
const AUDIENCE = 'support-desk-api'

const log = (s: string): void => { process.stderr.write(`${s}\n`) }

// ---------------------------------------------------------------------------------------------------------------
// child processes (all stopped on exit)

const children = new Set<ChildProcess>()
const track = (c: ChildProcess): ChildProcess => { children.add(c); c.once('exit', () => children.delete(c)); return c }
async function stopAll (): Promise<void> { await Promise.all([...children].map(async (c) => await stopChild(c))) }
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => { void stopAll().then(() => process.exit(130)) })
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      const port = typeof a === 'object' && a !== null ? a.port : 0
      s.close(() => resolve(port))
    })
  })
}

interface Service { child: ChildProcess; pid: number; url: string }

async function startService (dbUrl: string, publicKeyPem: string, label: string): Promise<Service> {
  const port = await freePort()
  mkdirSync(RESULTS, { recursive: true })
  const out = openSync(join(RESULTS, `service-${label}.log`), 'w')
  const nodeArgs = [...SERVICE_FLAGS, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')]
  const child = track(spawn(process.execPath, [...nodeArgs, 'dist/server.js'], {
    cwd: ROOT,
    stdio: ['ignore', out, out],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl,
      LOG_LEVEL: 'warn',
      JWT_PUBLIC_KEY: publicKeyPem,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      RATE_LIMIT_MAX: '0',
      MIGRATE_ON_START: 'true',
      SEED_DEMO_DATA: 'false',
      ...(process.env.DB_POOL_MAX === undefined ? {} : { DB_POOL_MAX: process.env.DB_POOL_MAX }),
      ...(process.env.HEAP_GROWTH_PERCENT === undefined ? {} : { HEAP_GROWTH_PERCENT: process.env.HEAP_GROWTH_PERCENT })
    }
  }))
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(`${url}/readyz`, child, 120_000)
  return { child, pid: child.pid!, url }
}

/** the node flags of `npm start`, for the service and ceiling I alike */
const SERVICE_FLAGS = startFlags(join(ROOT, 'package.json'))

/** the operations measured against ceiling I as well (issue 15) */
const I_SCENARIOS: ScenarioName[] = ['get-by-id', 'list-first-page', 'create-ticket', 'patch-ticket', 'add-comment']

async function startCeilingI (dbUrl: string): Promise<Service> {
  const port = await freePort()
  const child = track(spawn(process.execPath, [...SERVICE_FLAGS, '--import', 'tsx', 'bench/ceiling-ideal.ts', dbUrl, String(port), process.env.DB_POOL_MAX ?? '10'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }))
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(`${url}/v1/tickets`, child)
  return { child, pid: child.pid!, url }
}

async function startCeilingA (): Promise<Service> {
  const port = await freePort()
  const child = track(spawn(process.execPath, ['--import', 'tsx', 'bench/ceiling-fastify.ts', String(port)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }))
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(`${url}/ceiling`, child)
  return { child, pid: child.pid!, url: `${url}/ceiling` }
}

// ---------------------------------------------------------------------------------------------------------------
// the load generator process

class LoadGenerator {
  private readonly child: ChildProcess
  private nextId = 1
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  constructor () {
    this.child = track(fork(join(ROOT, 'bench/load-worker.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
    this.child.on('message', (raw) => {
      const m = raw as { type: string; id?: number; name?: string; message?: string }
      const key = m.type === 'fixture' ? -1 : m.id!
      const w = this.waiting.get(key)
      if (w === undefined) return
      this.waiting.delete(key)
      if (m.type === 'error') w.reject(new Error(m.message))
      else w.resolve(m)
    })
    this.child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`load generator exited with ${String(code)}`))
      this.waiting.clear()
    })
  }

  get pid (): number { return this.child.pid! }

  private async ask<T> (msg: Record<string, unknown>, key: number): Promise<T> {
    return await new Promise<T>((resolve, reject) => {
      this.waiting.set(key, { resolve: resolve as (v: unknown) => void, reject })
      this.child.send(msg)
    })
  }

  async fixture (name: string, fixture: Fixture): Promise<void> { await this.ask({ type: 'fixture', name, fixture }, -1) }

  async run (target: string, seconds: number, scenario?: ScenarioName, fixture?: string, state?: RunState): Promise<LoadResult> {
    const id = this.nextId++
    const m = await this.ask<{ result: LoadResult }>({ type: 'run', id, target, scenario, fixture, state, seconds, connections: CONNECTIONS }, id)
    return m.result
  }

  async probe (target: string, scenario: ScenarioName, fixture: string, state?: RunState): Promise<Array<{ status: number; body: string }>> {
    const id = this.nextId++
    const m = await this.ask<{ samples: Array<{ status: number; body: string }> }>({ type: 'probe', id, target, scenario, fixture, state }, id)
    return m.samples
  }

  async stop (): Promise<void> { await stopChild(this.child) }
}

// ---------------------------------------------------------------------------------------------------------------
// fixtures: tokens, ids, cursors — read from the seeded database

async function mintTokens (privateKey: CryptoKey, organizations: string[]): Promise<{ agents: string[]; customers: Array<{ organizationId: string; token: string }> }> {
  const sign = async (claims: Record<string, unknown>): Promise<string> => await new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('4h').sign(privateKey)
  const agents = await Promise.all(Array.from({ length: CONNECTIONS }, async (_, i) => await sign({ sub: `bench-agent-${i + 1}`, roles: ['agent'] })))
  const customers = await Promise.all(organizations.map(async (organizationId, i) => ({ organizationId, token: await sign({ sub: `bench-customer-${i + 1}`, roles: ['customer'], org_id: organizationId }) })))
  return { agents, customers }
}

const ISO_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`

/** the filter fingerprint of a list's cursors, taken from a real nextCursor so constructed cursors match it exactly */
async function cursorFingerprint (url: string, token: string, cursorField: 'nextCursor'): Promise<string> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  const body = await res.json() as Record<string, unknown>
  const cursor = body[cursorField]
  if (res.status !== 200 || typeof cursor !== 'string') throw new Error(`GET ${url} gave ${res.status} without a ${cursorField}: ${JSON.stringify(body).slice(0, 500)}`)
  const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { f: string }
  return decoded.f
}

const cursorOf = (position: Array<string | number>, f: string): string => Buffer.from(JSON.stringify({ p: position, f })).toString('base64url')

async function buildFixture (dbUrl: string, serviceUrl: string, privateKey: CryptoKey): Promise<Fixture> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
  try {
    const orgs = await sql<Array<{ id: string; plan: string }>>`
      select id, plan from organizations
      where subscription_status = 'active' and term_start <= now() and term_end > now() order by id`
    const tokens = await mintTokens(privateKey, orgs.map((o) => o.id))
    const [{ n } = { n: 0 }] = await sql<Array<{ n: number }>>`select count(*)::int as n from tickets`
    // random positions through the whole table: ids, and (created_at, id) keyset positions for deep cursors
    const sample = await sql<Array<{ id: string; created: string; status: string }>>`
      select id, to_char(created_at at time zone 'UTC', ${sql.unsafe(ISO_MS)}) as created, status
      from tickets tablesample bernoulli (${Math.min(100, 20_000 * 100 / Math.max(1, n))}) repeatable (7)`
    const open = await sql<Array<{ id: string }>>`
      select id from tickets where status <> 'closed' and organization_id in ${sql(orgs.map((o) => o.id))}
      order by created_at desc limit 20000`
    const [{ maxId } = { maxId: 0 }] = await sql<Array<{ maxId: number }>>`select coalesce(max(id), 0)::float8 as "maxId" from events`
    const eventIds = Array.from({ length: 5000 }, () => 1 + Math.floor(Math.random() * maxId * 0.98))
    const events = await sql<Array<{ txid: string; id: number }>>`select txid::text as txid, id::float8 as id from events where id in ${sql(eventIds)}`
    const agent = tokens.agents[0]!
    const ticketF = await cursorFingerprint(`${serviceUrl}/v1/tickets?limit=50`, agent, 'nextCursor')
    const eventF = await cursorFingerprint(`${serviceUrl}/v1/events?limit=100`, agent, 'nextCursor')
    return {
      agentTokens: tokens.agents,
      customerTokens: tokens.customers,
      ticketIds: sample.map((r) => r.id),
      openTicketIds: open.map((r) => r.id),
      deepCursors: sample.slice(0, 5000).map((r) => cursorOf([r.created, r.id], ticketF)),
      eventCursors: events.map((e) => cursorOf([e.txid, e.id], eventF)),
      creatableOrganizations: orgs.map((o) => ({ organizationId: o.id, channel: o.plan === 'basic' ? 'portal' : o.plan === 'enhanced' ? 'video_call' : 'phone' }))
    }
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** current versions of open tickets, for PATCH with If-Match (taken fresh before every PATCH run) */
async function currentVersions (dbUrl: string, ids: string[], count: number): Promise<RunState> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
  try {
    const chosen = [...ids].sort(() => Math.random() - 0.5).slice(0, count)
    const rows = await sql<Array<{ id: string; version: number }>>`select id, version from tickets where id in ${sql(chosen)}`
    return { versions: rows.map((r) => ({ id: r.id, version: r.version })) }
  } finally {
    await sql.end({ timeout: 5 })
  }
}

// ---------------------------------------------------------------------------------------------------------------
// measurements

export interface ScenarioRun extends LoadResult {
  scenario: string
  rep: number
  /** service CPU time (user+system) per completed request, microseconds */
  cpuUsPerRequest: number
  /** load generator CPU per request, microseconds (what the load itself costs on this machine) */
  loadGenCpuUsPerRequest: number
  /** CPU of the PostgreSQL server processes per request, microseconds (the database's share of the work) */
  dbCpuUsPerRequest: number
  /** the service's write and read system calls per request (/proc/<pid>/io): its socket round trips, steal-time free */
  writesPerRequest: number
  readsPerRequest: number
  rssMbAfter: number
  /** the benchmark database's statements during the measurement, per completed request (only with pg_stat_statements) */
  statements?: StatementCost[]
}

/** set once the databases are ready: null when the server does not preload pg_stat_statements */
let statementStats: StatementStats | null = null

export interface CeilingSet {
  index: number
  /** A: bare Fastify req/s */
  a: number
  aLatencyMs: { p50: number; p99: number }
  aCpuUsPerRequest: number
  /** B: pgbench -S -M prepared -c 10 -j 2, transactions/s */
  b: number
  /** B': the same select through postgres.js (prepared, 50 in flight over 10 connections), queries/s */
  bPrime: number
  /** W (context for the writes): pgbench -N (simple-update: update, select, insert, commit) -c 50 -j 2, transactions/s */
  w: number
}

async function measureCeilings (index: number, gen: LoadGenerator, ceilingA: Service): Promise<CeilingSet> {
  const cpu0 = cpuMs(ceilingA.pid)
  const a = await gen.run(ceilingA.url, SECONDS)
  const aCpu = (cpuMs(ceilingA.pid) - cpu0) / a.total * 1000
  const pgbenchUrl = databaseUrl(SERVER_URL, PGBENCH_DB)
  const out = await run(PGBENCH, ['-S', '-M', 'prepared', '-c', '10', '-j', '2', '-T', String(SECONDS), pgbenchUrl])
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1])
  const bp = JSON.parse(await run(process.execPath, ['--import', 'tsx', 'bench/ceiling-postgres.ts', pgbenchUrl, String(SECONDS), '50', '10'], { cwd: ROOT })) as { queriesPerSecond: number; errors: number }
  const wOut = await run(PGBENCH, ['-N', '-M', 'prepared', '-c', '50', '-j', '2', '-T', String(SECONDS), pgbenchUrl])
  const w = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(wOut)?.[1])
  if (a.errors + a.non2xx > 0 || bp.errors > 0) log(`  ! ceiling errors: A ${a.errors}+${a.non2xx} non-2xx, B' ${bp.errors}`)
  const set: CeilingSet = { index, a: a.rps, aLatencyMs: { p50: a.latencyMs.p50, p99: a.latencyMs.p99 }, aCpuUsPerRequest: aCpu, b: tps, bPrime: bp.queriesPerSecond, w }
  log(`  ceilings #${index}: A ${Math.round(set.a)} req/s · B ${Math.round(set.b)} tps · B' ${Math.round(set.bPrime)} q/s · W ${Math.round(set.w)} tps`)
  return set
}

async function measureScenario (gen: LoadGenerator, svc: Service, scenario: ScenarioName, fixture: string, rep: number, seconds: number, dbUrl: string, fx: Fixture, label: string = scenario): Promise<ScenarioRun> {
  // PATCH: versions read fresh, after the previous run's last in-flight writes have settled
  if (scenario === 'patch-ticket') await sleep(1000)
  const state = scenario === 'patch-ticket' ? await currentVersions(dbUrl, fx.openTicketIds, 5000) : undefined
  // the statement snapshots are taken outside the CPU readings: reading them is not the scenario's work
  const stats = fixture === 'main' ? statementStats : null
  const st0 = await stats?.snapshot()
  const cpu0 = cpuMs(svc.pid)
  const g0 = cpuMs(gen.pid)
  const db0 = postgresCpu()
  const io0 = ioCalls(svc.pid)
  const r = await gen.run(svc.url, seconds, scenario, fixture, state)
  const cpu = cpuMs(svc.pid) - cpu0
  const g = cpuMs(gen.pid) - g0
  const db = postgresCpuBetween(db0, postgresCpu())
  const io1 = ioCalls(svc.pid)
  const st1 = await stats?.snapshot()
  const result: ScenarioRun = {
    ...r,
    scenario: label,
    rep,
    cpuUsPerRequest: r.total > 0 ? cpu / r.total * 1000 : NaN,
    loadGenCpuUsPerRequest: r.total > 0 ? g / r.total * 1000 : NaN,
    dbCpuUsPerRequest: r.total > 0 ? db / r.total * 1000 : NaN,
    writesPerRequest: r.total > 0 ? (io1.writes - io0.writes) / r.total : NaN,
    readsPerRequest: r.total > 0 ? (io1.reads - io0.reads) / r.total : NaN,
    rssMbAfter: statusMb(svc.pid, 'VmRSS'),
    ...(st0 === undefined || st1 === undefined ? {} : { statements: StatementStats.between(st0, st1, r.total) })
  }
  const bad = r.errors + r.timeouts + r.non2xx
  log(`  ${label.padEnd(22)} ${String(Math.round(r.rps)).padStart(6)} req/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  cpu ${Math.round(result.cpuUsPerRequest)} µs/req  db ${Math.round(result.dbCpuUsPerRequest)} µs/req  w/r ${result.writesPerRequest.toFixed(1)}/${result.readsPerRequest.toFixed(1)}${bad > 0 ? `  ! errors ${r.errors} timeouts ${r.timeouts} non-2xx ${r.non2xx} ${JSON.stringify(r.statusCodes)}` : ''}`)
  for (const q of result.statements?.slice(0, 8) ?? []) log(`      ${q.execUsPerRequest.toFixed(0).padStart(5)} µs/req  ${q.callsPerRequest.toFixed(2)} calls/req  ${q.query.slice(0, 110)}`)
  return result
}

// ---------------------------------------------------------------------------------------------------------------

export interface BenchReport {
  generatedAt: string
  quick: boolean
  machine: MachineInfo
  config: Record<string, unknown>
  seed: { main: SeedInfo; small?: SeedInfo }
  ceilings: CeilingSet[]
  ceilingSummary: { a: Spread; b: Spread; bPrime: Spread; w: Spread; aCpuUsPerRequest: Spread }
  runs: ScenarioRun[]
  scenarios: Record<string, {
    description: string
    rps: Spread
    ratioB: Spread
    ratioA: Spread
    ratioBPrime: Spread
    ratioW: Spread
    /** ÷ ceiling I for the same operation, in the same repetition (issue 15) */
    ratioI?: Spread
    /** tickets written per second (create, upsert, batch upsert) */
    ticketsPerSecond?: Spread
    p50Ms: Spread
    p99Ms: Spread
    cpuUsPerRequest: Spread
    dbCpuUsPerRequest: Spread
    writesPerRequest: Spread
    readsPerRequest: Spread
    errors: number
    timeouts: number
    non2xx: number
    statusCodes: Record<string, number>
  }>
  deepCursorLatency?: { p50At1M: number; p50At10k: number; ratio: number; meanAt1M: number; meanAt10k: number; meanRatio: number }
  stability?: { seconds: number; perSecond: number[]; first5: number; last5: number; ratio: number; errors: number; non2xx: number; p99Ms: number; cpuUsPerRequestFirst5: number; cpuUsPerRequestLast5: number }
  rss: { peakMb: number; afterMb: number }
  targets: Array<{ what: string; target: string; measured: string; pass: boolean | null }>
  totalSeconds: number
}

async function main (): Promise<void> {
  const started = Date.now()
  log(`bench: ${QUICK ? 'QUICK' : 'full'} run — ${TICKETS.toLocaleString('en-US')} tickets, ${REPS} repetition(s), ${SECONDS} s per measurement, ${CONNECTIONS} connections`)
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const publicKeyPem = await exportSPKI(publicKey)

  log('databases')
  const mainSeed = await ensureSeeded(SERVER_URL, MAIN_DB, TICKETS, publicKeyPem, log)
  log(`  ${MAIN_DB}: ${mainSeed.reused ? 'reused' : `seeded in ${mainSeed.seconds.toFixed(1)} s`} — ${JSON.stringify(mainSeed.counts)}`)
  let smallSeed: SeedInfo | undefined
  if (DEEP_AT_10K) {
    smallSeed = await ensureSeeded(SERVER_URL, SMALL_DB, 10_000, publicKeyPem, log)
    log(`  ${SMALL_DB}: ${smallSeed.reused ? 'reused' : `seeded in ${smallSeed.seconds.toFixed(1)} s`}`)
  }
  await ensurePgbench(SERVER_URL, PGBENCH_DB, PGBENCH, log)
  const mainUrl = databaseUrl(SERVER_URL, MAIN_DB)
  const machine = machineInfo(await serverVersion(mainUrl))
  const commit = (await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).catch(() => 'unknown')).trim()

  statementStats = await StatementStats.open(mainUrl)
  log(`statements: ${statementStats === null ? 'pg_stat_statements not preloaded (no per-statement breakdown)' : 'pg_stat_statements on (per-statement database time per request)'}`)
  log('processes')
  const svc = await startService(mainUrl, publicKeyPem, 'main')
  const small = DEEP_AT_10K ? await startService(databaseUrl(SERVER_URL, SMALL_DB), publicKeyPem, '10k') : undefined
  const ceilingA = await startCeilingA()
  const withI = SCENARIO_LIST.some((x) => I_SCENARIOS.includes(x))
  const ceilingI = withI ? await startCeilingI(mainUrl) : undefined
  const gen = new LoadGenerator()
  log(`  service pid ${svc.pid} at ${svc.url}${small === undefined ? '' : `, 10k service pid ${small.pid}`}, ceiling A pid ${ceilingA.pid}, load generator pid ${gen.pid}`)

  const fx = await buildFixture(mainUrl, svc.url, privateKey)
  await gen.fixture('main', fx)
  let fxSmall: Fixture | undefined
  if (small !== undefined) {
    fxSmall = await buildFixture(databaseUrl(SERVER_URL, SMALL_DB), small.url, privateKey)
    await gen.fixture('small', fxSmall)
  }
  log(`  fixture: ${fx.ticketIds.length} ids, ${fx.openTicketIds.length} open tickets, ${fx.deepCursors.length} deep cursors, ${fx.eventCursors.length} feed cursors, ${fx.customerTokens.length} customer tokens`)

  // probes: every scenario must answer 2xx before anything is measured
  let probeFailed = false
  for (const s of SCENARIO_LIST) {
    const state = s === 'patch-ticket' ? await currentVersions(mainUrl, fx.openTicketIds, 50) : undefined
    const samples = await gen.probe(svc.url, s, 'main', state)
    const bad = samples.filter((x) => x.status < 200 || x.status >= 300)
    if (bad.length > 0) {
      probeFailed = true
      log(`  ! probe ${s}: ${bad.map((b) => `${b.status} ${b.body.slice(0, 400)}`).join(' | ')}`)
    }
  }
  if (probeFailed && !KEEP_GOING) throw new Error('a scenario failed its probe (see above); --keep-going to measure anyway')

  log('warm-up')
  await gen.run(ceilingA.url, WARMUP)
  for (const s of SCENARIO_LIST) {
    await measureScenario(gen, svc, s, 'main', 0, WARMUP, mainUrl, fx)
    if (ceilingI !== undefined && I_SCENARIOS.includes(s)) await measureScenario(gen, ceilingI, s, 'main', 0, WARMUP, mainUrl, fx, `${s}@I`)
  }
  if (small !== undefined && fxSmall !== undefined) await measureScenario(gen, small, 'list-deep-cursor', 'small', 0, WARMUP, databaseUrl(SERVER_URL, SMALL_DB), fxSmall, 'list-deep-cursor@10k')

  const ceilings: CeilingSet[] = []
  const runs: ScenarioRun[] = []
  ceilings.push(await measureCeilings(0, gen, ceilingA))
  for (let rep = 1; rep <= REPS; rep++) {
    log(`repetition ${rep}/${REPS}`)
    for (const s of SCENARIO_LIST) {
      runs.push(await measureScenario(gen, svc, s, 'main', rep, SECONDS, mainUrl, fx))
      // ceiling I for the same operation, right after it (interleaved like the other ceilings)
      if (ceilingI !== undefined && I_SCENARIOS.includes(s)) runs.push(await measureScenario(gen, ceilingI, s, 'main', rep, SECONDS, mainUrl, fx, `${s}@I`))
      if (s === 'list-deep-cursor' && small !== undefined && fxSmall !== undefined) {
        runs.push(await measureScenario(gen, small, 'list-deep-cursor', 'small', rep, SECONDS, databaseUrl(SERVER_URL, SMALL_DB), fxSmall, 'list-deep-cursor@10k'))
      }
    }
    ceilings.push(await measureCeilings(rep, gen, ceilingA))
  }

  let stability: BenchReport['stability']
  if (SCENARIO_LIST.includes('get-by-id')) {
    log(`stability: GET /v1/tickets/{id} for ${STABILITY} s`)
    // the service's CPU time, sampled every second alongside the load generator's per-second counts: CPU per request
    // at the start and at the end tells a slower service from a busier machine
    const cpuSamples: number[] = [cpuMs(svc.pid)]
    const sampler = setInterval(() => { cpuSamples.push(cpuMs(svc.pid)) }, 1000)
    const r = await measureScenario(gen, svc, 'get-by-id', 'main', 0, STABILITY, mainUrl, fx, 'stability')
    clearInterval(sampler)
    const ps = r.perSecond
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
    const first5 = sum(ps.slice(0, 5))
    const last5 = sum(ps.slice(-5))
    const n = Math.min(ps.length, cpuSamples.length - 1)
    const cpuOver = (from: number, to: number): number => (cpuSamples[to]! - cpuSamples[from]!) / Math.max(1, sum(ps.slice(from, to))) * 1000
    stability = {
      seconds: STABILITY, perSecond: ps, first5, last5, ratio: last5 / first5, errors: r.errors + r.timeouts, non2xx: r.non2xx, p99Ms: r.latencyMs.p99,
      cpuUsPerRequestFirst5: round(cpuOver(0, Math.min(5, n)), 1), cpuUsPerRequestLast5: round(cpuOver(Math.max(0, n - 5), n), 1)
    }
    log(`  first 5 s ${first5}, last 5 s ${last5}: ${(stability.ratio * 100).toFixed(1)}%; service CPU ${stability.cpuUsPerRequestFirst5} -> ${stability.cpuUsPerRequestLast5} us/request`)
  }
  const rss = { peakMb: statusMb(svc.pid, 'VmHWM'), afterMb: statusMb(svc.pid, 'VmRSS') }

  await gen.stop()
  await statementStats?.close()
  await stopChild(ceilingA.child)
  if (ceilingI !== undefined) await stopChild(ceilingI.child)
  if (small !== undefined) await stopChild(small.child)
  await stopChild(svc.child)

  const report = summarise({ machine, mainSeed, smallSeed, ceilings, runs, stability, rss, started, commit })
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify(report, null, 2))
  process.stdout.write(renderReport(report))
  log(`\nbench/results/latest.json written (${Math.round(report.totalSeconds)} s in all)`)
}

function summarise (m: { machine: MachineInfo; mainSeed: SeedInfo; smallSeed?: SeedInfo; ceilings: CeilingSet[]; runs: ScenarioRun[]; stability?: BenchReport['stability']; rss: BenchReport['rss']; started: number; commit: string }): BenchReport {
  const { ceilings, runs } = m
  // the ceilings of a repetition: the mean of the sets measured right before (rep-1) and right after (rep) it
  const around = (rep: number, k: 'a' | 'b' | 'bPrime' | 'w'): number => {
    const before = ceilings.find((c) => c.index === rep - 1)
    const after = ceilings.find((c) => c.index === rep)
    const xs = [before?.[k], after?.[k]].filter((x): x is number => x !== undefined && Number.isFinite(x))
    return xs.reduce((a, b) => a + b, 0) / xs.length
  }
  const names = [...new Set(runs.map((r) => r.scenario))]
  const scenarios: BenchReport['scenarios'] = {}
  for (const name of names) {
    const rs = runs.filter((r) => r.scenario === name)
    const statusCodes: Record<string, number> = {}
    for (const r of rs) for (const [c, n] of Object.entries(r.statusCodes)) statusCodes[c] = (statusCodes[c] ?? 0) + n
    const base = name.replace(/@(10k|I)$/, '') as ScenarioName
    const iRuns = runs.filter((r) => r.scenario === `${name}@I`)
    const perTicket = TICKETS_PER_REQUEST[base]
    scenarios[name] = {
      description: (name.endsWith('@I') ? 'ceiling I (minimal server, same stack and tables): ' : '') + (SCENARIOS[base] ?? name) + (name.endsWith('@10k') ? ' — against the 10,000-ticket database' : ''),
      ...(iRuns.length > 0 ? { ratioI: spread(rs.map((r) => r.rps / (iRuns.find((x) => x.rep === r.rep)?.rps ?? NaN))) } : {}),
      ...(perTicket === undefined || name.includes('@') ? {} : { ticketsPerSecond: spread(rs.map((r) => r.rps * perTicket)) }),
      rps: spread(rs.map((r) => r.rps)),
      ratioB: spread(rs.map((r) => r.rps / around(r.rep, 'b'))),
      ratioA: spread(rs.map((r) => r.rps / around(r.rep, 'a'))),
      ratioBPrime: spread(rs.map((r) => r.rps / around(r.rep, 'bPrime'))),
      ratioW: spread(rs.map((r) => r.rps / around(r.rep, 'w'))),
      p50Ms: spread(rs.map((r) => r.latencyMs.p50)),
      p99Ms: spread(rs.map((r) => r.latencyMs.p99)),
      cpuUsPerRequest: spread(rs.map((r) => r.cpuUsPerRequest)),
      dbCpuUsPerRequest: spread(rs.map((r) => r.dbCpuUsPerRequest)),
      writesPerRequest: spread(rs.map((r) => r.writesPerRequest)),
      readsPerRequest: spread(rs.map((r) => r.readsPerRequest)),
      errors: rs.reduce((a, r) => a + r.errors, 0),
      timeouts: rs.reduce((a, r) => a + r.timeouts, 0),
      non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
      statusCodes
    }
  }
  let deepCursorLatency: BenchReport['deepCursorLatency']
  const big = runs.filter((r) => r.scenario === 'list-deep-cursor')
  const little = runs.filter((r) => r.scenario === 'list-deep-cursor@10k')
  if (big.length > 0 && little.length > 0) {
    const p50At1M = spread(big.map((r) => r.latencyMs.p50)).median
    const p50At10k = spread(little.map((r) => r.latencyMs.p50)).median
    const meanAt1M = spread(big.map((r) => r.latencyMs.mean)).median
    const meanAt10k = spread(little.map((r) => r.latencyMs.mean)).median
    deepCursorLatency = { p50At1M, p50At10k, ratio: p50At1M / p50At10k, meanAt1M, meanAt10k, meanRatio: meanAt1M / meanAt10k }
  }
  const ceilingSummary = {
    a: spread(ceilings.map((c) => c.a)),
    b: spread(ceilings.map((c) => c.b)),
    bPrime: spread(ceilings.map((c) => c.bPrime)),
    w: spread(ceilings.map((c) => c.w)),
    aCpuUsPerRequest: spread(ceilings.map((c) => c.aCpuUsPerRequest))
  }
  const targets: BenchReport['targets'] = []
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
  const s = (n: string): BenchReport['scenarios'][string] | undefined => scenarios[n]
  const t = (what: string, target: string, measured: string | undefined, pass: boolean | undefined): void => {
    targets.push({ what, target, measured: measured ?? 'not measured', pass: measured === undefined ? null : pass ?? null })
  }
  const g = s('get-by-id')
  t('GET /v1/tickets/{id} ÷ B', '≥ 35% (stretch 40%)', g && pct(g.ratioB.median), g && g.ratioB.median >= 0.35)
  t('GET /v1/tickets/{id} ÷ A', '≥ 20%', g && pct(g.ratioA.median), g && g.ratioA.median >= 0.20)
  t('GET /v1/tickets/{id} p99', '< 30 ms', g && `${g.p99Ms.median} ms`, g && g.p99Ms.median < 30)
  const c = s('create-ticket')
  t('POST /v1/tickets ÷ B', '≥ 18% (stretch 21%)', c && pct(c.ratioB.median), c && c.ratioB.median >= 0.18)
  const p = s('patch-ticket')
  t('PATCH /v1/tickets/{id} ÷ B', '≥ 18% (stretch 21%)', p && pct(p.ratioB.median), p && p.ratioB.median >= 0.18)
  const l = s('list-first-page')
  t('list first page ÷ B', '≥ 10% (stretch 12%)', l && pct(l.ratioB.median), l && l.ratioB.median >= 0.10)
  const d = s('list-deep-cursor')
  t('list deep cursor ÷ B', '≥ 7%', d && pct(d.ratioB.median), d && d.ratioB.median >= 0.07)
  // issue 15: against ceiling I, and the batch upsert against single upserts
  const vsI = (name: string, what: string, goal: number): void => {
    const x = s(name)
    t(`${what} ÷ I`, `≥ ${goal * 100}%, p99 < 100 ms`, x?.ratioI && `${pct(x.ratioI.median)}, p99 ${x.p99Ms.median} ms`, x?.ratioI && x.ratioI.median >= goal && x.p99Ms.median < 100)
  }
  vsI('create-ticket', 'POST /v1/tickets (Idempotency-Key)', 0.6)
  vsI('patch-ticket', 'PATCH /v1/tickets/{id} (If-Match)', 0.6)
  vsI('add-comment', 'POST /v1/tickets/{id}/comments (Idempotency-Key)', 0.6)
  vsI('get-by-id', 'GET /v1/tickets/{id}', 0.9)
  vsI('list-first-page', 'list first page of 50', 0.75)
  const single = s('upsert-single')?.ticketsPerSecond?.median
  const batched = s('upsert-batch')?.ticketsPerSecond?.median
  t('batch upsert tickets/s ÷ single upserts', '≥ 5×', single !== undefined && batched !== undefined ? `${(batched / single).toFixed(1)}× (${Math.round(batched)} vs ${Math.round(single)} tickets/s)` : undefined, single !== undefined && batched !== undefined && batched / single >= 5)
  const dl = deepCursorLatency
  t('deep cursor p50 latency 1M ÷ 10k', '≤ 1.2×', dl && `${dl.ratio.toFixed(2)}× (${dl.p50At1M} ms vs ${dl.p50At10k} ms)`, dl && dl.ratio <= 1.2)
  const st = m.stability
  t('60 s stability (last 5 s ÷ first 5 s)', '≥ 90%', st && `${pct(st.ratio)} over ${st.seconds} s`, st && st.ratio >= 0.9)
  t('service peak RSS under load', '< 200 MB', `${m.rss.peakMb.toFixed(0)} MB`, m.rss.peakMb < 200)
  const bad = Object.entries(scenarios).filter(([, v]) => v.errors + v.timeouts + v.non2xx > 0)
  t('errors + non-2xx over all scenarios', '0', bad.length === 0 ? '0' : bad.map(([k, v]) => `${k}: ${v.errors + v.timeouts} errors, ${v.non2xx} non-2xx ${JSON.stringify(v.statusCodes)}`).join('; '), bad.length === 0)

  return {
    generatedAt: new Date().toISOString(),
    quick: QUICK,
    machine: m.machine,
    config: { commit: m.commit, tickets: TICKETS, reps: REPS, secondsPerMeasurement: SECONDS, warmupSeconds: WARMUP, stabilitySeconds: STABILITY, connections: CONNECTIONS, dbPoolMax: process.env.DB_POOL_MAX ?? 'service default', heapGrowthPercent: process.env.HEAP_GROWTH_PERCENT ?? 'service default', scenarios: SCENARIO_LIST, serviceNodeArgs: [...SERVICE_FLAGS, process.env.BENCH_NODE_ARGS ?? ''].join(' ').trim() },
    seed: { main: m.mainSeed, ...(m.smallSeed === undefined ? {} : { small: m.smallSeed }) },
    ceilings,
    ceilingSummary,
    runs: runs.map((r) => ({ ...r, rps: round(r.rps, 1), cpuUsPerRequest: round(r.cpuUsPerRequest, 1), dbCpuUsPerRequest: round(r.dbCpuUsPerRequest, 1), writesPerRequest: round(r.writesPerRequest, 2), readsPerRequest: round(r.readsPerRequest, 2), loadGenCpuUsPerRequest: round(r.loadGenCpuUsPerRequest, 1), rssMbAfter: round(r.rssMbAfter, 1) })),
    scenarios,
    ...(deepCursorLatency === undefined ? {} : { deepCursorLatency }),
    ...(m.stability === undefined ? {} : { stability: m.stability }),
    rss: { peakMb: round(m.rss.peakMb, 1), afterMb: round(m.rss.afterMb, 1) },
    targets,
    totalSeconds: (Date.now() - m.started) / 1000
  }
}

main().then(
  async () => { await stopAll(); await sleep(10); process.exit(0) },
  async (err: unknown) => { log(`bench failed: ${String((err as Error).stack ?? err)}`); await stopAll(); process.exit(1) }
)
