import { and, eq, inArray, lte, or, sql } from 'drizzle-orm'
import type { Db, DbOrTx, Tx } from '../client.js'
import { idempotencyKeys } from '../schema/idempotency.js'
import { PreparedStatement } from '../prepared.js'

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect

export interface NewClaim {
  scope: string
  idempotencyKey: string
  subject: string
  organizationScope: string
  method: string
  route: string
  fingerprint: string
  claimToken: string
  now: Date
  expiresAt: Date
}

export interface StoredResponse {
  statusCode: number
  headers: Record<string, string>
  body: Buffer
}

/** a claim row's values as placeholders; a completed one carries the response */
const claimValues = (state: 'in_progress' | 'applied' | 'completed') => {
  const p = (name: string) => sql.placeholder(name)
  return {
    scope: p('scope'),
    idempotencyKey: p('idempotencyKey'),
    subject: p('subject'),
    organizationScope: p('organizationScope'),
    method: p('method'),
    route: p('route'),
    fingerprint: p('fingerprint'),
    state,
    claimToken: p('claimToken'),
    statusCode: state === 'completed' ? p('statusCode') : null,
    responseHeaders: state === 'completed' ? p('responseHeaders') : null,
    responseBody: state === 'completed' ? p('responseBody') : null,
    createdAt: p('now'),
    claimedAt: p('now'),
    completedAt: state === 'completed' ? p('now') : null,
    expiresAt: p('expiresAt')
  } as unknown as typeof idempotencyKeys.$inferInsert
}

/** what completing a claim sets: the stored response */
const completionSet = () => ({
  state: 'completed',
  statusCode: sql.placeholder('statusCode'),
  responseHeaders: sql.placeholder('responseHeaders'),
  responseBody: sql.placeholder('responseBody'),
  completedAt: sql.placeholder('completedAt')
} as unknown as Partial<IdempotencyRow>)

/**
 * Prepared statements, one set per database handle: the claim runs on every POST that carries a key, so it should
 * cost one round trip with a cached plan (issue 7).
 */
function statements (db: Db) {
  const p = (name: string) => sql.placeholder(name)
  return {
    claim: db.insert(idempotencyKeys).values(claimValues('in_progress'))
      .onConflictDoNothing({ target: idempotencyKeys.scope }).returning({ scope: idempotencyKeys.scope }).prepare('idempotency_claim'),
    find: db.select().from(idempotencyKeys).where(eq(idempotencyKeys.scope, p('scope'))).prepare('idempotency_find'),
    // runs after every POST that carries a key, too (issue 7)
    complete: db.update(idempotencyKeys).set(completionSet())
      .where(and(eq(idempotencyKeys.scope, p('scope')), eq(idempotencyKeys.claimToken, p('claimToken')), inArray(idempotencyKeys.state, ['in_progress', 'applied'])))
      .returning({ scope: idempotencyKeys.scope }).prepare('idempotency_complete')
  }
}

const cache = new WeakMap<Db, ReturnType<typeof statements>>()
const prepared = (db: Db): ReturnType<typeof statements> => {
  let s = cache.get(db)
  if (s === undefined) {
    s = statements(db)
    cache.set(db, s)
  }
  return s
}

/** INSERT … ON CONFLICT DO NOTHING: true when this call took the key (no row existed) */
export async function claimKey (db: Db, c: NewClaim): Promise<boolean> {
  const rows = await prepared(db).claim.execute({ ...c })
  return rows.length === 1
}

export async function findKey (db: Db, scope: string): Promise<IdempotencyRow | undefined> {
  const rows = await prepared(db).find.execute({ scope })
  return rows[0]
}

/**
 * Takes over a row that may be reused: expired (any state), or an in_progress claim older than `staleBefore`
 * (its owner crashed or lost its connection). The WHERE is re-checked under the row lock, so of several
 * concurrent reclaimers exactly one wins.
 */
export async function reclaimKey (db: Db, c: NewClaim, staleBefore: Date): Promise<boolean> {
  const rows = await db.update(idempotencyKeys).set({
    fingerprint: c.fingerprint,
    state: 'in_progress',
    claimToken: c.claimToken,
    statusCode: null,
    responseHeaders: null,
    responseBody: null,
    createdAt: c.now,
    claimedAt: c.now,
    completedAt: null,
    expiresAt: c.expiresAt
  }).where(and(
    eq(idempotencyKeys.scope, c.scope),
    or(lte(idempotencyKeys.expiresAt, c.now), and(eq(idempotencyKeys.state, 'in_progress'), lte(idempotencyKeys.claimedAt, staleBefore)))
  )).returning({ scope: idempotencyKeys.scope })
  return rows.length === 1
}

/** stores the final response; only the claim's owner can (a reclaimed row has another token) */
export async function completeKey (db: Db, scope: string, claimToken: string, response: StoredResponse, now: Date): Promise<boolean> {
  const rows = await prepared(db).complete.execute({
    scope, claimToken, statusCode: response.statusCode, responseHeaders: response.headers, responseBody: response.body, completedAt: now
  })
  return rows.length === 1
}

/** completeKey inside a transaction: the held transaction stores its request's response with its COMMIT */
export async function completeKeyIn (tx: Tx, scope: string, claimToken: string, response: StoredResponse, now: Date): Promise<boolean> {
  const rows = await completeInStatement.execute(tx, {
    scope, claimToken, statusCode: response.statusCode, responseHeaders: response.headers, responseBody: response.body, completedAt: now
  })
  return rows.length === 1
}

const completeInStatement = new PreparedStatement('idempotency_complete_in', (db, name) =>
  db.update(idempotencyKeys).set(completionSet()).where(and(eq(idempotencyKeys.scope, sql.placeholder('scope')), eq(idempotencyKeys.claimToken, sql.placeholder('claimToken')), eq(idempotencyKeys.state, 'applied')))
    .returning({ scope: idempotencyKeys.scope }).prepare(name))

/**
 * Marks the claim 'applied' inside the request's own transaction (src/db/commit-scope.ts): from its commit on, the
 * request has taken effect, so the claim is never reclaimed as abandoned and never released for a re-run.
 */
export async function markApplied (tx: Tx, scope: string, claimToken: string): Promise<void> {
  await markAppliedStatement.execute(tx, { scope, claimToken })
}

// prepared: it runs inside every write transaction of a request that carries a key (issue 7)
const markAppliedStatement = new PreparedStatement('idempotency_mark_applied', (db, name) =>
  db.update(idempotencyKeys).set({ state: 'applied' })
    .where(and(eq(idempotencyKeys.scope, sql.placeholder('scope')), eq(idempotencyKeys.claimToken, sql.placeholder('claimToken')), eq(idempotencyKeys.state, 'in_progress')))
    .prepare(name))

/**
 * A row that a new claim may take over: expired (any state), or an in_progress claim older than `staleBefore`.
 * The same rule as reclaimKey, for the claims that insert-or-take-over in one statement below.
 */
const takeOverWhere = () => sql`${idempotencyKeys.expiresAt} <= ${sql.placeholder('nowText')}::timestamptz
  or (${idempotencyKeys.state} = 'in_progress' and ${idempotencyKeys.claimedAt} <= ${sql.placeholder('staleBeforeText')}::timestamptz)`

/** the take-over condition's instants, as text (placeholders inside raw SQL get no driver mapping) */
const takeOverValues = (now: Date, staleBefore: Date) => ({ nowText: now.toISOString(), staleBeforeText: staleBefore.toISOString() })


/** INSERT, or take over an expired or abandoned row, in one statement; RETURNING tells whether this call got the key */
const insertOrTakeOver = (db: DbOrTx, name: string, state: 'applied' | 'completed') => {
  const values = claimValues(state)
  const { scope: _scope, ...set } = values
  return db.insert(idempotencyKeys).values(values)
    .onConflictDoUpdate({ target: idempotencyKeys.scope, set, setWhere: takeOverWhere() })
    .returning({ scope: idempotencyKeys.scope }).prepare(name)
}

const claimAppliedStatement = new PreparedStatement('idempotency_claim_applied', (db, name) => insertOrTakeOver(db, name, 'applied'))
const storeCompletedStatement = new PreparedStatement('idempotency_store_completed', (db, name) => insertOrTakeOver(db, name, 'completed'))

/**
 * Claims the key inside the request's own transaction, already 'applied' (routes whose every effect is in their
 * transactions; src/http/plugins/idempotency.ts): the row exists exactly when the request's writes committed. false when
 * another request holds the key (a concurrent duplicate waits here, on the primary key, until the holder's transaction
 * ends).
 */
export async function claimApplied (tx: Tx, c: NewClaim, staleBefore: Date): Promise<boolean> {
  const rows = await claimAppliedStatement.execute(tx, { ...c, ...takeOverValues(c.now, staleBefore) })
  return rows.length === 1
}

/**
 * Stores a final response for a key no transaction of the request claimed (the request was refused before or inside a
 * transaction that rolled back): false when another request holds the key.
 */
export async function storeCompleted (db: Db, c: NewClaim, response: StoredResponse, staleBefore: Date): Promise<boolean> {
  const rows = await storeCompletedStatement.execute(db, {
    ...c, ...takeOverValues(c.now, staleBefore), statusCode: response.statusCode, responseHeaders: response.headers, responseBody: response.body
  })
  return rows.length === 1
}

/** gives the key up (the request failed with a 5xx): a retry runs the request again */
export async function releaseKey (db: Db, scope: string, claimToken: string): Promise<void> {
  await db.delete(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.claimToken, claimToken), eq(idempotencyKeys.state, 'in_progress')))
}

/** deletes up to `batch` expired keys (served by idempotency_keys_expires_idx); returns how many */
export async function purgeExpiredKeys (db: Db, now: Date, batch = 1000): Promise<number> {
  const expired = db.select({ scope: idempotencyKeys.scope }).from(idempotencyKeys).where(lte(idempotencyKeys.expiresAt, now)).limit(batch)
  const rows = await db.delete(idempotencyKeys).where(inArray(idempotencyKeys.scope, expired)).returning({ scope: idempotencyKeys.scope })
  return rows.length
}
