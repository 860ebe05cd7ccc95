import type { CalendarRecord, HolidayRecord } from '../../application/calendars.js'
import type { WeeklyWindow } from '../../domain/sla/calendar.js'
import { iso } from '../../domain/time.js'

export const hhmm = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`

export const presentWindows = (windows: readonly WeeklyWindow[]) =>
  [...windows]
    .sort((a, b) => a.weekday - b.weekday || a.startMinute - b.startMinute)
    .map((w) => ({ weekday: w.weekday, start: hhmm(w.startMinute), end: hhmm(w.endMinute) }))

export const presentCalendar = (c: CalendarRecord) => ({
  id: c.id,
  name: c.name,
  timeZone: c.timeZone,
  windows: presentWindows(c.windows),
  observesHolidays: c.observesHolidays,
  version: c.version,
  updatedAt: iso(c.updatedAt)
})

export const presentHoliday = (h: HolidayRecord) => ({
  calendarId: h.calendarId,
  date: h.date,
  name: h.name,
  updatedAt: iso(h.updatedAt)
})
