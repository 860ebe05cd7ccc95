import { sql } from 'drizzle-orm'
import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  name: text('name').notNull(),
  plan: text('plan', { enum: ['basic', 'enhanced', 'premier'] }).notNull(),
  subscriptionStatus: text('subscription_status', { enum: ['active', 'past_due', 'canceled'] }).notNull(),
  termStart: timestamp('term_start', { withTimezone: true, mode: 'date' }).notNull(),
  termEnd: timestamp('term_end', { withTimezone: true, mode: 'date' }).notNull(),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
}, (t) => [
  index('organizations_created_id_idx').on(t.createdAt, t.id)
])
