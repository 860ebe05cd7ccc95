/**
 * drizzle/0008_responsibilities_not_applicable.sql: checklist items left not_applicable where the new rule does not
 * allow it go back to pending, with an event. The migration already ran on this fresh database (with nothing to do),
 * so the test writes legacy rows and runs the same SQL again — which also shows it is idempotent.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { sql } from 'drizzle-orm'
import { buildTestApp, TestClock } from '../helpers/app.js'
import { RESPONSIBILITIES } from '../../src/domain/policy/responsibilities.js'

const START = '2026-10-28T12:00:00.000Z'
const h = await buildTestApp(t, { clock: new TestClock(new Date(START)) })
const migration = await readFile(new URL('../../drizzle/0008_responsibilities_not_applicable.sql', import.meta.url), 'utf8')
const runMigration = async (): Promise<void> => { await h.database.rows(sql.raw(migration)) }

async function legacy (orgId: string, key: string, status: string, role: string, version = 2): Promise<void> {
  await h.database.rows(sql`INSERT INTO responsibility_items (organization_id, key, status, note, version, updated_by_id, updated_by_role, updated_at)
    VALUES (${orgId}, ${key}, ${status}, ${`set by ${role}`}, ${version}, ${`${role}-1`}, ${role}, ${START}::timestamptz)`)
}

t.test('the migration names exactly the policy\'s mandatory items that could have been not_applicable', async (t) => {
  const mandatory = RESPONSIBILITIES.filter((r) => r.notApplicable === 'never' && r.managedBy === null).map((r) => r.key)
  t.same(mandatory, ['dns-records', 'dns-restore-at-term-end'])
  t.match(migration, /"key" IN \('dns-records', 'dns-restore-at-term-end'\)/)
  t.same(RESPONSIBILITIES.filter((r) => r.notApplicable === 'staff').map((r) => r.key), ['saml-sso', 'unalignable-senders'])
  t.match(migration, /"key" IN \('saml-sso', 'unalignable-senders'\) AND "updated_by_role" = 'customer'/)
})

t.test('legacy not_applicable: mandatory → pending whoever set it; waivable → pending when a customer set it; each with an event', async (t) => {
  const a = await h.createOrg('enhanced')
  const b = await h.createOrg('enhanced')
  await legacy(a.id, 'dns-restore-at-term-end', 'not_applicable', 'customer')
  await legacy(a.id, 'dns-records', 'not_applicable', 'agent', 3)
  await legacy(a.id, 'saml-sso', 'not_applicable', 'customer')
  await legacy(a.id, 'unalignable-senders', 'not_applicable', 'agent')
  await legacy(b.id, 'saml-sso', 'not_applicable', 'admin')
  await legacy(b.id, 'dns-records', 'done', 'customer')
  const tokA = await h.customerToken(a.id)
  const tokB = await h.customerToken(b.id, 'customer-b')
  const checklist = async (tok: string, orgId: string) => (await h.request(tok, { method: 'GET', url: `/v1/organizations/${orgId}/responsibilities` })).json()
  t.same((await checklist(tokA, a.id)).summary, { done: 0, total: 1, overdue: 0, notApplicable: 4 }, 'before: four duties switched off')

  h.clock.set('2027-01-01T00:00:00.000Z') // the application clock plays no part: the migration uses the database's
  await runMigration()
  const after = await checklist(tokA, a.id)
  const byKey = Object.fromEntries(after.items.map((i: { key: string }) => [i.key, i]))
  t.match(byKey['dns-restore-at-term-end'], { status: 'pending', version: 3, note: 'set by customer', updatedBy: { id: 'system', role: 'system' } })
  t.match(byKey['dns-records'], { status: 'pending', version: 4, updatedBy: { role: 'system' } }, 'mandatory: also when staff set it')
  t.match(byKey['saml-sso'], { status: 'pending', version: 3, updatedBy: { role: 'system' } }, 'waived by a customer')
  t.match(byKey['unalignable-senders'], { status: 'not_applicable', version: 2, updatedBy: { id: 'agent-1', role: 'agent' } }, 'waived by staff: stays')
  t.same(after.summary, { done: 0, total: 4, overdue: 0, notApplicable: 1 })
  const untouched = await checklist(tokB, b.id)
  t.match(untouched.items.find((i: { key: string }) => i.key === 'saml-sso'), { status: 'not_applicable', version: 2, updatedBy: { role: 'admin' } })
  t.match(untouched.items.find((i: { key: string }) => i.key === 'dns-records'), { status: 'done', version: 2 })

  const history = (await h.request(tokA, { method: 'GET', url: `/v1/organizations/${a.id}/events?type=responsibility.updated&order=oldest` })).json().items
  t.equal(history.length, 3)
  t.same(history.map((e: { data: { key: string } }) => e.data.key), ['dns-records', 'dns-restore-at-term-end', 'saml-sso'])
  t.match(history[1], {
    type: 'responsibility.updated', actor: { id: 'system', role: 'system' }, resource: { type: 'responsibility_item', version: 3 },
    data: { key: 'dns-restore-at-term-end', cause: 'policy.not_applicable_restricted', before: { status: 'not_applicable', note: 'set by customer' }, after: { status: 'pending', note: 'set by customer' } }
  })

  await runMigration()
  t.same(await checklist(tokA, a.id), after, 'a second run changes nothing')
  t.equal((await h.request(tokA, { method: 'GET', url: `/v1/organizations/${a.id}/events?type=responsibility.updated` })).json().items.length, 3, 'and records nothing')
})
