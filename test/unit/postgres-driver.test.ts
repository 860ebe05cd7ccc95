import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import t from 'tap'
import fc from 'fast-check'
import { COMPACT_AT, Queue, queuePatched, postgres, type PgQueue } from '../../src/db/postgres-driver.js'

const require = createRequire(import.meta.url)
// the original implementation, as shipped (ESM build: not the module the patch replaces)
const originalPath = join(dirname(require.resolve('postgres')), '../../src/queue.js')

type Op = { op: 'push'; v: number } | { op: 'shift' } | { op: 'remove'; v: number }
const ops = fc.array(fc.oneof(
  fc.record({ op: fc.constant('push' as const), v: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ op: fc.constant('shift' as const) }),
  fc.record({ op: fc.constant('remove' as const), v: fc.integer({ min: 0, max: 30 }) })
), { maxLength: 3000 })

const apply = (q: PgQueue<number>, seq: Op[]): unknown[] => seq.map((o) => {
  const r = o.op === 'push' ? q.push(o.v) : o.op === 'shift' ? q.shift() : q.remove(o.v)
  return [r, q.length]
})

t.test('the patched queue answers exactly like the original for any sequence of operations', async (t) => {
  const { default: Original } = await import(originalPath) as { default: <T>() => PgQueue<T> }
  fc.assert(fc.property(ops, (seq) => {
    t.same(apply(Queue<number>(), seq), apply(Original<number>(), seq))
  }), { numRuns: 200 })
})

t.test('shift + remove + push with the queue never empty (the pool under load) stays cheap and bounded', async (t) => {
  const q = Queue<object>()
  const conns = Array.from({ length: 10 }, () => ({}))
  for (const c of conns) q.push(c)
  let wrong = 0
  for (let i = 0; i < 200_000; i++) {
    const c = q.shift()!
    if (q.remove(c) !== null) wrong++ // already shifted out: not in the live part
    q.push(c)
    if (q.length !== 10) wrong++
  }
  t.equal(wrong, 0, '200,000 rounds, each as the pool does it')
  t.equal(q.length, 10)
  t.ok(COMPACT_AT > 0)
})

t.test('the driver in use has the patched queue', async (t) => {
  t.equal(queuePatched, true, 'postgres.js 3.4 layout recognised: the CommonJS build loads the patched queue')
  t.equal(typeof postgres, 'function')
})
