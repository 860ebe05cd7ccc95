/**
 * The durable job engine (issue 12), one small module over pg-boss 12 so that use cases never see pg-boss.
 *
 * - `send(tx, queue, data, options)` inserts the job with the caller's drizzle transaction: it commits or rolls back
 *   with the change that asked for it, on postgres.js and on PGlite alike (pg-boss's drizzle adapter).
 * - `work(queue, handler)` registers a handler; `start()` installs pg-boss's schema (idempotent, serialised by pg-boss),
 *   creates the declared queues and — when this replica runs workers — starts polling. `stop()` stops fetching, lets
 *   running handlers finish (bounded) and closes pg-boss's own connections.
 * - Time: a job's `startAfter` is an instant of the application clock. In production that is the database clock too.
 *   Tests run the engine in `manual` mode: pg-boss's TestClock makes the database side read the application's
 *   TestClock (pg-boss's `job_now()`), no poller runs, and `runDue()` processes every job due at the application's
 *   now, deterministically, in the calling test.
 *
 * A handler that throws fails the job; pg-boss retries it (retryLimit / retryDelaySeconds / retryBackoff of the queue or
 * the send) and a job whose process dies mid-handler is retried after `expireInSeconds`. Handlers must therefore be
 * idempotent in effect (the SLA timer writes its event under a unique key in the same transaction as the check).
 */
import { sql } from 'drizzle-orm'
import { PgBoss, TestClock as BossTestClock, fromDrizzle, fromPglite, type ConstructorOptions, type DrizzleTransactionLike, type Job, type JobResult, type SendOptions } from 'pg-boss'
import type { Database, DbOrTx } from '../db/client.js'

export interface QueueDefinition {
  name: string
  /** `standard` (default); `stately`/`singleton` make `singletonKey` dedupe (pg-boss queue policies) */
  policy?: 'standard' | 'stately' | 'singleton'
  retryLimit?: number
  retryDelaySeconds?: number
  retryBackoff?: boolean
  /** how long a fetched job may run before pg-boss retries it (a killed worker's job comes back after this) */
  expireInSeconds?: number
  /** a queue (also defined here) that receives jobs whose retries are exhausted */
  deadLetter?: string
}

export interface JobSendOptions {
  /** not before this instant (application clock); absent = now */
  startAfter?: Date
  /** dedupe key; only effective on `stately` / `singleton` queues */
  singletonKey?: string
  retryLimit?: number
  retryDelaySeconds?: number
  retryBackoff?: boolean
  expireInSeconds?: number
}

export interface JobInfo<T> {
  id: string
  queue: string
  data: T
  /** 0 on the first attempt */
  retryCount: number
}

export type JobHandler<T> = (job: JobInfo<T>) => Promise<void>
/** a handler for a whole fetched batch: resolves = every job completed, throws = every job failed (and retried) */
export type BatchJobHandler<T> = (jobs: Array<JobInfo<T>>) => Promise<void>

export interface WorkOptions {
  /** jobs fetched per poll (default 10) */
  batchSize?: number
  /** pollers of this queue in this process (default 1) */
  concurrency?: number
  /** idle poll interval (default 1 s, the engine's `pollingIntervalSeconds`) */
  pollingIntervalSeconds?: number
}

export interface WorkerHandle {
  /** wake this process's pollers of the queue now (e.g. right after committing jobs for it) instead of at their next poll */
  wake: () => void
}

export interface JobEngine {
  /** true when jobs are really stored (false: the no-op engine of tests that do not need jobs) */
  readonly enabled: boolean
  /** declare a queue; created at start() (call before start) */
  defineQueue: (definition: QueueDefinition) => void
  /** insert a job inside the caller's transaction; returns its id (null when deduped by singletonKey) */
  send: <T extends object>(tx: DbOrTx, queue: string, data: T, options?: JobSendOptions) => Promise<string | null>
  /** several jobs of one queue in one statement, inside the caller's transaction (cheaper than N sends) */
  sendMany: <T extends object>(tx: DbOrTx, queue: string, jobs: Array<{ data: T; options?: JobSendOptions }>) => Promise<void>
  /** register this process's handler for a queue (started by start() when workers run here) */
  work: <T extends object>(queue: string, handler: JobHandler<T>, options?: WorkOptions) => WorkerHandle
  /** like work, but the handler gets every job of a fetch at once (one handler call per fetched batch) */
  workBatch: <T extends object>(queue: string, handler: BatchJobHandler<T>, options?: WorkOptions) => WorkerHandle
  /**
   * register a periodic task of this process (a sweep over state kept in tables): run every `intervalSeconds` when
   * workers run here (never overlapping itself; a throw is logged and the next run tries again), and by `runDue()`
   * before each round in manual mode. Replicas each run it: the task must share its work (`SKIP LOCKED`).
   */
  every: (name: string, intervalSeconds: number, task: () => Promise<void>) => void
  start: () => Promise<void>
  /** stop fetching, let running handlers finish for up to `timeoutMs` (default 10 s), close */
  stop: (options?: { timeoutMs?: number }) => Promise<void>
  /** manual mode only: process every job due at the application clock's now; returns how many handlers ran */
  runDue: () => Promise<number>
}

export interface JobEngineOptions {
  database: Database
  /** the application clock */
  now: () => Date
  /** run the registered handlers in this process (WORKERS) */
  workers: boolean
  /** `live` (production: pollers on the real clock) or `manual` (tests: pg-boss on the app clock, runDue) */
  mode?: 'live' | 'manual'
  /** idle poll interval of live workers, seconds (>= 0.5) */
  pollingIntervalSeconds?: number
  /** connections of pg-boss's own pool on PostgreSQL (fetch/complete/maintenance) */
  poolMax?: number
  /** how often pg-boss's supervisor returns expired jobs (a killed worker's) to the queue, seconds (default 10) */
  superviseIntervalSeconds?: number
  /** pg-boss schema (default `pgboss`) */
  schema?: string
  log?: { warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void }
}

interface Registration { handler?: JobHandler<object>; batch?: BatchJobHandler<object>; options: WorkOptions; workerIds: string[] }

const toSendOptions = (o: JobSendOptions | QueueDefinition): SendOptions => {
  const out: SendOptions = {}
  if (o.retryLimit !== undefined) out.retryLimit = o.retryLimit
  if (o.retryDelaySeconds !== undefined) out.retryDelay = o.retryDelaySeconds
  if (o.retryBackoff !== undefined) out.retryBackoff = o.retryBackoff
  if (o.expireInSeconds !== undefined) out.expireInSeconds = o.expireInSeconds
  return out
}

/** an engine that stores nothing: for tests and tools that do not exercise jobs (send is a no-op) */
export const disabledJobs: JobEngine = {
  enabled: false,
  defineQueue: () => {},
  send: async () => null,
  sendMany: async () => {},
  work: () => ({ wake: () => {} }),
  workBatch: () => ({ wake: () => {} }),
  every: () => {},
  start: async () => {},
  stop: async () => {},
  runDue: async () => 0
}

type TransactionAdapter = ReturnType<typeof fromDrizzle>
interface PostgresJsClient { unsafe: (text: string, values: unknown[], options: { prepare: boolean }) => Promise<unknown[]> }

/**
 * pg-boss's statements run on the caller's transaction. On postgres.js they go straight to the transaction's
 * connection as prepared statements (postgres.js caches one per SQL text and connection): pg-boss's drizzle adapter
 * re-parses the statement text for placeholders and rebuilds it through drizzle on every call, and runs it
 * unprepared, which cost about 1.3 ms of CPU per ticket create (issue 15). Elsewhere (PGlite) the drizzle adapter.
 */
function onTransaction (tx: DbOrTx): TransactionAdapter {
  const client = (tx as unknown as { session?: { client?: Partial<PostgresJsClient> } }).session?.client
  if (typeof client?.unsafe === 'function') {
    const unsafe = client.unsafe.bind(client) as PostgresJsClient['unsafe']
    return { executeSql: async (text: string, values: unknown[] = []) => ({ rows: await unsafe(text, values, { prepare: true }) }) } as unknown as TransactionAdapter
  }
  return fromDrizzle(tx as unknown as DrizzleTransactionLike, sql)
}

export function createJobEngine (options: JobEngineOptions): JobEngine {
  const mode = options.mode ?? 'live'
  const schema = options.schema ?? 'pgboss'
  const { database } = options
  const queues = new Map<string, QueueDefinition>()
  const handlers = new Map<string, Registration>()
  const clock = mode === 'manual' ? new BossTestClock(options.now()) : undefined

  const base: ConstructorOptions = {
    schema,
    // timers must not wait for a cron pass; pg-boss's own maintenance stays on
    schedule: false,
    registerInstance: false,
    superviseIntervalSeconds: options.superviseIntervalSeconds ?? 10,
    // pg-boss expires a killed worker's jobs in the per-queue monitor pass, which runs at most this often (default 60 s)
    monitorIntervalSeconds: options.superviseIntervalSeconds ?? 10,
    ...(clock === undefined ? {} : { clock, supervise: false })
  }
  let boss: PgBoss
  if (database.kind === 'postgres') {
    if (database.url === undefined) throw new Error('jobs: PostgreSQL database without a URL')
    boss = new PgBoss({ ...base, connectionString: database.url, max: options.poolMax ?? 4, application_name: 'support-desk-jobs' })
  } else {
    if (database.pglite === undefined) throw new Error('jobs: PGlite database without its instance')
    boss = new PgBoss({ ...base, db: fromPglite(database.pglite), backend: 'pglite' })
  }
  boss.on('error', (err: unknown) => { options.log?.error({ err }, 'jobs: pg-boss error') })

  let started = false
  const periodic = new Map<string, Periodic>()
  /** the live periodic tasks: the pending timer and the run in progress of each */
  const ticking = new Map<string, { timer?: NodeJS.Timeout; running?: Promise<void> }>()
  const runTask = async (name: string, task: () => Promise<void>): Promise<void> => {
    try {
      await task()
    } catch (err) {
      options.log?.warn({ err, task: name }, 'jobs: periodic task failed; it runs again at its next interval')
    }
  }
  type Periodic = { intervalSeconds: number; task: () => Promise<void> }
  /** one run of a live task; when it ends, the next is set an interval later (unless the engine stopped meanwhile) */
  const launch = (name: string, def: Periodic, state: { timer?: NodeJS.Timeout; running?: Promise<void> }): void => {
    state.running = runTask(name, def.task).finally(() => {
      state.running = undefined
      if (ticking.get(name) === state) state.timer = setTimeout(() => { launch(name, def, state) }, def.intervalSeconds * 1000)
    })
  }

  const info = (queue: string, job: Job<object>): JobInfo<object> => ({ id: job.id, queue, data: job.data, retryCount: job.retryCount ?? 0 })
  const runOne = async (queue: string, reg: Registration, job: Job<object>): Promise<JobResult> => {
    try {
      await reg.handler?.(info(queue, job))
      return { id: job.id, status: 'completed' }
    } catch (err) {
      options.log?.warn({ err, queue, jobId: job.id }, 'jobs: handler failed; pg-boss retries it')
      return { id: job.id, status: 'failed', output: { message: err instanceof Error ? err.message : String(err) } }
    }
  }
  const runBatch = async (queue: string, reg: Registration, jobs: Array<Job<object>>): Promise<JobResult[]> => {
    if (reg.batch === undefined) return await Promise.all(jobs.map(async (job) => await runOne(queue, reg, job)))
    try {
      await reg.batch(jobs.map((job) => info(queue, job)))
      return jobs.map((job) => ({ id: job.id, status: 'completed' as const }))
    } catch (err) {
      options.log?.warn({ err, queue, jobs: jobs.length }, 'jobs: batch handler failed; pg-boss retries its jobs')
      const output = { message: err instanceof Error ? err.message : String(err) }
      return jobs.map((job) => ({ id: job.id, status: 'failed' as const, output }))
    }
  }
  const register = (queue: string, reg: Registration): WorkerHandle => {
    if (started) throw new Error(`jobs: handler for ${queue} registered after start`)
    handlers.set(queue, reg)
    return { wake: () => { for (const id of reg.workerIds) boss.notifyWorker(id) } }
  }

  return {
    enabled: true,
    defineQueue (definition) {
      if (started) throw new Error(`jobs: queue ${definition.name} defined after start`)
      queues.set(definition.name, definition)
    },
    async send (tx, queue, data, opts = {}) {
      if (!queues.has(queue)) throw new Error(`jobs: unknown queue ${queue}`)
      // manual mode on PostgreSQL: the caller's session reads the test clock too (PGlite has one session, already set)
      if (clock !== undefined && database.kind === 'postgres') await tx.execute(sql`SET LOCAL pgboss.test_clock = 'on'`)
      const sendOptions: SendOptions = { ...toSendOptions(opts), db: onTransaction(tx) }
      if (opts.startAfter !== undefined) sendOptions.startAfter = opts.startAfter
      if (opts.singletonKey !== undefined) sendOptions.singletonKey = opts.singletonKey
      return await boss.send(queue, data, sendOptions)
    },
    async sendMany (tx, queue, items) {
      if (!queues.has(queue)) throw new Error(`jobs: unknown queue ${queue}`)
      if (items.length === 0) return
      if (clock !== undefined && database.kind === 'postgres') await tx.execute(sql`SET LOCAL pgboss.test_clock = 'on'`)
      await boss.insert(queue, items.map(({ data, options: o = {} }) => ({
        data,
        ...toSendOptions(o),
        ...(o.startAfter === undefined ? {} : { startAfter: o.startAfter }),
        ...(o.singletonKey === undefined ? {} : { singletonKey: o.singletonKey })
      })), { db: onTransaction(tx) })
    },
    every (name, intervalSeconds, task) {
      if (started) throw new Error(`jobs: periodic task ${name} registered after start`)
      periodic.set(name, { intervalSeconds, task })
    },
    work (queue, handler, opts = {}) {
      return register(queue, { handler: handler as JobHandler<object>, options: opts, workerIds: [] })
    },
    workBatch (queue, handler, opts = {}) {
      return register(queue, { batch: handler as BatchJobHandler<object>, options: opts, workerIds: [] })
    },
    async start () {
      if (started) return
      started = true
      await boss.start()
      for (const q of queues.values()) {
        const existing = await boss.getQueue(q.name)
        const queueOptions = { ...toSendOptions(q), policy: q.policy ?? 'standard', ...(q.deadLetter === undefined ? {} : { deadLetter: q.deadLetter }) }
        if (existing === null) {
          // two replicas may race here: the loser's "already exists" is fine
          await boss.createQueue(q.name, queueOptions).catch(async (err: unknown) => {
            if (await boss.getQueue(q.name) === null) throw err
          })
        } else if (q.expireInSeconds !== undefined && existing.expireInSeconds !== q.expireInSeconds) {
          // a changed setting (e.g. WEBHOOK_JOB_EXPIRE_SECONDS) applies to queues created by an earlier version too
          await boss.updateQueue(q.name, { expireInSeconds: q.expireInSeconds })
        }
      }
      if (!options.workers || mode === 'manual') return
      for (const [queue, reg] of handlers) {
        const id = await boss.work<object>(queue, {
          batchSize: reg.options.batchSize ?? 10,
          localConcurrency: reg.options.concurrency ?? 1,
          pollingIntervalSeconds: reg.options.pollingIntervalSeconds ?? options.pollingIntervalSeconds ?? 1,
          burstWhenBatchFull: true,
          perJobResults: true
        }, async (jobs: Array<Job<object>>) => await runBatch(queue, reg, jobs))
        reg.workerIds.push(id)
      }
      // the periodic tasks: the first run right away (a replica starting after downtime catches up), then each interval
      for (const [name, def] of periodic) {
        const state: { timer?: NodeJS.Timeout; running?: Promise<void> } = {}
        ticking.set(name, state)
        launch(name, def, state)
      }
    },
    async stop (opts = {}) {
      if (!started) return
      started = false
      const running = [...ticking.values()].map((state) => { clearTimeout(state.timer); return state.running })
      ticking.clear()
      await Promise.all(running)
      await boss.stop({ graceful: true, timeout: opts.timeoutMs ?? 10_000, close: true })
    },
    async runDue () {
      if (clock === undefined) throw new Error('jobs: runDue() is for manual mode (tests)')
      await clock.setTime(options.now())
      let ran = 0
      for (;;) {
        let progressed = false
        // in tests a failing task fails the test's runDue (live, it is logged and runs again)
        for (const def of periodic.values()) await def.task()
        for (const [queue, reg] of handlers) {
          const batch = await boss.fetch<object>(queue, { batchSize: 50 })
          if (batch.length === 0) continue
          progressed = true
          ran += batch.length
          const results = reg.batch !== undefined ? await runBatch(queue, reg, batch) : await Promise.all(batch.map(async (job) => await runOne(queue, reg, job)))
          for (const result of results) {
            if (result.status === 'completed') await boss.complete(queue, result.id)
            else await boss.fail(queue, result.id, result.output as object)
          }
        }
        if (!progressed) return ran
      }
    }
  }
}
