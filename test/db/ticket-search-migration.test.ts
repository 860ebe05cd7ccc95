/**
 * drizzle/0016_ticket_search.sql moves a ticket's search documents from generated columns of `tickets` to the table
 * `ticket_search`, kept by triggers. The migration already ran on this fresh database; the test puts the database back
 * in its 0015 shape with tickets and comments in it (the columns, indexes and back-fill of drizzle/0012), runs 0016
 * again (and 0017, which gives the text-change trigger its one definition of a whole document) and checks that every
 * ticket's documents moved over unchanged, that the triggers keep them from then on, and that a document rebuilt by
 * 0017's function holds the same words as the one the triggers kept.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { sql } from 'drizzle-orm'
import { comment, enhancedDeskOnMonday, openTicket } from '../http/tickets-helpers.js'

const { h, cust, agent } = await enhancedDeskOnMonday(t)
const file = async (name: string): Promise<string[]> =>
  (await readFile(new URL(`../../drizzle/${name}`, import.meta.url), 'utf8')).split('--> statement-breakpoint').map((s) => s.trim()).filter((s) => s !== '')
const run = async (statements: string[]): Promise<void> => { for (const s of statements) await h.database.rows(sql.raw(s)) }
const rows = async <T>(q: string): Promise<T[]> => await h.database.rows<T>(sql.raw(q))

const search = async (token: string, q: string): Promise<string[]> =>
  (await h.request(token, { method: 'GET', url: `/v1/tickets?q=${encodeURIComponent(q)}` })).json().items.map((x: { id: string }) => x.id)

t.test('0016 on a database with tickets: the documents move over unchanged; the triggers keep them afterwards', async (t) => {
  const a = await openTicket(h, cust, { subject: 'Kerberos handshake fails', description: 'The zeppelin relay refuses SPF lookups.' })
  const b = await openTicket(h, cust, { subject: 'Aggregate reports missing', description: 'Nothing since Monday.' })
  await comment(h, agent, a.id, { body: 'Checked the marzipan selector', visibility: 'public' })
  await comment(h, agent, a.id, { body: 'Internal: escalate to the quokka team', visibility: 'internal' })
  await comment(h, cust, b.id, { body: 'Any news on the walrus domain?' })

  // back to the 0015 shape: no ticket_search, the generated columns of 0012 with their indexes and back-fill
  await run([
    'DROP TRIGGER ticket_search_ticket_insert ON tickets', 'DROP TRIGGER ticket_search_ticket_text ON tickets',
    'DROP TRIGGER ticket_search_comment_insert ON ticket_comments', 'DROP TABLE ticket_search',
    'DROP FUNCTION ticket_search_on_ticket_insert()', 'DROP FUNCTION ticket_search_on_ticket_text()',
    'DROP FUNCTION ticket_search_on_comment_insert()', 'DROP FUNCTION ticket_search_documents(uuid, text, text)',
    'DROP FUNCTION ticket_search_base(text, text)'
  ])
  const old = (await file('0012_console_queue_search_tags.sql'))
    .filter((s) => /search_(public|internal)_comments|search_customer|search_staff/.test(s) && !s.includes('DROP'))
    .map((s) => s.replace(/^--[^\n]*\n/gm, ''))
  t.equal(old.length, 8, 'four columns, two indexes, two back-fills')
  await run(old)
  const before = await rows<{ id: string; customer: string; staff: string }>('SELECT id, search_customer::text AS customer, search_staff::text AS staff FROM tickets ORDER BY id')
  t.ok(before.find((r) => r.id === a.id)?.staff.includes('quokka'), 'the old documents hold the comments (back-fill)')

  await run(await file('0016_ticket_search.sql'))
  await run(await file('0017_ticket_search_documents.sql'))
  const after = await rows<{ id: string; customer: string; staff: string }>('SELECT ticket_id AS id, customer::text AS customer, staff::text AS staff FROM ticket_search ORDER BY ticket_id')
  t.same(after, before, 'one row per ticket, the same documents')
  const columns = await rows<{ n: number }>("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'tickets' AND column_name LIKE 'search_%'")
  t.equal(columns[0]?.n, 0, 'the old columns are gone')

  t.same(await search(agent, 'quokka'), [a.id], 'staff find an internal comment')
  t.same(await search(cust, 'quokka'), [], 'customers do not')
  t.same(await search(cust, 'walrus'), [b.id], 'a public comment')
  t.same(await search(cust, 'zeppelin'), [a.id], 'the description')

  // from now on the triggers: a new ticket, a new comment, a changed description
  const c = await openTicket(h, cust, { subject: 'Pelican alignment question' })
  t.same(await search(cust, 'pelican'), [c.id], 'a new ticket')
  await comment(h, agent, b.id, { body: 'The narwhal record is fixed', visibility: 'public' })
  t.same(await search(cust, 'narwhal'), [b.id], 'a new comment')
  const patched = await h.request(agent, { method: 'PATCH', url: `/v1/tickets/${a.id as string}`, payload: { description: 'The albatross relay refuses SPF lookups.' } })
  t.equal(patched.statusCode, 200, patched.body)
  t.same(await search(cust, 'zeppelin'), [], 'the old description no longer matches')
  t.same(await search(cust, 'albatross'), [a.id], 'the new one does')
  t.same(await search(cust, 'marzipan'), [a.id], 'the comments stay in the rebuilt document')
  t.same(await search(agent, 'quokka'), [a.id], 'internal ones too, for staff')
  t.same(await search(cust, 'quokka'), [], 'and still not for customers')

  // the one definition of a whole document (0017: the text-change trigger and the benchmark's clean-up) and the
  // documents the triggers kept piece by piece hold the same words with the same weights for every ticket (positions
  // may differ: an appended comment's positions start after the document's last word, stop words aside)
  // (a document's words with their weights, as a sorted text array)
  const words = (doc: string): string => `array(SELECT DISTINCT u.lexeme || ':' || w FROM unnest(${doc}) u, unnest(u.weights) w ORDER BY 1)`
  const drift = await rows<{ id: string }>(`SELECT t.id FROM tickets t JOIN ticket_search s ON s.ticket_id = t.id
    CROSS JOIN LATERAL ticket_search_documents(t.id, t.subject, t.description) d
    WHERE ${words('d.customer')} IS DISTINCT FROM ${words('s.customer')} OR ${words('d.staff')} IS DISTINCT FROM ${words('s.staff')}`)
  const docs = await rows<{ n: number }>('SELECT count(*)::int AS n FROM ticket_search')
  t.equal(docs[0]?.n, 3, 'three tickets to compare')
  t.same(drift, [], 'rebuilt and kept documents agree on every ticket')
})
