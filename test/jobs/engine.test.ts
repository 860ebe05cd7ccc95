import t from 'tap'
import { sql } from 'drizzle-orm'
import { createTestDatabase, TestClock } from '../helpers/app.js'
import { createJobEngine, type JobInfo } from '../../src/jobs/engine.js'

const start = new Date('2026-03-02T16:00:00Z')

t.test('manual mode: transactional send, startAfter on the app clock, retries', async (t) => {
  const { database } = await createTestDatabase(t)
  const clock = new TestClock(start)
  const jobs = createJobEngine({ database, now: clock.now, workers: true, mode: 'manual', poolMax: 2 })
  const seen: Array<JobInfo<{ n: number }>> = []
  let failNext = 0
  jobs.defineQueue({ name: 'test-echo', retryLimit: 2, retryDelaySeconds: 30 })
  jobs.work<{ n: number }>('test-echo', async (job) => {
    if (failNext > 0) { failNext--; throw new Error('boom') }
    seen.push(job)
  })
  await jobs.start()
  t.teardown(async () => { await jobs.stop({ timeoutMs: 1000 }) })

  // rolled back: no job
  await database.db.transaction(async (tx) => {
    await jobs.send(tx, 'test-echo', { n: 0 })
    tx.rollback()
  }).catch(() => {})
  // committed: due in 10 minutes of app time
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`select 1`)
    await jobs.send(tx, 'test-echo', { n: 1 }, { startAfter: new Date(start.getTime() + 600_000) })
  })
  t.equal(await jobs.runDue(), 0, 'nothing due now (and the rolled-back job does not exist)')
  clock.advance(599_000)
  t.equal(await jobs.runDue(), 0, 'not before the moment')
  clock.advance(1_000)
  t.equal(await jobs.runDue(), 1, 'at the moment')
  t.same(seen.map((j) => j.data.n), [1])
  t.equal(await jobs.runDue(), 0, 'completed once')

  // a failing handler is retried after retryDelaySeconds of app time
  failNext = 1
  await database.db.transaction(async (tx) => { await jobs.send(tx, 'test-echo', { n: 2 }) })
  t.equal(await jobs.runDue(), 1, 'first attempt ran (and failed)')
  t.equal(seen.length, 1)
  clock.advance(10_000)
  t.equal(await jobs.runDue(), 0, 'retry waits for its delay')
  clock.advance(21_000)
  t.equal(await jobs.runDue(), 1, 'retried')
  t.same(seen.map((j) => j.data.n), [1, 2])
  t.equal(seen[1]?.retryCount, 1)
})

t.test('live mode: workers poll and run due jobs on the real clock', async (t) => {
  const { database } = await createTestDatabase(t)
  const jobs = createJobEngine({ database, now: () => new Date(), workers: true, pollingIntervalSeconds: 0.5, poolMax: 2 })
  const done: number[] = []
  let resolve: () => void = () => {}
  const allDone = new Promise<void>((r) => { resolve = r })
  jobs.defineQueue({ name: 'test-live' })
  jobs.work<{ n: number }>('test-live', async (job) => {
    done.push(job.data.n)
    if (done.length === 20) resolve()
  }, { batchSize: 5 })
  await jobs.start()
  t.teardown(async () => { await jobs.stop({ timeoutMs: 1000 }) })
  await database.db.transaction(async (tx) => {
    for (let n = 0; n < 20; n++) await jobs.send(tx, 'test-live', { n }, { startAfter: new Date(Date.now() + 300) })
  })
  await allDone
  t.same([...done].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i), 'each job once')
})

t.test('periodic tasks: live, right away and then each interval, never overlapping; a throw is logged and the next run goes on; stop ends them', async (t) => {
  const { database } = await createTestDatabase(t)
  const warned: string[] = []
  const jobs = createJobEngine({ database, now: () => new Date(), workers: true, pollingIntervalSeconds: 0.5, poolMax: 2, log: { warn: (_o, msg) => { warned.push(msg) }, error: () => {} } })
  let runs = 0
  let active = 0
  let overlapped = false
  let resolve: () => void = () => {}
  const fiveRuns = new Promise<void>((r) => { resolve = r })
  jobs.every('test-tick', 0.05, async () => {
    runs++
    active++
    if (active > 1) overlapped = true
    await new Promise((r) => setTimeout(r, 80)) // longer than the interval
    active--
    if (runs === 2) throw new Error('boom')
    if (runs === 5) resolve()
  })
  await jobs.start()
  t.throws(() => { jobs.every('after-start', 1, async () => {}) }, /registered after start/)
  await fiveRuns
  t.notOk(overlapped, 'one run at a time')
  t.ok(warned.some((m) => m.includes('periodic task failed')), 'the failed run is logged')
  await jobs.stop({ timeoutMs: 1000 })
  const stoppedAt = runs
  await new Promise((r) => setTimeout(r, 300))
  t.equal(runs, stoppedAt, 'no run after stop')
})

t.test('periodic tasks in manual mode: runDue runs them before each round, and a throw fails runDue', async (t) => {
  const { database } = await createTestDatabase(t)
  const clock = new TestClock(start)
  const jobs = createJobEngine({ database, now: clock.now, workers: true, mode: 'manual', poolMax: 2 })
  const ran: number[] = []
  let fail = false
  jobs.defineQueue({ name: 'test-fed' })
  // the task feeds the queue once; its job runs in the same runDue
  let fed = false
  jobs.every('test-feed', 5, async () => {
    if (fail) throw new Error('sweep broke')
    if (fed) return
    fed = true
    await database.db.transaction(async (tx) => { await jobs.send(tx, 'test-fed', { n: 7 }) })
  })
  jobs.work<{ n: number }>('test-fed', async (job) => { ran.push(job.data.n) })
  await jobs.start()
  t.teardown(async () => { await jobs.stop({ timeoutMs: 1000 }) })
  t.equal(await jobs.runDue(), 1, 'the job the task sent ran in the same runDue')
  t.same(ran, [7])
  fail = true
  await t.rejects(jobs.runDue(), /sweep broke/)
})
