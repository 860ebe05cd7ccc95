import { and, asc, eq, sql, type SQL } from 'drizzle-orm'
import type { DbOrTx } from '../client.js'
import { events } from '../schema/events.js'

export type FeedRow = typeof events.$inferSelect

/** a position in the feed's total order: (writing transaction id, event id) */
export interface FeedPosition { txid: string; id: number }

export interface FeedQuery {
  after?: FeedPosition
  limit: number
  organizationId?: string
  types?: string[]
  includeInternal: boolean
}

/**
 * The safe horizon of the statement's snapshot: every event whose transaction id is below it was written by a
 * transaction that had finished when the snapshot was taken, and every transaction still running or yet to start
 * that could write an event has a transaction id at or above it. So nothing can ever appear behind a position
 * the feed has handed out.
 *
 * It is the lowest transaction id still in progress in the snapshot (pg_snapshot_xip), or the snapshot's xmax when
 * none is — i.e. pg_snapshot_xmin(pg_current_snapshot()) — except that transactions provably running in ANOTHER
 * database of the cluster (pg_stat_activity / pg_prepared_xacts, matched by xid) are ignored: they can never write
 * to this events table, and without this a long transaction anywhere on a shared server (a bulk load, a report,
 * another service) would hold the feed back. An in-progress xid that cannot be attributed (the session just
 * finished, or its row is hidden from this role) counts as in flight: the conservative answer, for one poll.
 * pg_current_snapshot() is the statement's own snapshot (PostgreSQL 13+), so the horizon and the rows read agree.
 */
export const FEED_HORIZON = sql`(
  select coalesce(min(x), pg_snapshot_xmax(pg_current_snapshot()))
  from pg_snapshot_xip(pg_current_snapshot()) as x
  where not exists (select 1 from pg_stat_activity a where a.backend_xid = x::xid and a.datname <> current_database())
    and not exists (select 1 from pg_prepared_xacts p where p.transaction = x::xid and p.database <> current_database())
)`

/**
 * Events in (txid, id) order after a position, below the safe horizon (one InitPlan, then a range scan of
 * events_feed_idx (txid, id) or events_org_feed_idx (organization_id, txid, id)). One prepared statement per
 * filter combination and database handle: planning this query costs more than running it.
 */
export async function readFeed (db: DbOrTx, q: FeedQuery): Promise<FeedRow[]> {
  const hasTypes = q.types !== undefined && q.types.length > 0
  const shape = `${q.after !== undefined ? 'a' : ''}${q.organizationId !== undefined ? 'o' : ''}${hasTypes ? 't' : ''}${q.includeInternal ? 'i' : ''}`
  let byShape = statements.get(db)
  if (byShape === undefined) {
    byShape = new Map()
    statements.set(db, byShape)
  }
  let statement = byShape.get(shape)
  if (statement === undefined) {
    statement = prepare(db, shape)
    byShape.set(shape, statement)
  }
  return await statement.execute({
    txid: q.after?.txid, id: q.after?.id, org: q.organizationId, types: hasTypes ? q.types : undefined, limit: q.limit
  })
}

const placeholder = sql.placeholder

function prepare (db: DbOrTx, shape: string) {
  const conditions: SQL[] = [sql`${events.txid} < ${FEED_HORIZON}`]
  if (shape.includes('a')) conditions.push(sql`(${events.txid}, ${events.id}) > (${placeholder('txid')}::xid8, ${placeholder('id')}::bigint)`)
  if (shape.includes('o')) conditions.push(sql`${events.organizationId} = ${placeholder('org')}::uuid`)
  if (shape.includes('t')) conditions.push(sql`${events.type} = any(${placeholder('types')}::text[])`)
  if (!shape.includes('i')) conditions.push(eq(events.visibility, 'public'))
  return db.select().from(events).where(and(...conditions)).orderBy(asc(events.txid), asc(events.id))
    .limit(placeholder('limit')).prepare(`change_feed_${shape === '' ? 'all' : shape}`)
}

const statements = new WeakMap<DbOrTx, Map<string, ReturnType<typeof prepare>>>()
