import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import * as calendars from '../../application/calendars.js'
import { principal } from '../plugins/auth.js'
import { keyset } from '../cursor.js'
import { expectedVersion, notModified, setEtag } from '../etag.js'
import { CursorParam, IfMatchHeaders, IfNoneMatchHeaders, Limit, NotModified, problemResponses, ref } from '../schemas/common.js'
import { CalendarPage, CalendarParams, CalendarSchema, HolidayPage, HolidayParams, HolidaySchema, PutHolidayBody } from '../schemas/calendars.js'
import { presentCalendar, presentHoliday } from '../presenters/calendars.js'
import { HOLIDAY_RULE } from '../docs/calendars.js'

const Deleted = { description: 'Deleted; ETag carries the calendar\'s new version', type: 'null' } as const

export const calendarRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/calendars', {
    schema: {
      operationId: 'listCalendars', tags: ['calendars'], summary: 'List business calendars',
      description: 'Any authenticated user may read calendars. Ordered by id.',
      querystring: Type.Object({ limit: Limit(), cursor: Type.Optional(CursorParam) }, { additionalProperties: false }),
      response: { 200: ref(CalendarPage) }
    }
  }, async (request) => {
    const { limit, cursor } = request.query
    const keys = keyset(cursor, {}, ['text'])
    const page = await calendars.listCalendars(request.ctx, principal(request), { limit, afterId: keys.position?.[0] as string | undefined })
    return {
      items: page.items.map(presentCalendar),
      nextCursor: keys.next(page, (last) => [last.id])
    }
  })

  app.get('/v1/calendars/:calendarId', {
    schema: {
      operationId: 'getCalendar', tags: ['calendars'], summary: 'Get a business calendar',
      description: 'Time zone, weekly opening windows (local wall-clock HH:MM) and whether holidays close it. ETag = version, bumped by every holiday change.',
      params: CalendarParams,
      headers: IfNoneMatchHeaders,
      response: { 200: ref(CalendarSchema), 304: NotModified, ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const cal = await calendars.getCalendar(request.ctx, principal(request), request.params.calendarId)
    setEtag(reply, cal.version)
    if (notModified(request, cal.version)) return await reply.code(304).send()
    return presentCalendar(cal)
  })

  app.get('/v1/calendars/:calendarId/holidays', {
    schema: {
      operationId: 'listCalendarHolidays', tags: ['calendars'], summary: 'List a calendar\'s holidays',
      description: 'Ordered by date; `year` keeps one calendar year. US federal holidays are seeded on their observed dates ' +
        '(Saturday → the Friday before, Sunday → the Monday after) for the current year and the next two. ' +
        'ETag = the calendar\'s version. A calendar that is open on holidays has none.',
      params: CalendarParams,
      querystring: Type.Object({
        year: Type.Optional(Type.Integer({ minimum: 1, maximum: 9998, description: 'Only holidays of this year', examples: [2026] })),
        limit: Limit(),
        cursor: Type.Optional(CursorParam)
      }, { additionalProperties: false }),
      response: { 200: ref(HolidayPage), ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const { year, limit, cursor } = request.query
    const { calendarId } = request.params
    const filters = { calendarId, year: year ?? null }
    const keys = keyset(cursor, filters, ['date'])
    const page = await calendars.listHolidays(request.ctx, principal(request), calendarId, { limit, year, afterDate: keys.position?.[0] as string | undefined })
    setEtag(reply, page.calendar.version)
    return {
      items: page.items.map(presentHoliday),
      nextCursor: keys.next(page, (last) => [last.date])
    }
  })

  app.get('/v1/calendars/:calendarId/holidays/:date', {
    schema: {
      operationId: 'getCalendarHoliday', tags: ['calendars'], summary: 'Get one holiday of a calendar',
      description: 'ETag = the calendar\'s version.',
      params: HolidayParams,
      response: { 200: ref(HolidaySchema), ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const { calendar, holiday } = await calendars.getHoliday(request.ctx, principal(request), request.params.calendarId, request.params.date)
    setEtag(reply, calendar.version)
    return presentHoliday(holiday)
  })

  app.put('/v1/calendars/:calendarId/holidays/:date', {
    schema: {
      operationId: 'putCalendarHoliday', tags: ['calendars'], summary: 'Add or rename a holiday (admin)',
      description: `Closes the calendar all day on this local date. 201 when the holiday is new, 200 when it replaced one (a PUT with the same name changes nothing). ` +
        `Only calendars that observe holidays take them (409 calendar-ignores-holidays otherwise). ${HOLIDAY_RULE}`,
      params: HolidayParams,
      headers: IfMatchHeaders,
      body: ref(PutHolidayBody),
      response: { 200: ref(HolidaySchema), 201: ref(HolidaySchema), ...problemResponses(404, 409, 412) }
    }
  }, async (request, reply) => {
    const { calendarId, date } = request.params
    const result = await calendars.putHoliday(request.ctx, principal(request), calendarId, date, request.body.name, expectedVersion(request))
    setEtag(reply, result.calendar.version)
    if (result.created) {
      reply.header('location', `/v1/calendars/${encodeURIComponent(calendarId)}/holidays/${date}`)
      return await reply.code(201).send(presentHoliday(result.holiday))
    }
    return presentHoliday(result.holiday)
  })

  app.delete('/v1/calendars/:calendarId/holidays/:date', {
    schema: {
      operationId: 'deleteCalendarHoliday', tags: ['calendars'], summary: 'Remove a holiday (admin)',
      description: `The calendar is open again on this date (per its weekly windows). 404 when there is no holiday on that date. ${HOLIDAY_RULE}`,
      params: HolidayParams,
      headers: IfMatchHeaders,
      response: { 204: Deleted, ...problemResponses(404, 412) }
    }
  }, async (request, reply) => {
    const { calendarId, date } = request.params
    const cal = await calendars.deleteHoliday(request.ctx, principal(request), calendarId, date, expectedVersion(request))
    setEtag(reply, cal.version)
    return await reply.code(204).send()
  })
}
