/**
 * `npm run bench:kb-search`: knowledge-base search and suggestion latency over a generated help centre.
 * Needs DATABASE_URL (a PostgreSQL server; a scratch database is created and dropped) or runs on in-memory PGlite.
 * Options: --articles N (default 10000), --queries Q (default 300), --topic-percent P (default 5: share of body words
 * from the topic vocabulary, so a two-word query matches a realistic fraction of articles; 100 = worst case). Prints median and p99 per query kind.
 */
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { openDatabase, type Database } from '../src/db/client.js'
import { runMigrations } from '../src/db/migrate.js'
import { searchArticles } from '../src/db/repositories/kb.js'

function arg (name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`)
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt
}
const ARTICLES = arg('articles', 10_000)
const QUERIES = arg('queries', 300)
/** share of body words drawn from the 50 email/DNS topic words (the rest from 5,000 filler words); 1 = every word is a topic word */
const TOPIC_SHARE = arg('topic-percent', 5) / 100

const url = process.env.DATABASE_URL
let database: Database
let cleanup = async (): Promise<void> => {}
if (url !== undefined && url !== '') {
  const name = `kb_bench_${randomBytes(4).toString('hex')}`
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  await admin.unsafe(`CREATE DATABASE ${name}`)
  const u = new URL(url); u.pathname = `/${name}`
  database = await openDatabase({ url: u.toString(), poolMax: 2 })
  cleanup = async () => { await database.close(); await admin.unsafe(`DROP DATABASE ${name} WITH (FORCE)`); await admin.end() }
} else {
  database = await openDatabase({})
  cleanup = async () => { await database.close() }
}
await runMigrations(database)

// articles: 40–200 words, a few from an email/DNS vocabulary and the rest filler, so terms have realistic frequencies
const started = Date.now()
await database.rows(sql`
  with words as (select array['dkim','spf','dmarc','dns','delegation','selector','record','txt','policy','reject','quarantine','alignment','report','aggregate','lookup','permerror','include','nameserver','zone','subdomain','mailbox','bounce','forwarding','signature','key','rotate','provider','domain','sender','receiver','the','a','to','and','of','your','with','for','when','then','check','publish','add','remove','update','wait','cache','ttl','glue','parent'] as w),
  gen as (
    select g, (select string_agg(case when random() < ${TOPIC_SHARE} then w[1 + floor(random() * 50)::int] else 'filler' || floor(random() * 5000)::int end, ' ') from words, generate_series(1, 40 + (g % 160))) as body,
              (select string_agg(w[1 + floor(random() * 30)::int], ' ') from words, generate_series(1, 6)) as title
    from generate_series(1, ${ARTICLES}) g)
  insert into kb_articles (slug, title, summary, body_markdown, body_html, body_text, tags, status, audience_plans, published_at, search_vector, created_by_id, created_by_role, updated_by_id, updated_by_role, created_at, updated_at)
  select 'bench-' || g, title, '', body, '<p>' || body || '</p>', body, '{}', case when g % 10 = 0 then 'draft' else 'published' end,
         case when g % 7 = 0 then array['premier'] else null end, now(),
         setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'C'), 'bench', 'agent', 'bench', 'agent', now(), now()
  from gen`)
await database.rows(sql`analyze kb_articles`)
console.log(`seeded ${ARTICLES} articles in ${((Date.now() - started) / 1000).toFixed(1)} s (${database.kind})`)

const WEB = ['dkim selector', 'spf permerror lookup', 'dmarc policy reject', '"aggregate report"', 'delegation -glue', 'rotate key', 'nameserver zone subdomain', 'bounce forwarding']
const ANY = ['Our DKIM signatures fail after switching providers', 'SPF permerror too many lookups in our record', 'How do we move DMARC from quarantine to reject?']

async function measure (label: string, run: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) await run(i)
  const times: number[] = []
  for (let i = 0; i < QUERIES; i++) {
    const t0 = process.hrtime.bigint()
    await run(i)
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]?.toFixed(2)
  console.log(`${label}: median ${at(0.5)} ms, p99 ${at(0.99)} ms (${QUERIES} queries)`)
}

await measure('search, anonymous, limit 10', async (i) => await searchArticles(database.db, { kind: 'anonymous' }, { text: WEB[i % WEB.length] ?? '', limit: 10, mode: 'web' }))
await measure('search, staff, limit 10', async (i) => await searchArticles(database.db, { kind: 'staff' }, { text: WEB[i % WEB.length] ?? '', limit: 10, mode: 'web' }))
await measure('suggestions (any word), limit 5', async (i) => await searchArticles(database.db, { kind: 'customer', plan: 'premier' }, { text: ANY[i % ANY.length] ?? '', limit: 5, mode: 'any' }))
if (process.env.KEEP === undefined) await cleanup(); else console.log("kept")
