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
