import { integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { tickets } from './tickets.js'

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })

/**
 * SLA notices written by the timers (issue 12): one row per (ticket, cycle, kind), inserted in the same transaction as
 * its `ticket.sla_at_risk` / `ticket.sla_breached` outbox event. The primary key is what makes the event exactly once
 * whatever the job engine delivers (duplicates, retries after a kill, two replicas).
 */
export const slaNotices = pgTable('sla_notices', {
  ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
  cycle: integer('cycle').notNull(),
  kind: text('kind', { enum: ['at_risk', 'breached'] }).notNull(),
  /** the real moment (atRiskAt or dueAt of the cycle at the time) */
  moment: ts('moment').notNull(),
  /** when a worker noticed it (= the event's occurredAt) */
  noticedAt: ts('noticed_at').notNull()
}, (t) => [
  primaryKey({ columns: [t.ticketId, t.cycle, t.kind] })
])
