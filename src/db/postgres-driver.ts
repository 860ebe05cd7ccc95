import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type postgresType from 'postgres'

/**
 * postgres.js with one documented patch (issue 7): its internal FIFO (src/queue.js) replaced by an equivalent whose
 * cost does not grow over time.
 *
 * The original `shift()` leaves an `undefined` hole at the front and only resets the array once the queue runs
 * empty; `remove(x)` searches with `indexOf` from the start. The pool moves a connection between queues on every
 * query (`busy.shift()`, then `busy.remove(c)` + `busy.push(c)` when all connections are busy and queries are
 * pipelined), so under sustained load — more queries in flight than connections — the busy queue never runs empty,
 * its array grows by one hole per query and every query scans all the holes: throughput falls about 3–4× within a
 * minute (bench: 50 queries in flight over 10 connections, 16k → 3.6k queries/s). Pipelining itself is worth keeping:
 * it sends several queries per write and saves a third of the CPU per request.
 *
 * The replacement has the same interface and order; `remove` searches only the live part and `shift` compacts the
 * holes every COMPACT_AT shifts, so every operation is amortised O(live entries). It is installed by priming
 * Node's CommonJS module cache with it before postgres.js's CommonJS build is loaded (postgres.js captures the
 * queue with `require('./queue.js')` at load time); nothing on disk is changed. If the package layout is not the
 * expected one (another major version), the unpatched driver is used and `patched` says so.
 */
export const COMPACT_AT = 1024

export interface PgQueue<T> {
  readonly length: number
  remove: (x: T) => T | null
  push: (x: T) => T
  shift: () => T | undefined
}

export function Queue<T> (initial: T[] = []): PgQueue<T> {
  let xs: Array<T | undefined> = initial.slice()
  let index = 0
  return {
    get length () {
      return xs.length - index
    },
    remove: (x: T) => {
      // entries before `index` were shifted out (holes): never search them
      const i = xs.indexOf(x, index)
      return i === -1 ? null : (xs.splice(i, 1), x)
    },
    push: (x: T) => (xs.push(x), x),
    shift: () => {
      const out = xs[index++]
      if (index === xs.length) {
        index = 0
        xs = []
      } else if (index >= COMPACT_AT) {
        xs = xs.slice(index)
        index = 0
      } else {
        xs[index - 1] = undefined
      }
      return out
    }
  }
}

const require = createRequire(import.meta.url)

function load (): { postgres: typeof postgresType; patched: boolean } {
  try {
    const entry = require.resolve('postgres')
    const queuePath = join(dirname(entry), 'queue.js')
    if (require.cache[entry] === undefined) {
      const original = require(queuePath) as unknown
      const probe = typeof original === 'function' ? (original as () => Partial<PgQueue<number>>)() : undefined
      const cached = require.cache[queuePath]
      if (probe !== undefined && typeof probe.shift === 'function' && typeof probe.remove === 'function' && typeof probe.push === 'function' && cached !== undefined) {
        cached.exports = Queue
        const postgres = require('postgres') as typeof postgresType
        return { postgres, patched: true }
      }
    }
  } catch {
    // unexpected layout: fall through to the unpatched driver
  }
  return { postgres: require('postgres') as typeof postgresType, patched: false }
}

const loaded = load()

/** postgres.js (CommonJS build) with the queue patch applied when possible */
export const postgres = loaded.postgres
/** true when the patched queue is in use */
export const queuePatched = loaded.patched
