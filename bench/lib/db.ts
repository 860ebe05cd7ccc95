/** Database preparation for the benchmark: dedicated databases, migrations, the seeded data set, pgbench's tables. */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import postgres from 'postgres'
import { run } from './common.js'

export const ROOT = new URL('../..', import.meta.url).pathname

/** the URL of database `name` on the server of `serverUrl` */
export function databaseUrl (serverUrl: string, name: string): string {
  const u = new URL(serverUrl)
  u.pathname = `/${name}`
  return u.toString()
}

export async function ensureDatabase (serverUrl: string, name: string): Promise<boolean> {
  const admin = postgres(databaseUrl(serverUrl, 'postgres'), { max: 1, onnotice: () => {} })
  try {
    const rows = await admin`select 1 from pg_database where datname = ${name}`
    if (rows.length > 0) return false
    await admin.unsafe(`create database "${name.replace(/"/g, '')}"`)
    return true
  } finally {
    await admin.end({ timeout: 5 })
  }
}

export async function serverVersion (url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql<Array<{ v: string }>>`select current_setting('server_version') as v`
    return row?.v ?? 'unknown'
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** applies the committed migrations with the compiled migrator (the service itself also migrates on start) */
export async function migrate (url: string, publicKeyPem: string): Promise<void> {
  await run(process.execPath, [join(ROOT, 'dist/db/migrate-cli.js')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, JWT_PUBLIC_KEY: publicKeyPem, AUTH_DEV_KEYS: '', JWT_JWKS_URL: '', LOG_LEVEL: 'warn' }
  })
}

/**
 * Changes when the seed script changes: a seeded database is reused only while it matches. New migrations do not
 * force a new seed: the service applies them on start (MIGRATE_ON_START) to the seeded database.
 */
export function seedFingerprint (): string {
  return createHash('sha256').update(readFileSync(join(ROOT, 'bench/seed.sql'))).digest('hex').slice(0, 16)
}

export interface SeedInfo { reused: boolean; seconds: number; counts: Record<string, number> }

export async function countRows (url: string): Promise<Record<string, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql<Array<Record<string, string>>>`
      select (select count(*) from organizations) as organizations, (select count(*) from tickets) as tickets,
             (select count(*) from ticket_comments) as comments, (select count(*) from severity_changes) as severity_changes,
             (select count(*) from events) as events`
    return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]))
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/**
 * Seeds `tickets` tickets unless the database already holds exactly that seed (same count, same seed script and
 * seed script; new migrations are applied). Rows an earlier benchmark run wrote (by callers named `bench-…`) are removed.
 */
export async function ensureSeeded (serverUrl: string, name: string, tickets: number, publicKeyPem: string, log: (s: string) => void): Promise<SeedInfo> {
  const fingerprint = seedFingerprint()
  const url = databaseUrl(serverUrl, name)
  await ensureDatabase(serverUrl, name)
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  let matches = false
  try {
    const [exists] = await sql`select to_regclass('public.bench_seed') is not null as ok`
    if (exists?.ok === true) {
      const rows = await sql`select tickets, fingerprint from bench_seed`
      matches = rows.length === 1 && rows[0]?.tickets === tickets && rows[0]?.fingerprint === fingerprint
    }
    if (matches) {
      await migrate(url, publicKeyPem)
      // everything the benchmark writes is done by callers whose subject starts with `bench-`
      const removed = await sql.begin(async (tx) => {
        await tx`set local session_replication_role = replica`
        const e = await tx`delete from events where actor_id like 'bench-%'`
        const c = await tx`delete from ticket_comments where author_id like 'bench-%' or ticket_id in (select id from tickets where created_by_id like 'bench-%') returning ticket_id`
        // a comment also went into its ticket's search documents (the triggers of migration 0016; they are off here):
        // rebuild the documents of the seeded tickets that had one from what stays (the function the text-change trigger
        // uses, migration 0017), or every run would add to them and make the next run's comments slower
        await tx`update ticket_search s set customer = d.customer, staff = d.staff
          from tickets t cross join lateral ticket_search_documents(t.id, t.subject, t.description) d
          where s.ticket_id = t.id and t.created_by_id not like 'bench-%'
            and t.id = any(${[...new Set(c.map((r) => r.ticket_id as string))]}::uuid[])`
        const s = await tx`delete from severity_changes where actor_id like 'bench-%'`
        await tx`delete from reopen_requests where requested_by_id like 'bench-%'`
        await tx`delete from ticket_search where ticket_id in (select id from tickets where created_by_id like 'bench-%')`
        const t = await tx`delete from tickets where created_by_id like 'bench-%'`
        await tx`delete from idempotency_keys`
        return { events: e.count, comments: c.count, severityChanges: s.count, tickets: t.count }
      })
      const total = removed.events + removed.comments + removed.tickets + removed.severityChanges
      if (total > 0) {
        log(`  removed rows of earlier runs: ${JSON.stringify(removed)}`)
        await sql`vacuum analyze tickets, ticket_search, ticket_comments, events`
      }
      const counts = await countRows(url)
      if (counts.tickets === tickets) return { reused: true, seconds: 0, counts }
      log(`  ${counts.tickets} tickets after clean-up, expected ${tickets}: seeding again`)
    }
  } finally {
    await sql.end({ timeout: 5 })
  }
  // a fresh database every time: nothing of an earlier (possibly interrupted) seed or schema survives
  log(`  seeding ${tickets.toLocaleString('en-US')} tickets into ${name} (fresh database, migrations, bench/seed.sql)`)
  await dropDatabase(serverUrl, name)
  await ensureDatabase(serverUrl, name)
  await migrate(url, publicKeyPem)
  const t0 = Date.now()
  await run('psql', [url, '-X', '-q', '--single-transaction', '-v', 'ON_ERROR_STOP=1', '-v', `tickets=${tickets}`, '-v', `fingerprint=${fingerprint}`, '-f', join(ROOT, 'bench/seed.sql')])
  const seconds = (Date.now() - t0) / 1000
  const done = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await done`update bench_seed set seconds = ${seconds}`
  } finally {
    await done.end({ timeout: 5 })
  }
  return { reused: false, seconds, counts: await countRows(url) }
}

export async function dropDatabase (serverUrl: string, name: string): Promise<void> {
  const admin = postgres(databaseUrl(serverUrl, 'postgres'), { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`drop database if exists "${name.replace(/"/g, '')}" with (force)`)
  } finally {
    await admin.end({ timeout: 5 })
  }
}

/** pgbench's tables at scale 10 (1,000,000 accounts) in their own database */
export async function ensurePgbench (serverUrl: string, name: string, pgbench: string, log: (s: string) => void): Promise<void> {
  await ensureDatabase(serverUrl, name)
  const url = databaseUrl(serverUrl, name)
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  let ok = false
  try {
    const [row] = await sql`select to_regclass('public.pgbench_accounts') is not null as ok`
    if (row?.ok === true) {
      const [c] = await sql`select count(*)::int as n from pgbench_accounts`
      ok = c?.n === 1_000_000
    }
  } finally {
    await sql.end({ timeout: 5 })
  }
  if (ok) return
  log('  initialising pgbench tables (scale 10)')
  await run(pgbench, ['-i', '-s', '10', '-q', url])
}
