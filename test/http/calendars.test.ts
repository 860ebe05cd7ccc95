import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildTestApp, TestClock } from '../helpers/app.js'
import { usFederalHolidays } from '../../src/domain/sla/calendars.js'
import { calendarResourceId } from '../../src/application/calendars.js'

// a fixed clock: holidays are seeded for 2026, 2027 and 2028
const h = await buildTestApp(t, { clock: new TestClock(new Date('2026-06-01T12:00:00.000Z')) })
const CAL = 'business-hours-with-holidays'
const MON_FRI_6_18 = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '06:00', end: '18:00' }))

const calendarEvents = async (calendarId: string) => await h.database.rows<{ type: string; organization_id: string | null; resource_version: number; data: Record<string, unknown>; actor_role: string }>(
  sql`select type, organization_id, resource_version, data, actor_role from events where resource_type = 'calendar' and resource_id = ${calendarResourceId(calendarId)} order by id`
)

const getVersion = async (calendarId = CAL): Promise<number> => {
  const res = await h.request(await h.agentToken(), { method: 'GET', url: `/v1/calendars/${calendarId}` })
  return res.json().version
}

t.test('any authenticated user lists the three built-in calendars with their windows', async (t) => {
  const org = await h.createOrg('basic')
  for (const token of [await h.customerToken(org.id), await h.agentToken(), await h.adminToken()]) {
    const res = await h.request(token, { method: 'GET', url: '/v1/calendars' })
    t.equal(res.statusCode, 200, res.body)
    const body = res.json()
    t.equal(body.nextCursor, null)
    t.same(body.items.map((c: { id: string }) => c.id), ['always', 'business-hours', 'business-hours-with-holidays'])
    const byId = Object.fromEntries(body.items.map((c: { id: string }) => [c.id, c]))
    t.match(byId[CAL], { name: 'Business Hours – M-F 6am-6pm PT, excluding holidays', timeZone: 'America/Los_Angeles', observesHolidays: true, version: Number, updatedAt: String })
    t.same(byId[CAL].windows, MON_FRI_6_18)
    t.same(byId['business-hours'].windows, MON_FRI_6_18)
    t.equal(byId['business-hours'].observesHolidays, false)
    t.same(byId.always.windows, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })))
    t.equal(byId.always.timeZone, 'UTC')
  }
  const unauth = await h.request(null, { method: 'GET', url: '/v1/calendars' })
  t.equal(unauth.statusCode, 401)
})

t.test('calendar list pages by id with a cursor', async (t) => {
  const tok = await h.agentToken()
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const res = await h.request(tok, { method: 'GET', url: `/v1/calendars?limit=2${cursor === null ? '' : `&cursor=${cursor}`}` })
    t.equal(res.statusCode, 200, res.body)
    seen.push(...res.json().items.map((c: { id: string }) => c.id))
    cursor = res.json().nextCursor
  } while (cursor !== null)
  t.same(seen, ['always', 'business-hours', 'business-hours-with-holidays'])
})

t.test('GET a calendar: ETag is the version, If-None-Match gives 304, unknown is 404', async (t) => {
  const tok = await h.agentToken()
  const res = await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}` })
  t.equal(res.statusCode, 200)
  t.equal(res.headers.etag, `"${res.json().version}"`)
  const cached = await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}`, headers: { 'if-none-match': res.headers.etag as string } })
  t.equal(cached.statusCode, 304)
  t.equal(cached.body, '')
  const missing = await h.request(tok, { method: 'GET', url: '/v1/calendars/no-such-calendar' })
  t.equal(missing.statusCode, 404)
  t.match(missing.headers['content-type'], /application\/problem\+json/)
  t.equal(missing.json().code, 'not-found')
  for (const url of ['/v1/calendars/no-such-calendar/holidays', '/v1/calendars/no-such-calendar/holidays/2026-07-03']) {
    const r = await h.request(tok, { method: 'GET', url })
    t.equal(r.statusCode, 404, url)
  }
})

t.test('seeded US federal holidays on observed dates for the current year and the next two', async (t) => {
  const tok = await h.customerToken((await h.createOrg('basic')).id)
  for (const year of [2026, 2027, 2028]) {
    const res = await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}/holidays?year=${year}&limit=100` })
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.headers.etag, `"${await getVersion()}"`, 'the holiday list carries the calendar\'s ETag')
    const items = res.json().items as Array<{ date: string; name: string; calendarId: string }>
    const expected = usFederalHolidays([year])
    t.ok(expected.length >= 10, `${year}: the library gives the federal holidays`)
    t.same(items.map((i) => ({ date: i.date, name: i.name })), expected, `${year} matches the library's observed dates`)
    t.ok(items.every((i) => i.calendarId === CAL && i.date.startsWith(`${year}-`)))
  }
  const y2026 = (await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}/holidays?year=2026` })).json().items as Array<{ date: string; name: string }>
  t.match(y2026.find((i) => i.date === '2026-07-03'), { name: 'Independence Day (observed)' }, 'July 4 2026 is a Saturday: observed Friday July 3')
  t.notOk(y2026.some((i) => i.date === '2026-07-04'), 'the Saturday itself is not a day off')
  t.match(y2026.find((i) => i.date === '2026-11-26'), { name: 'Thanksgiving Day' })
  const y2027 = (await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}/holidays?year=2027` })).json().items as Array<{ date: string; name: string }>
  t.match(y2027.find((i) => i.date === '2027-12-31'), { name: "New Year's Day (observed)" }, 'New Year 2028 (Saturday) is observed on 2027-12-31')
  const y2029 = await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}/holidays?year=2029` })
  t.same(y2029.json().items, [], 'not seeded beyond the next two years')
  const open = await h.request(tok, { method: 'GET', url: '/v1/calendars/business-hours/holidays' })
  t.same(open.json(), { items: [], nextCursor: null }, 'a calendar open on holidays has none')
  const one = await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}/holidays/2026-07-03` })
  t.equal(one.statusCode, 200)
  t.match(one.json(), { calendarId: CAL, date: '2026-07-03', name: 'Independence Day (observed)' })
})

t.test('holiday list pages by date; a cursor of other filters is 400', async (t) => {
  const tok = await h.agentToken()
  const all = (await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}/holidays?limit=100` })).json()
  t.equal(all.nextCursor, null)
  t.ok(all.items.length >= 30)
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const res = await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}/holidays?limit=7${cursor === null ? '' : `&cursor=${cursor}`}` })
    t.equal(res.statusCode, 200, res.body)
    t.ok(res.json().items.length <= 7)
    seen.push(...res.json().items.map((i: { date: string }) => i.date))
    cursor = res.json().nextCursor
  } while (cursor !== null)
  t.same(seen, all.items.map((i: { date: string }) => i.date), 'same members and order as one big page')
  t.same([...seen].sort(), seen, 'ordered by date')
  const first = (await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}/holidays?limit=2&year=2026` })).json()
  const mismatched = await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}/holidays?limit=2&year=2027&cursor=${first.nextCursor}` })
  t.equal(mismatched.statusCode, 400)
  t.equal(mismatched.json().code, 'invalid-cursor')
  const badYear = await h.request(tok, { method: 'GET', url: `/v1/calendars/${CAL}/holidays?year=twenty` })
  t.equal(badYear.statusCode, 400)
  t.equal(badYear.json().code, 'validation-failed')
})

t.test('only admins change holidays: agents and customers get 403 and nothing changes', async (t) => {
  const org = await h.createOrg('basic')
  const before = await getVersion()
  for (const token of [await h.agentToken(), await h.customerToken(org.id)]) {
    const put = await h.request(token, { method: 'PUT', url: `/v1/calendars/${CAL}/holidays/2026-08-10`, payload: { name: 'Offsite' } })
    t.equal(put.statusCode, 403)
    t.equal(put.json().code, 'forbidden')
    const del = await h.request(token, { method: 'DELETE', url: `/v1/calendars/${CAL}/holidays/2026-07-03` })
    t.equal(del.statusCode, 403)
    t.equal(del.json().code, 'forbidden')
  }
  t.equal(await getVersion(), before)
  const still = await h.request(await h.agentToken(), { method: 'GET', url: `/v1/calendars/${CAL}/holidays/2026-07-03` })
  t.equal(still.statusCode, 200)
  const absent = await h.request(await h.agentToken(), { method: 'GET', url: `/v1/calendars/${CAL}/holidays/2026-08-10` })
  t.equal(absent.statusCode, 404)
})

t.test('the date must be a valid YYYY-MM-DD', async (t) => {
  const admin = await h.adminToken()
  for (const date of ['2026-02-30', '2026-13-01', '2026-7-3', '20260703', 'tomorrow', '2026-07-03T00:00:00Z']) {
    const put = await h.request(admin, { method: 'PUT', url: `/v1/calendars/${CAL}/holidays/${date}`, payload: { name: 'X' } })
    t.equal(put.statusCode, 400, `PUT ${date}`)
    t.equal(put.json().code, 'validation-failed')
    t.match(put.json().errors, [{ path: 'params.date' }])
    const del = await h.request(admin, { method: 'DELETE', url: `/v1/calendars/${CAL}/holidays/${date}` })
    t.equal(del.statusCode, 400, `DELETE ${date}`)
  }
  const leap = await h.request(admin, { method: 'PUT', url: `/v1/calendars/${CAL}/holidays/2028-02-29`, payload: { name: 'Leap day' } })
  t.equal(leap.statusCode, 201, 'a leap day is a valid date')
  const gone = await h.request(admin, { method: 'DELETE', url: `/v1/calendars/${CAL}/holidays/2028-02-29` })
  t.equal(gone.statusCode, 204)
  const body = await h.request(admin, { method: 'PUT', url: `/v1/calendars/${CAL}/holidays/2026-08-10`, payload: { name: 'X', color: 'red' } })
  t.equal(body.statusCode, 400)
  t.match(body.json().errors, [{ path: '/color' }])
  const empty = await h.request(admin, { method: 'PUT', url: `/v1/calendars/${CAL}/holidays/2026-08-10`, payload: { name: '' } })
  t.equal(empty.statusCode, 400)
})

t.test('PUT creates (201) then replaces (200); DELETE 204 then 404; each change bumps the version and records an event', async (t) => {
  const admin = await h.adminToken()
  const v0 = await getVersion()
  const eventsBefore = (await calendarEvents(CAL)).length
  h.clock.set('2026-06-02T10:00:00.000Z')

  const created = await h.request(admin, { method: 'PUT', url: `/v1/calendars/${CAL}/holidays/2026-08-10`, payload: { name: 'Company offsite' } })
  t.equal(created.statusCode, 201, created.body)
  t.equal(created.headers.location, `/v1/calendars/${CAL}/holidays/2026-08-10`)
  t.equal(created.headers.etag, `"${v0 + 1}"`)
  t.same(created.json(), { calendarId: CAL, date: '2026-08-10', name: 'Company offsite', updatedAt: '2026-06-02T10:00:00.000Z' })
  const cal = (await h.request(admin, { method: 'GET', url: `/v1/calendars/${CAL}` })).json()
  t.equal(cal.version, v0 + 1)
  t.equal(cal.updatedAt, '2026-06-02T10:00:00.000Z')

  const same = await h.request(admin, { method: 'PUT', url: `/v1/calendars/${CAL}/holidays/2026-08-10`, payload: { name: 'Company offsite' } })
  t.equal(same.statusCode, 200)
  t.equal(same.headers.etag, `"${v0 + 1}"`, 'an identical PUT changes nothing')

  const renamed = await h.request(admin, { method: 'PUT', url: `/v1/calendars/${CAL}/holidays/2026-08-10`, payload: { name: 'Summer offsite' } })
  t.equal(renamed.statusCode, 200)
  t.equal(renamed.headers.etag, `"${v0 + 2}"`)
  t.equal(renamed.json().name, 'Summer offsite')

  const deleted = await h.request(admin, { method: 'DELETE', url: `/v1/calendars/${CAL}/holidays/2026-08-10` })
  t.equal(deleted.statusCode, 204)
  t.equal(deleted.body, '')
  t.equal(deleted.headers.etag, `"${v0 + 3}"`)
  const again = await h.request(admin, { method: 'DELETE', url: `/v1/calendars/${CAL}/holidays/2026-08-10` })
  t.equal(again.statusCode, 404)
  t.equal(again.json().code, 'not-found')
  t.equal(await getVersion(), v0 + 3, 'a refused delete changes nothing')

  const events = (await calendarEvents(CAL)).slice(eventsBefore)
  t.same(events.map((e) => e.type), ['calendar.holiday_added', 'calendar.holiday_renamed', 'calendar.holiday_removed'])
  t.same(events.map((e) => e.resource_version), [v0 + 1, v0 + 2, v0 + 3])
  t.ok(events.every((e) => e.organization_id === null && e.actor_role === 'admin'))
  t.match(events[0]?.data, { calendarId: CAL, date: '2026-08-10', name: 'Company offsite' })
  t.match(events[1]?.data, { name: 'Summer offsite', before: { name: 'Company offsite' } })
  t.match(events[2]?.data, { calendarId: CAL, date: '2026-08-10', before: { name: 'Summer offsite' } })
})

t.test('If-Match: the calendar ETag; stale is 412 and changes nothing', async (t) => {
  const admin = await h.adminToken()
  const v = await getVersion()
  const stale = await h.request(admin, { method: 'PUT', url: `/v1/calendars/${CAL}/holidays/2026-09-14`, headers: { 'if-match': `"${v - 1}"` }, payload: { name: 'X' } })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().code, 'precondition-failed')
  t.equal(stale.json().currentVersion, v)
  t.equal((await h.request(admin, { method: 'GET', url: `/v1/calendars/${CAL}/holidays/2026-09-14` })).statusCode, 404)
  const ok = await h.request(admin, { method: 'PUT', url: `/v1/calendars/${CAL}/holidays/2026-09-14`, headers: { 'if-match': `"${v}"` }, payload: { name: 'X' } })
  t.equal(ok.statusCode, 201)
  const staleDelete = await h.request(admin, { method: 'DELETE', url: `/v1/calendars/${CAL}/holidays/2026-09-14`, headers: { 'if-match': `"${v}"` } })
  t.equal(staleDelete.statusCode, 412)
  t.equal((await h.request(admin, { method: 'GET', url: `/v1/calendars/${CAL}/holidays/2026-09-14` })).statusCode, 200, 'still there')
  const okDelete = await h.request(admin, { method: 'DELETE', url: `/v1/calendars/${CAL}/holidays/2026-09-14`, headers: { 'if-match': ok.headers.etag as string } })
  t.equal(okDelete.statusCode, 204)
})

t.test('unknown calendar is 404 on writes; a calendar open on holidays refuses them (409)', async (t) => {
  const admin = await h.adminToken()
  const put = await h.request(admin, { method: 'PUT', url: '/v1/calendars/no-such-calendar/holidays/2026-08-10', payload: { name: 'X' } })
  t.equal(put.statusCode, 404)
  const del = await h.request(admin, { method: 'DELETE', url: '/v1/calendars/no-such-calendar/holidays/2026-08-10' })
  t.equal(del.statusCode, 404)
  const v = await getVersion('business-hours')
  const open = await h.request(admin, { method: 'PUT', url: '/v1/calendars/business-hours/holidays/2026-08-10', payload: { name: 'X' } })
  t.equal(open.statusCode, 409)
  t.equal(open.json().code, 'calendar-ignores-holidays')
  t.equal(await getVersion('business-hours'), v)
  t.same((await calendarEvents('business-hours')), [])
})

t.test('deleting a seeded holiday opens the calendar on that date; the library seed never re-adds it', async (t) => {
  const admin = await h.adminToken()
  const del = await h.request(admin, { method: 'DELETE', url: `/v1/calendars/${CAL}/holidays/2027-01-18` })
  t.equal(del.statusCode, 204)
  const { seedHolidays } = await import('../../src/application/seed.js')
  t.equal(await seedHolidays(h.ctx), 0, 'the years already seeded are not seeded again')
  const res = await h.request(admin, { method: 'GET', url: `/v1/calendars/${CAL}/holidays/2027-01-18` })
  t.equal(res.statusCode, 404)
})
