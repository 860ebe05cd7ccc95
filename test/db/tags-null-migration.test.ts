/**
 * drizzle/0019_tags_null_repair.sql: the tag "null", once stored as an SQL null element (an unquoted text[] literal),
 * reads back as the tag. The migration already ran on this fresh database (with nothing to do), so the test writes a
 * legacy row and runs the same SQL again, which also shows it is idempotent.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { sql } from 'drizzle-orm'
import { buildTestApp } from '../helpers/app.js'
import { TICKET_BODY, openTicket } from '../http/tickets-helpers.js'

const h = await buildTestApp(t)
h.clock.set('2026-03-09T16:00:00Z')
const migration = await readFile(new URL('../../drizzle/0019_tags_null_repair.sql', import.meta.url), 'utf8')

t.test('a null element becomes the tag "null"; other tickets are untouched', async (t) => {
  const org = await h.createOrg('enhanced')
  const cust = await h.customerToken(org.id)
  const legacy = await openTicket(h, cust, { tags: ['dkim', 'spf'] })
  const other = await openTicket(h, cust, { ...TICKET_BODY, tags: ['dkim'] })
  // what the unquoted literal {dkim,null} stored
  await h.database.rows(sql`UPDATE tickets SET tags = '{dkim,null}'::text[] WHERE id = ${legacy.id}::uuid`)
  const [before] = await h.database.rows<{ nulls: number }>(sql`SELECT count(*)::int AS nulls FROM tickets WHERE array_position(tags, NULL) IS NOT NULL AND id = ${legacy.id}::uuid`)
  t.equal(before?.nulls, 1, 'the legacy row holds an SQL null')
  await h.database.rows(sql.raw(migration))
  await h.database.rows(sql.raw(migration))
  const tags = async (id: string): Promise<string[]> => (await h.request(await h.agentToken(), { method: 'GET', url: `/v1/tickets/${id}` })).json().tags
  t.same(await tags(legacy.id), ['dkim', 'null'])
  t.same(await tags(other.id), ['dkim'])
})
