import t from 'tap'
import { Gate } from '../../src/http/plugins/db-gate.js'
import { DomainError } from '../../src/domain/errors.js'

const flush = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve() }

t.test('admits up to `permits` at once, then queues in arrival order', async (t) => {
  const gate = new Gate(2, 10, 60_000)
  const r1 = await gate.acquire()
  const r2 = await gate.acquire()
  t.equal(gate.inUse, 2)
  const order: number[] = []
  const p3 = gate.acquire().then((r) => { order.push(3); return r })
  const p4 = gate.acquire().then((r) => { order.push(4); return r })
  await flush()
  t.equal(gate.queued, 2, 'third and fourth wait')
  t.same(order, [])
  r1()
  const r3 = await p3
  t.same(order, [3], 'a release hands the permit to the first waiter')
  t.equal(gate.inUse, 2)
  r2()
  const r4 = await p4
  t.same(order, [3, 4])
  r3(); r4()
  t.equal(gate.inUse, 0)
  t.equal(gate.queued, 0)
})

t.test('a release counts once, however often it is called', async (t) => {
  const gate = new Gate(1, 10, 60_000)
  const r1 = await gate.acquire()
  r1(); r1(); r1()
  t.equal(gate.inUse, 0)
  const r2 = await gate.acquire()
  t.equal(gate.inUse, 1)
  r2()
})

t.test('a full queue sheds with 503 overloaded', async (t) => {
  const gate = new Gate(1, 1, 60_000)
  const r1 = await gate.acquire()
  const waiting = gate.acquire()
  await flush()
  const err = await gate.acquire().then(() => null, (e: unknown) => e)
  t.ok(err instanceof DomainError)
  t.equal((err as DomainError).code, 'overloaded')
  t.equal((err as DomainError).status, 503)
  r1()
  const r2 = await waiting
  r2()
  t.equal(gate.inUse, 0)
})

t.test('a waiter that gets no permit within maxWaitMs is refused and leaves the queue', async (t) => {
  const gate = new Gate(1, 10, 20)
  const r1 = await gate.acquire()
  const err = await gate.acquire().then(() => null, (e: unknown) => e)
  t.equal((err as DomainError).code, 'overloaded')
  t.equal(gate.queued, 0)
  r1()
  t.equal(gate.inUse, 0, 'the permit is not handed to the departed waiter')
})

t.test('many requests through a small gate: never more than `permits` at once, all served', async (t) => {
  const gate = new Gate(3, 1000, 60_000)
  let running = 0
  let peak = 0
  await Promise.all(Array.from({ length: 200 }, async (_, i) => {
    const release = await gate.acquire()
    running++
    peak = Math.max(peak, running)
    for (let k = 0; k < i % 4; k++) await Promise.resolve()
    running--
    release()
  }))
  t.equal(peak, 3)
  t.equal(gate.inUse, 0)
  t.equal(gate.queued, 0)
})
