import { Type } from '@sinclair/typebox'
import { DateOnly, Page, Timestamp, ref, Count } from './common.js'

const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$'

export const CalendarIdParam = Type.String({ minLength: 1, maxLength: 100, description: 'Calendar id, e.g. business-hours-with-holidays', examples: ['business-hours-with-holidays'] })

export const CalendarWindowSchema = Type.Object({
  weekday: Type.Integer({ minimum: 1, maximum: 7, description: 'ISO weekday: 1 = Monday … 7 = Sunday' }),
  start: Type.String({ pattern: HHMM, maxLength: 5, description: 'Local wall-clock opening time HH:MM in the calendar\'s time zone', examples: ['06:00'] }),
  end: Type.String({ pattern: HHMM, maxLength: 5, description: 'Local wall-clock closing time HH:MM (exclusive); 24:00 = the following midnight', examples: ['18:00'] })
}, {
  $id: 'CalendarWindow',
  description: 'A weekly opening window in local wall-clock time (whole minutes). Wall-clock windows keep their length on daylight-saving change days.',
  additionalProperties: false
})

export const CalendarSchema = Type.Object({
  id: Type.String({ maxLength: 100, description: 'Stable calendar id (kebab-case), as referenced by response targets', examples: ['business-hours-with-holidays'] }),
  name: Type.String({ maxLength: 200 }),
  timeZone: Type.String({ maxLength: 64, description: 'IANA time zone of the windows and holiday dates', examples: ['America/Los_Angeles'] }),
  windows: Type.Array(ref(CalendarWindowSchema), { maxItems: 100, description: 'Opening windows, ordered by weekday and start' }),
  observesHolidays: Type.Boolean({ description: 'true: closed all day on its holidays; false: open on holidays (it has no holiday list)' }),
  version: Count({ minimum: 1, description: 'Bumped by every holiday change; also the ETag' }),
  updatedAt: Timestamp
}, {
  $id: 'Calendar',
  additionalProperties: false,
  examples: [{
    id: 'business-hours-with-holidays',
    name: 'Business Hours – M-F 6am-6pm PT, excluding holidays',
    timeZone: 'America/Los_Angeles',
    windows: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '06:00', end: '18:00' })),
    observesHolidays: true,
    version: 4,
    updatedAt: '2026-11-26T14:30:00.000Z'
  }]
})

export const CalendarPage = Page(ref(CalendarSchema), 'CalendarPage')

export const HolidaySchema = Type.Object({
  calendarId: Type.String({ maxLength: 100, examples: ['business-hours-with-holidays'] }),
  date: { ...DateOnly, description: 'Local date (in the calendar\'s time zone) on which the calendar is closed all day' },
  name: Type.String({ maxLength: 200, examples: ['Independence Day (observed)'] }),
  updatedAt: Timestamp
}, {
  $id: 'Holiday',
  additionalProperties: false,
  examples: [{ calendarId: 'business-hours-with-holidays', date: '2026-07-03', name: 'Independence Day (observed)', updatedAt: '2026-01-01T00:00:00.000Z' }]
})

export const HolidayPage = Page(ref(HolidaySchema), 'HolidayPage')

export const PutHolidayBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Name shown to people' })
}, { $id: 'PutHoliday', additionalProperties: false, examples: [{ name: 'Company offsite' }] })

export const CalendarParams = Type.Object({ calendarId: CalendarIdParam })

export const HolidayParams = Type.Object({
  calendarId: CalendarIdParam,
  date: { ...DateOnly, description: 'A valid local date YYYY-MM-DD' }
})

export const calendarSchemas = [CalendarWindowSchema, CalendarSchema, CalendarPage, HolidaySchema, HolidayPage, PutHolidayBody]
