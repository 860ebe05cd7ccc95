import { boolean, date, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'

export interface CalendarWindowRow { weekday: 1 | 2 | 3 | 4 | 5 | 6 | 7; startMinute: number; endMinute: number }

export const calendars = pgTable('calendars', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull(),
  windows: jsonb('windows').notNull().$type<CalendarWindowRow[]>(),
  observesHolidays: boolean('observes_holidays').notNull(),
  version: integer('version').notNull().default(1),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
})

export const calendarHolidays = pgTable('calendar_holidays', {
  calendarId: text('calendar_id').notNull().references(() => calendars.id),
  date: date('date', { mode: 'string' }).notNull(),
  name: text('name').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
}, (t) => [primaryKey({ columns: [t.calendarId, t.date] })])

/** years whose library holidays were seeded once; an admin's later deletions are never re-seeded */
export const calendarHolidaySeeds = pgTable('calendar_holiday_seeds', {
  calendarId: text('calendar_id').notNull().references(() => calendars.id),
  year: integer('year').notNull(),
  seededAt: timestamp('seeded_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
}, (t) => [primaryKey({ columns: [t.calendarId, t.year] })])
