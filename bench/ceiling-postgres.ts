/**
 * Ceiling B': pgbench's `-S` query (single-row primary-key select on pgbench_accounts) through postgres.js with a
 * prepared statement: a pool of POOL connections driven by CONCURRENCY loops that each keep one query in flight.
 * Prints one JSON line: { queriesPerSecond, queries, errors, seconds }.
 * Usage: node --import tsx bench/ceiling-postgres.ts <url> <seconds> [concurrency=50] [pool=10] [scale=10]
 */
import postgres from 'postgres'

const [url, secondsArg, concurrencyArg = '50', poolArg = '10', scaleArg = '10'] = process.argv.slice(2)
if (url === undefined || secondsArg === undefined) {
  console.error('usage: ceiling-postgres.ts <url> <seconds> [concurrency] [pool] [scale]')
  process.exit(2)
}
const seconds = Number(secondsArg)
const concurrency = Number(concurrencyArg)
const accounts = 100_000 * Number(scaleArg)
const sql = postgres(url, { max: Number(poolArg), prepare: true, onnotice: () => {} })

// open every connection first so connection set-up is not measured (pgbench reports tps without it, too)
await Promise.all(Array.from({ length: Number(poolArg) }, () => sql`select 1`))

let queries = 0
let errors = 0
let running = true
const started = process.hrtime.bigint()

async function loop (): Promise<void> {
  while (running) {
    const aid = 1 + Math.floor(Math.random() * accounts)
    try {
      await sql`select abalance from pgbench_accounts where aid = ${aid}`
      queries++
    } catch {
      errors++
    }
  }
}

const loops = Array.from({ length: concurrency }, () => loop())
setTimeout(() => { running = false }, seconds * 1000)
await Promise.all(loops)
const elapsed = Number(process.hrtime.bigint() - started) / 1e9
await sql.end({ timeout: 5 })
console.log(JSON.stringify({ queriesPerSecond: queries / elapsed, queries, errors, seconds: elapsed }))
