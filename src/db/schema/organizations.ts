import { sql } from 'drizzle-orm'
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  name: text('name').notNull(),
  plan: text('plan', { enum: ['basic', 'enhanced', 'premier'] }).notNull(),
  subscriptionStatus: text('subscription_status', { enum: ['active', 'past_due', 'canceled'] }).notNull(),
  termStart: timestamp('term_start', { withTimezone: true, mode: 'date' }).notNull(),
  termEnd: timestamp('term_end', { withTimezone: true, mode: 'date' }).notNull(),
  /** read copy of organization_email_domains (src/db/schema/email.ts), kept in the same transaction */
  emailDomains: jsonb('email_domains').notNull().$type<string[]>().default(sql`'[]'::jsonb`),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
}, (t) => [
  index('organizations_created_id_idx').on(t.createdAt, t.id)
])
