import { sql } from 'drizzle-orm'
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { organizations } from './organizations.js'

export interface AttendeeRow { name: string; email: string }

/** onboarding calls; the entitlement counts the non-canceled calls whose scheduled_at lies in the current term */
export const onboardingCalls = pgTable('onboarding_calls', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id),
  scheduledAt: timestamp('scheduled_at', { withTimezone: true, mode: 'date' }).notNull(),
  durationMinutes: integer('duration_minutes').notNull(),
  attendees: jsonb('attendees').notNull().$type<AttendeeRow[]>(),
  agenda: text('agenda'),
  status: text('status', { enum: ['scheduled', 'canceled', 'completed', 'no_show'] }).notNull().default('scheduled'),
  /** the business calendar the time was checked against when last booked or rescheduled */
  calendarId: text('calendar_id').notNull(),
  createdById: text('created_by_id').notNull(),
  createdByRole: text('created_by_role').notNull(),
  updatedById: text('updated_by_id').notNull(),
  updatedByRole: text('updated_by_role').notNull(),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull()
}, (t) => [
  index('onboarding_calls_org_scheduled_idx').on(t.organizationId, t.scheduledAt, t.id)
])

/**
 * Checklist items an organization has touched. Rows are created lazily on the first write (INSERT … ON CONFLICT DO
 * NOTHING, then locked); an item without a row is `pending` at version 1, exactly what that insert creates.
 */
export const responsibilityItems = pgTable('responsibility_items', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id),
  key: text('key').notNull(),
  status: text('status', { enum: ['pending', 'in_progress', 'done', 'not_applicable'] }).notNull().default('pending'),
  note: text('note'),
  evidenceUrl: text('evidence_url'),
  version: integer('version').notNull().default(1),
  updatedById: text('updated_by_id'),
  updatedByRole: text('updated_by_role'),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' })
}, (t) => [
  uniqueIndex('responsibility_items_org_key_idx').on(t.organizationId, t.key)
])

/**
 * One row per organization once a representative was ever set; clearing keeps the row (is_set = false, fields
 * emptied) so its version keeps counting and an old ETag can never match again.
 */
export const technicalRepresentatives = pgTable('technical_representatives', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id),
  isSet: boolean('is_set').notNull(),
  name: text('name'),
  email: text('email'),
  phone: text('phone'),
  userId: text('user_id'),
  version: integer('version').notNull().default(1),
  updatedById: text('updated_by_id').notNull(),
  updatedByRole: text('updated_by_role').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull()
}, (t) => [
  uniqueIndex('technical_representatives_org_idx').on(t.organizationId)
])
