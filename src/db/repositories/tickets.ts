/**
 * Tickets: rows <-> domain, with the hot-path statements prepared (get by id, list pages, insert, version-checked
 * update). Every write is called with the caller's transaction.
 */
import { and, asc, count, desc, eq, getTableColumns, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import type { SlaStatus } from '../../domain/sla/first-response.js'
import type { TicketDraft } from '../../domain/tickets/opening.js'
import type { CountGroup, TicketSort } from '../../domain/tickets/listing.js'
import { slaPhase } from '../../domain/tickets/sla.js'
import type { ActorRef, PastSlaCycle, Ticket, TicketStatus } from '../../domain/tickets/ticket.js'
import type { Channel, Priority, Severity } from '../../domain/policy/policy.js'
import type { DbOrTx } from '../client.js'
import { PreparedStatement, placeholder as p } from '../prepared.js'
import { hasRefCondition } from './external-refs.js'
import { SEARCH_CONFIG, ticketSearch, tickets, type SlaHistoryRow } from '../schema/tickets.js'
import { iso, isoOrNull } from '../../domain/time.js'
import { eventParams, withEvent, type NewEvent } from '../events.js'

/** the columns a ticket is read from (its search documents are in ticket_search; the SLA timer pointer is the sweep's) */
const { slaTimerAt: _pointer, ...readColumns } = getTableColumns(tickets)
export const TICKET_READ_COLUMNS = readColumns

export type TicketRow = Omit<typeof tickets.$inferSelect, 'slaTimerAt'>

const actor = (id: string | null, role: string | null): ActorRef | null =>
  id === null || role === null ? null : { id, role: role as ActorRef['role'] }

const historyFromRow = (h: SlaHistoryRow): PastSlaCycle => ({
  cycle: h.cycle,
  plan: h.plan as PastSlaCycle['plan'],
  priority: h.priority as PastSlaCycle['priority'],
  targetSeconds: h.targetSeconds,
  calendarId: h.calendarId as PastSlaCycle['calendarId'],
  clockStartedAt: new Date(h.clockStartedAt),
  dueAt: new Date(h.dueAt),
  firstRespondedAt: h.firstRespondedAt === null ? null : new Date(h.firstRespondedAt),
  status: h.status,
  endedAt: new Date(h.endedAt)
})

const historyToRow = (h: PastSlaCycle): SlaHistoryRow => ({
  cycle: h.cycle,
  plan: h.plan,
  priority: h.priority,
  targetSeconds: h.targetSeconds,
  calendarId: h.calendarId,
  clockStartedAt: iso(h.clockStartedAt),
  dueAt: iso(h.dueAt),
  firstRespondedAt: h.firstRespondedAt === null ? null : iso(h.firstRespondedAt),
  status: h.status,
  endedAt: iso(h.endedAt)
})

const at = (v: unknown): Date => v instanceof Date ? v : new Date(v as string)
const atOrNull = (v: unknown): Date | null => v === null || v === undefined ? null : at(v)


type TicketInsert = typeof tickets.$inferInsert
type Column = keyof TicketInsert
/** a row as the driver returns it: column names, timestamps as text, jsonb parsed */
type Raw = Record<string, unknown>

/**
 * How one ticket field is stored: the columns it is written to (with the placeholder's cast), how it is read back
 * from a driver row and how it is written. `written`: on every write ('update': the mutable state), only by the insert
 * ('insert'), or never (the database sets it). The one field list of the ticket aggregate: the row mapping, the
 * insert and the version-checked update are all derived from TICKET_FIELDS.
 */
interface Field<K extends keyof Ticket> {
  written: 'update' | 'insert' | 'never'
  columns: Partial<Record<Column, string | null>>
  read: (r: Raw) => Ticket[K]
  write: (t: TicketDraft) => Partial<Record<Column, unknown>>
}

/** the column name (snake_case) of a drizzle property */
const columnName = (c: Column): string => tickets[c as keyof typeof readColumns].name

/** a field stored as it is in one column of the same name; `cast` for timestamps is added by `time` / `timeOrNull` */
// the column name is looked up once, when the field is defined (the readers run for every row of a list page)
const plain = <K extends keyof Ticket & Column>(k: K, written: Field<K>['written'] = 'update'): Field<K> => {
  const c = columnName(k)
  return { written, columns: { [k]: null }, read: (r) => r[c] as Ticket[K], write: (t) => ({ [k]: t[k as keyof TicketDraft] }) }
}
const time = <K extends keyof Ticket & Column>(k: K, written: Field<K>['written'] = 'update'): Field<K> => {
  const c = columnName(k)
  return { written, columns: { [k]: 'timestamptz' }, read: (r) => at(r[c]) as Ticket[K], write: (t) => ({ [k]: isoOrNull(t[k as keyof TicketDraft] as Date) }) }
}
const timeOrNull = <K extends keyof Ticket & Column>(k: K): Field<K> => {
  const c = columnName(k)
  return { written: 'update', columns: { [k]: 'timestamptz' }, read: (r) => atOrNull(r[c]) as Ticket[K], write: (t) => ({ [k]: isoOrNull(t[k as keyof TicketDraft] as Date | null) }) }
}
const readOnly = <K extends keyof Ticket & Column>(k: K): Field<K> => {
  const c = columnName(k)
  return { written: 'never', columns: {}, read: (r) => r[c] as Ticket[K], write: () => ({}) }
}

export const TICKET_FIELDS: { [K in keyof Ticket]-?: Field<K> } = {
  // chosen by the service (src/application/tickets.ts), so that statements needing it go out with the insert (issue 15)
  id: { written: 'insert', columns: { id: 'uuid' }, read: (r) => r.id as string, write: (t) => ({ id: (t as Partial<Ticket>).id }) },
  organizationId: plain('organizationId', 'insert'),
  subject: plain('subject'),
  description: plain('description'),
  severity: plain('severity'),
  priority: plain('priority'),
  channel: plain('channel', 'insert'),
  requester: {
    written: 'insert',
    columns: { requesterName: null, requesterEmail: null },
    read: (r) => ({ name: r.requester_name as string, email: r.requester_email as string }),
    write: (t) => ({ requesterName: t.requester.name, requesterEmail: t.requester.email })
  },
  category: plain('category'),
  assigneeId: plain('assigneeId'),
  status: plain('status'),
  closedReason: plain('closedReason'),
  closeNote: plain('closeNote'),
  closedAt: timeOrNull('closedAt'),
  closedBy: {
    written: 'update',
    columns: { closedById: null, closedByRole: null },
    read: (r) => actor(r.closed_by_id as string | null, r.closed_by_role as string | null),
    write: (t) => ({ closedById: t.closedBy?.id ?? null, closedByRole: t.closedBy?.role ?? null })
  },
  contactAttempts: plain('contactAttempts'),
  sla: {
    written: 'update',
    columns: {
      slaCycle: null, slaPlan: null, slaPriority: null, slaTargetSeconds: null, slaCalendarId: null, slaClockStartedAt: 'timestamptz',
      slaDueAt: 'timestamptz', slaAtRiskAt: 'timestamptz', firstRespondedAt: 'timestamptz', slaPhase: null
    },
    read: (r) => ({
      cycle: r.sla_cycle as number,
      plan: r.sla_plan as Ticket['sla']['plan'],
      priority: r.sla_priority as Ticket['sla']['priority'],
      targetSeconds: r.sla_target_seconds as number,
      calendarId: r.sla_calendar_id as Ticket['sla']['calendarId'],
      clockStartedAt: at(r.sla_clock_started_at),
      dueAt: at(r.sla_due_at),
      atRiskAt: at(r.sla_at_risk_at),
      firstRespondedAt: atOrNull(r.first_responded_at)
    }),
    write: (t) => ({
      slaCycle: t.sla.cycle,
      slaPlan: t.sla.plan,
      slaPriority: t.sla.priority,
      slaTargetSeconds: t.sla.targetSeconds,
      slaCalendarId: t.sla.calendarId,
      slaClockStartedAt: isoOrNull(t.sla.clockStartedAt),
      slaDueAt: isoOrNull(t.sla.dueAt),
      slaAtRiskAt: isoOrNull(t.sla.atRiskAt),
      firstRespondedAt: isoOrNull(t.sla.firstRespondedAt),
      slaPhase: slaPhase(t.sla)
    })
  },
  slaHistory: {
    written: 'update',
    columns: { slaHistory: 'jsonb' },
    read: (r) => (r.sla_history as SlaHistoryRow[]).map(historyFromRow),
    write: (t) => ({ slaHistory: JSON.stringify(t.slaHistory.map(historyToRow)) })
  },
  tags: {
    written: 'update',
    columns: { tags: 'text[]' },
    read: (r) => r.tags as string[],
    write: (t) => ({ tags: tagsLiteral(t.tags ?? []) })
  },
  // the read copy of the ticket's references: set by the insert (a ticket opened by reference has its one reference)
  // and by external-refs.ts when a reference changes
  externalRefs: {
    written: 'insert',
    columns: { externalRefs: 'jsonb' },
    read: (r) => r.external_refs as Ticket['externalRefs'],
    write: (t) => ({ externalRefs: JSON.stringify(t.externalRefs ?? []) })
  },
  createdBy: {
    written: 'insert',
    columns: { createdById: null, createdByRole: null },
    read: (r) => ({ id: r.created_by_id as string, role: r.created_by_role as ActorRef['role'] }),
    write: (t) => ({ createdById: t.createdBy.id, createdByRole: t.createdBy.role })
  },
  receivedAt: time('receivedAt', 'insert'),
  version: readOnly('version'),
  createdAt: time('createdAt', 'insert'),
  // set by the insert from the draft; the update sets it from its own `now` (below)
  updatedAt: time('updatedAt', 'insert')
}

const FIELD_LIST = Object.entries(TICKET_FIELDS) as Array<[keyof Ticket, Field<keyof Ticket>]>

/** the fields written by an insert (all written ones) or an update (the mutable ones) */
const writtenBy = (statement: 'insert' | 'update') =>
  FIELD_LIST.filter(([, f]) => f.written === 'update' || (statement === 'insert' && f.written === 'insert')).map(([, f]) => f)

/** the placeholders of a statement: every written column set from a placeholder of the same name */
const placeholders = (statement: 'insert' | 'update'): Partial<Record<Column, SQL>> => Object.fromEntries(
  writtenBy(statement).flatMap((f) => Object.entries(f.columns).map(([c, cast]) => [c, p(c, cast ?? undefined)])))

/** the placeholder values of a statement, from the ticket (or draft) */
const valuesOf = (statement: 'insert' | 'update', t: TicketDraft): Record<string, unknown> =>
  Object.assign({}, ...writtenBy(statement).map((f) => f.write(t))) as Record<string, unknown>

/**
 * A ticket from the row as the driver returns it (column names, timestamps as text): the hot reads (get by id,
 * list pages) map rows here instead of through drizzle's generic result mapping (issue 7). Same result as toTicket.
 */
export const toTicketFromDriver = (r: Raw): Ticket => {
  // a plain loop (no pair arrays): a list page maps 50 rows (issue 15); the keys come in FIELD_LIST order every time
  const t: Record<string, unknown> = {}
  for (let i = 0; i < FIELD_LIST.length; i++) {
    const [k, f] = FIELD_LIST[i]!
    t[k] = f.read(r)
  }
  return t as unknown as Ticket
}

/** column name of every ticket property, for mapping a drizzle row through the one mapper above */
const COLUMN_OF = Object.entries(readColumns).map(([prop, col]) => [prop, col.name] as const)

/** a ticket from a drizzle row (insert/update … returning): re-keyed by column name, then the one mapper */
export const toTicket = (row: TicketRow): Ticket =>
  toTicketFromDriver(Object.fromEntries(COLUMN_OF.map(([prop, column]) => [column, row[prop as keyof TicketRow]])))

/**
 * A text[] literal: tags are [a-z0-9._-] only (validateTags), so an element never holds a quote or a backslash; each is
 * double-quoted all the same, because an unquoted NULL (any case) would be read as an SQL null, not as the tag "null".
 * One encoding for both drivers (postgres.js and PGlite take the literal text with an explicit ::text[] cast).
 */
export const tagsLiteral = (tags: readonly string[]): string => `{${tags.map((tag) => `"${tag}"`).join(',')}}`

const byId = new PreparedStatement('ticket_by_id', (db, name) =>
  db.select(readColumns).from(tickets).where(eq(tickets.id, p('id', 'uuid'))).prepare(name))

const byIdForUpdate = new PreparedStatement('ticket_by_id_for_update', (db, name) =>
  db.select(readColumns).from(tickets).where(eq(tickets.id, p('id', 'uuid'))).for('update').prepare(name))

// the ticket and its outbox event in one statement (src/db/events.ts `withEvent`); no RETURNING of the ticket: every
// column but `version` (1 by default) is the given ticket's, so the row would be the ticket again
const insert = new PreparedStatement('ticket_insert_with_event', (db, name) =>
  withEvent(db, 'ticket', db.insert(tickets).values({ ...placeholders('insert'), slaTimerAt: p('slaTimerAt', 'timestamptz') } as unknown as TicketInsert).returning({ id: tickets.id })).prepare(name))

/**
 * The version-checked write of a ticket's mutable state (`… WHERE id = $id AND version = $fromVersion`): moving the
 * version on (updateTicket), or at the version it already has (updateTicketAtVersion, after bumpTicketVersion)
 */
const versionedUpdate = (name: string, moveVersion: boolean) =>
  new PreparedStatement(name, (db, n) =>
    db.update(tickets).set({ ...(placeholders('update') as Partial<TicketInsert>), ...(moveVersion ? { version: sql`${tickets.version} + 1` } : {}), updatedAt: p('updatedAt', 'timestamptz') })
      .where(and(eq(tickets.id, p('id', 'uuid')), eq(tickets.version, p('fromVersion', 'integer'))))
      .returning(readColumns).prepare(n))

const updateVersioned = versionedUpdate('ticket_update_versioned', true)
const updateAtVersion = versionedUpdate('ticket_update_at_version', false)

export async function findTicket (db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<Ticket | undefined> {
  const rows = await (opts.forUpdate === true ? byIdForUpdate : byId).raw(db, { id })
  return rows[0] === undefined ? undefined : toTicketFromDriver(rows[0])
}

/**
 * Inserts a new ticket under its (client-generated) id with its SLA timer pointer (the earliest timer not handed to the
 * job engine; src/application/sla-timers.ts) and its `ticket.created` event, in one statement; returns the ticket as
 * stored, which is the one given (issue 15: reading the row back cost a create its decoding and mapping; the tickets
 * tests read every created ticket back through GET)
 */
export async function insertTicket (db: DbOrTx, ticket: Ticket, slaTimerAt: Date | null, created: NewEvent): Promise<Ticket> {
  if (ticket.version !== 1) throw new Error('a new ticket starts at version 1')
  await insert.execute(db, { ...valuesOf('insert', ticket), slaTimerAt: isoOrNull(slaTimerAt), ...eventParams(created) })
  return ticket
}

/**
 * Writes the ticket's mutable state and bumps its version, atomically: `UPDATE … WHERE id = $id AND version = $from`.
 * Returns undefined when the stored version is no longer `fromVersion` (someone else won).
 */
export async function updateTicket (db: DbOrTx, next: Ticket, fromVersion: number, now: Date): Promise<Ticket | undefined> {
  const rows = await updateVersioned.execute(db, { ...valuesOf('update', next), id: next.id, fromVersion, updatedAt: isoOrNull(now) })
  return rows[0] === undefined ? undefined : toTicket(rows[0])
}

/**
 * Locks a ticket by moving it to its next version, in one statement (a comment, issue 15): `UPDATE … SET version =
 * version + 1, updated_at = $now WHERE id = $id [AND organization_id = $org] RETURNING` the row, instead of a locking
 * read and a later version-checked write. `organizationId` (a caller bound to one organization) keeps another
 * tenant's ticket untouched: no row, as for an unknown id. The caller's transaction must roll back if it then refuses
 * the change (the version has moved).
 */
const bumpVersion = new PreparedStatement('ticket_bump_version', (db, name) =>
  db.update(tickets).set({ version: sql`${tickets.version} + 1`, updatedAt: p('updatedAt', 'timestamptz') as unknown as Date })
    .where(and(eq(tickets.id, p('id', 'uuid')), sql`(${p('organizationId', 'uuid')} is null or ${tickets.organizationId} = ${p('organizationId', 'uuid')})`))
    .returning(readColumns).prepare(name))

export async function bumpTicketVersion (db: DbOrTx, id: string, organizationId: string | null, now: Date): Promise<Ticket | undefined> {
  const rows = await bumpVersion.raw(db, { id, organizationId, updatedAt: iso(now) })
  return rows[0] === undefined ? undefined : toTicketFromDriver(rows[0])
}

/**
 * Writes the ticket's mutable state at the version it already has (moved on by bumpTicketVersion in the same
 * transaction). undefined when the stored version is another.
 */
export async function updateTicketAtVersion (db: DbOrTx, next: Ticket, version: number, now: Date): Promise<Ticket | undefined> {
  const rows = await updateAtVersion.execute(db, { ...valuesOf('update', next), id: next.id, fromVersion: version, updatedAt: isoOrNull(now) })
  return rows[0] === undefined ? undefined : toTicket(rows[0])
}

const TABLE_COLUMNS = getTableColumns(tickets)
const JSONB_PROPS = new Set(['slaHistory', 'externalRefs'])

/**
 * Inserts many new tickets in one statement (the batch upsert, issue 15): the rows travel as one jsonb array keyed by
 * column name and are expanded by jsonb_populate_recordset, so the statement text is the same for any number of rows
 * (prepared once per connection) and the values are exactly those of insertTicket.
 */
export async function insertTickets (db: DbOrTx, list: ReadonlyArray<{ ticket: Ticket; slaTimerAt: Date | null }>): Promise<void> {
  if (list.length === 0) return
  const rows = list.map(({ ticket: t, slaTimerAt }) => {
    const row: Record<string, unknown> = {}
    for (const [prop, value] of Object.entries(valuesOf('insert', t))) {
      const column = TABLE_COLUMNS[prop as keyof typeof TABLE_COLUMNS]
      row[column.name] = JSONB_PROPS.has(prop) ? JSON.parse(value as string) : value
    }
    row[tickets.slaTimerAt.name] = isoOrNull(slaTimerAt)
    return row
  })
  // the columns insertTicket sets (the same keys for every row and every batch)
  const columns = sql.raw(Object.keys(rows[0] ?? {}).map((c) => `"${c}"`).join(', '))
  await db.execute(sql`insert into ${tickets} (${columns}) select ${columns} from jsonb_populate_recordset(null::${tickets}, ${JSON.stringify(rows)}::jsonb)`)
}

// ---------------------------------------------------------------------------------------------------------------
// the SLA timer pointer (src/application/sla-timers.ts): the earliest timer of a ticket not yet a job of the engine

/**
 * Writes tickets' pointers in one statement for any number of tickets: `lower` (a write that gave them new far-off
 * timers) sets `LEAST(pointer, at)`, evaluated on the row as it is when the update takes its lock, so a sweep that
 * committed in between is not undone; otherwise (the sweep, which holds the rows locked) sets `at`, null = every timer
 * is a job now.
 */
async function writeSlaTimerPointers (db: DbOrTx, list: ReadonlyArray<{ id: string; at: Date | null }>, lower: boolean): Promise<void> {
  if (list.length === 0) return
  const rows = JSON.stringify(list.map((x) => ({ id: x.id, at: isoOrNull(x.at) })))
  const value = lower ? sql`least(${tickets.slaTimerAt}, v.at)` : sql`v.at`
  await db.execute(sql`update ${tickets} set sla_timer_at = ${value}
    from jsonb_to_recordset(${rows}::jsonb) as v(id uuid, at timestamptz) where ${tickets.id} = v.id`)
}

/** moves tickets' pointers earlier (never later): see writeSlaTimerPointers */
export const lowerSlaTimerPointers = async (db: DbOrTx, list: ReadonlyArray<{ id: string; at: Date }>): Promise<void> => { await writeSlaTimerPointers(db, list, true) }

/**
 * Locks up to `limit` tickets whose pointer is at or before `horizon`, soonest first, skipping tickets another
 * transaction holds (a write in progress, another replica's sweep): they are taken by a later sweep. `NO KEY UPDATE`:
 * the sweep changes no key, so rows that only gain children (a comment, a notice: `FOR KEY SHARE`) are not skipped.
 */
export async function lockTicketsWithTimersDue (db: DbOrTx, horizon: Date, limit: number): Promise<Array<{ ticket: Ticket; slaTimerAt: Date }>> {
  const rows = await db.select({ ...readColumns, slaTimerAt: tickets.slaTimerAt }).from(tickets)
    .where(lte(tickets.slaTimerAt, horizon)).orderBy(asc(tickets.slaTimerAt)).limit(limit).for('no key update', { skipLocked: true })
  return rows.map((row) => ({ ticket: toTicket(row), slaTimerAt: at(row.slaTimerAt) }))
}

/** sets the pointers of tickets the sweep holds locked (null: every timer is a job now) */
export const setSlaTimerPointers = async (db: DbOrTx, list: ReadonlyArray<{ id: string; at: Date | null }>): Promise<void> => { await writeSlaTimerPointers(db, list, false) }

/** locks and returns the tickets with these ids (in id order, so concurrent lockers cannot deadlock) */
export async function findTicketsForUpdate (db: DbOrTx, ids: readonly string[]): Promise<Ticket[]> {
  if (ids.length === 0) return []
  const rows = await db.select(readColumns).from(tickets).where(inArray(tickets.id, [...ids])).orderBy(asc(tickets.id)).for('update')
  return rows.map(toTicket)
}

// ---------------------------------------------------------------------------------------------------------------
// lists

export interface TicketFilters {
  organizationId?: string
  status?: TicketStatus
  severity?: Severity
  priority?: Priority
  slaStatus?: SlaStatus
  assigneeId?: string
  channel?: Channel
  /** created_at >= createdAfter */
  createdAfter?: Date
  /** created_at < createdBefore */
  createdBefore?: Date
  /** updated_at >= updatedAfter */
  updatedAfter?: Date
  /** with externalId: tickets carrying this external reference (issue 6, src/db/repositories/external-refs.ts) */
  externalSystem?: string
  externalId?: string
  /** every one of these tags (tags @> …, GIN) */
  tags?: string[]
  /** full text, websearch_to_tsquery syntax */
  q?: string
  /** which search document `q` matches: customers' excludes internal comments. Default customer (the safe one). */
  searchScope?: SearchScope
}

export type SearchScope = 'customer' | 'staff'

export type { CountGroup, TicketSort }
export { sortValue } from '../../domain/tickets/listing.js'

/** the keyset position: the sort column's value and the id of the last row of the previous page */
export interface KeysetPosition { at: Date; id: string }

const EQUALITY_FILTERS = ['organizationId', 'status', 'severity', 'priority', 'assigneeId', 'channel'] as const

/**
 * The slaStatus filter over stored columns (see domain storedSlaStatus): met and answered-late breaches are a
 * stored phase; on_track / at_risk / unanswered breaches compare the stored deadline and at-risk instant with now.
 * on_track also says `sla_due_at > now` (implied: the at-risk instant is never after the deadline) so that the
 * slaDueAt queue reads it as a range of its index.
 */
function slaCondition (status: SlaStatus, pendingOnly: boolean): SQL {
  const now = p('now', 'timestamptz')
  if (pendingOnly) {
    // the deadline queue holds only owed responses: plain ranges of its (…, sla_due_at, id) indexes
    if (status === 'met') return sql`false`
    if (status === 'breached') return sql`${tickets.slaDueAt} < ${now}`
  }
  switch (status) {
    case 'met': return eq(tickets.slaPhase, 'met')
    case 'on_track': return and(eq(tickets.slaPhase, 'pending'), sql`${tickets.slaAtRiskAt} > ${now}`, sql`${tickets.slaDueAt} > ${now}`) as SQL
    case 'at_risk': return and(eq(tickets.slaPhase, 'pending'), sql`${tickets.slaAtRiskAt} <= ${now}`, sql`${tickets.slaDueAt} >= ${now}`) as SQL
    case 'breached': return or(eq(tickets.slaPhase, 'breached'), and(eq(tickets.slaPhase, 'pending'), sql`${tickets.slaDueAt} < ${now}`)) as SQL
  }
}

/** the status of a row at `now`, as SQL (for counts grouped by slaStatus); the same rules as slaCondition */
const slaStatusExpr = (): SQL => {
  const now = p('now', 'timestamptz')
  return sql`case when ${tickets.slaPhase} <> 'pending' then ${tickets.slaPhase} when ${tickets.slaDueAt} < ${now} then 'breached' when ${tickets.slaAtRiskAt} <= ${now} then 'at_risk' else 'on_track' end`
}

const SORT_COLUMN = { createdAt: tickets.createdAt, updatedAt: tickets.updatedAt, slaDueAt: tickets.slaDueAt } as const

/** the WHERE conditions of the filters (values are placeholders) */
function filterConditions (filters: TicketFilters, sort?: TicketSort): SQL[] {
  const where: SQL[] = []
  const col = { organizationId: tickets.organizationId, status: tickets.status, severity: tickets.severity, priority: tickets.priority, assigneeId: tickets.assigneeId, channel: tickets.channel }
  for (const f of EQUALITY_FILTERS) if (filters[f] !== undefined) where.push(eq(col[f], f === 'organizationId' ? p(f, 'uuid') : p(f)))
  if (filters.slaStatus !== undefined) where.push(slaCondition(filters.slaStatus, sort === 'slaDueAt'))
  if (filters.createdAfter !== undefined) where.push(gte(tickets.createdAt, p('createdAfter', 'timestamptz')))
  if (filters.createdBefore !== undefined) where.push(lt(tickets.createdAt, p('createdBefore', 'timestamptz')))
  if (filters.updatedAfter !== undefined) where.push(gte(tickets.updatedAt, p('updatedAfter', 'timestamptz')))
  if (filters.externalSystem !== undefined) where.push(hasRefCondition(p('externalSystem'), p('externalId')))
  if (filters.tags !== undefined && filters.tags.length > 0) where.push(sql`${tickets.tags} @> ${p('tags', 'text[]')}`)
  if (filters.q !== undefined) {
    const doc = filters.searchScope === 'staff' ? ticketSearch.staff : ticketSearch.customer
    where.push(sql`${tickets.id} in (select ${ticketSearch.ticketId} from ${ticketSearch} where ${doc} @@ websearch_to_tsquery(${sql.raw(`'${SEARCH_CONFIG}'`)}, ${p('q')}))`)
  }
  return where
}

/** one prepared statement per combination of sort and filters present (their values are placeholders) */
function buildList (db: DbOrTx, name: string, filters: TicketFilters, keyset: boolean, sort: TicketSort) {
  const where = filterConditions(filters, sort)
  // with `q` the page is cut from the GIN matches (cost ∝ matches): the sort column is wrapped in a no-op expression
  // so the planner cannot walk the B-tree in sort order filtering every row through the text match — which, for a
  // rare word it cannot estimate, reads the whole table (measured: 3 s at 1M tickets; docs/performance.md)
  const column = filters.q !== undefined ? sql`(${SORT_COLUMN[sort]} + interval '0 seconds')` : SORT_COLUMN[sort]
  // the deadline queue: first responses still owed (the partial indexes' predicate, written the same way)
  if (sort === 'slaDueAt') where.push(sql`sla_phase = 'pending'`)
  // row comparison: an index range condition on (…, sort column, id)
  if (keyset) {
    const cmp = sort === 'slaDueAt' ? sql.raw('>') : sql.raw('<')
    where.push(sql`(${column}, ${tickets.id}) ${cmp} (${p('afterAt', 'timestamptz')}, ${p('afterId', 'uuid')})`)
  }
  const order = sort === 'slaDueAt' ? [asc(column), asc(tickets.id)] : [desc(column), desc(tickets.id)]
  return db.select(readColumns).from(tickets)
    .where(where.length > 0 ? and(...where) : undefined)
    .orderBy(...order)
    .limit(sql.placeholder('limit'))
    .prepare(name)
}

type ListStatement = PreparedStatement<{ execute: TicketRow[]; all: unknown; values: unknown }>
const listStatements = new Map<string, ListStatement>()

/** the shape of the filters (which are present), as a statement cache key */
function filterShape (filters: TicketFilters): string[] {
  const parts: string[] = []
  for (const f of EQUALITY_FILTERS) if (filters[f] !== undefined) parts.push(f)
  if (filters.slaStatus !== undefined) parts.push(`sla_${filters.slaStatus}`)
  if (filters.createdAfter !== undefined) parts.push('createdAfter')
  if (filters.createdBefore !== undefined) parts.push('createdBefore')
  if (filters.updatedAfter !== undefined) parts.push('updatedAfter')
  if (filters.externalSystem !== undefined) parts.push('externalRef')
  if (filters.tags !== undefined && filters.tags.length > 0) parts.push('tags')
  if (filters.q !== undefined) parts.push(`q_${filters.searchScope ?? 'customer'}`)
  return parts
}

function listStatement (filters: TicketFilters, keyset: boolean, sort: TicketSort): ListStatement {
  const key = [...filterShape(filters), sort, keyset ? 'keyset' : 'first'].join('+')
  let stmt = listStatements.get(key)
  if (stmt === undefined) {
    const name = `tickets_list_${listStatements.size}`
    stmt = new PreparedStatement(name, (db, n) => buildList(db, n, filters, keyset, sort)) as unknown as ListStatement
    listStatements.set(key, stmt)
  }
  return stmt
}

export interface ListOptions { limit: number; after?: KeysetPosition; now: Date; sort?: TicketSort }

/** the query text and values of a list page, for EXPLAIN in tests */
export function listTicketsQuery (db: DbOrTx, filters: TicketFilters, opts: ListOptions): { sql: string; params: unknown[] } {
  return withParams(buildList(db, 'explain', filters, opts.after !== undefined, opts.sort ?? 'createdAt').getQuery(), listValues(filters, opts))
}

function withParams (q: { sql: string; params: unknown[] }, values: Record<string, unknown>): { sql: string; params: unknown[] } {
  const params = q.params.map((param) => {
    const name = (param as { name?: string }).name ?? (param as { value?: { name?: string } }).value?.name
    const v = name === undefined ? param : values[name]
    return v instanceof Date ? iso(v) : v
  })
  return { sql: q.sql, params }
}

function filterValues (filters: TicketFilters, now: Date): Record<string, unknown> {
  return {
    ...filters,
    createdAfter: filters.createdAfter?.toISOString(),
    createdBefore: filters.createdBefore?.toISOString(),
    updatedAfter: filters.updatedAfter?.toISOString(),
    tags: filters.tags === undefined ? undefined : tagsLiteral(filters.tags),
    now: iso(now)
  }
}

function listValues (filters: TicketFilters, opts: ListOptions): Record<string, unknown> {
  return {
    ...filterValues(filters, opts.now),
    limit: opts.limit,
    afterAt: opts.after?.at.toISOString(),
    afterId: opts.after?.id
  }
}

/**
 * One page in the sort's order, strictly after `after`: createdAt and updatedAt newest first ((column DESC, id DESC)),
 * slaDueAt soonest deadline first ((sla_due_at ASC, id ASC)) over the tickets whose first response is still owed.
 */
export async function listTickets (db: DbOrTx, filters: TicketFilters, opts: ListOptions): Promise<Ticket[]> {
  const sort = opts.sort ?? 'createdAt'
  const rows = await listStatement(filters, opts.after !== undefined, sort).raw(db, listValues(filters, opts))
  return rows.map(toTicketFromDriver)
}

/** the value of the sort column of a ticket (the first half of its keyset position) */
// ---------------------------------------------------------------------------------------------------------------
// counts


const GROUP_KEY: Record<CountGroup, () => SQL> = {
  status: () => sql`${tickets.status}`,
  priority: () => sql`${tickets.priority}`,
  assigneeId: () => sql`${tickets.assigneeId}`,
  slaStatus: slaStatusExpr
}

function buildCounts (db: DbOrTx, name: string, filters: TicketFilters, groupBy: CountGroup) {
  const where = filterConditions(filters)
  const key = GROUP_KEY[groupBy]()
  return db.select({ key: sql<string | null>`${key}`, count: count() }).from(tickets)
    .where(where.length > 0 ? and(...where) : undefined)
    // by position: the slaStatus key holds a placeholder, which would be a second, different parameter in GROUP BY
    .groupBy(sql`1`)
    .prepare(name)
}

type CountStatement = PreparedStatement<{ execute: Array<{ key: string | null; count: number }>; all: unknown; values: unknown }>
const countStatements = new Map<string, CountStatement>()

/** the query text and values of a count, for EXPLAIN in tests */
export function countTicketsQuery (db: DbOrTx, filters: TicketFilters, groupBy: CountGroup, now: Date): { sql: string; params: unknown[] } {
  return withParams(buildCounts(db, 'explain', filters, groupBy).getQuery(), filterValues(filters, now))
}

/** the number of tickets matching the filters per value of `groupBy` (null: no assignee) */
export async function countTickets (db: DbOrTx, filters: TicketFilters, groupBy: CountGroup, now: Date): Promise<Array<{ key: string | null; count: number }>> {
  const shape = [...filterShape(filters), `by_${groupBy}`].join('+')
  let stmt = countStatements.get(shape)
  if (stmt === undefined) {
    const name = `tickets_count_${countStatements.size}`
    stmt = new PreparedStatement(name, (d, n) => buildCounts(d, n, filters, groupBy)) as unknown as CountStatement
    countStatements.set(shape, stmt)
  }
  const rows = await stmt.execute(db, filterValues(filters, now))
  return rows.map((r) => ({ key: r.key, count: Number(r.count) }))
}
