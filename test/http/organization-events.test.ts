import t, { type Test } from 'tap'
import { buildTestApp, TestClock } from '../helpers/app.js'
import { recordEvent } from '../../src/db/events.js'

const h = await buildTestApp(t, { clock: new TestClock(new Date('2026-10-28T12:00:00.000Z')) })

const setup = async () => {
  const org = await h.createOrg('premier')
  const tok = await h.customerToken(org.id)
  for (const key of ['dns-records', 'saml-sso', 'unalignable-senders']) {
    await h.request(tok, { method: 'PATCH', url: `/v1/organizations/${org.id}/responsibilities/${key}`, payload: { status: 'in_progress' } })
  }
  // an internal event (as an internal ticket comment would write) in the same organization
  await h.database.db.transaction(async (tx) => {
    await recordEvent(tx, {
      type: 'ticket.comment_added', organizationId: org.id, resourceType: 'comment', resourceId: '00000000-0000-4000-8000-0000000000aa',
      ticketId: '00000000-0000-4000-8000-0000000000bb', visibility: 'internal', actor: { id: 'agent-1', role: 'agent' },
      occurredAt: h.clock.now(), data: { internal: true }
    })
  })
  return { org, tok }
}

const pageAll = async (token: string, url: string, t: Test): Promise<Array<Record<string, any>>> => {
  const out: Array<Record<string, any>> = []
  let cursor: string | null = null
  do {
    const res = await h.request(token, { method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}limit=2${cursor === null ? '' : `&cursor=${cursor}`}` })
    t.equal(res.statusCode, 200, res.body)
    out.push(...res.json().items)
    cursor = res.json().nextCursor
  } while (cursor !== null)
  return out
}

t.test('newest first by default, oldest first on request; cursor pages without gaps or duplicates', async (t) => {
  const { org } = await setup()
  const agent = await h.agentToken()
  const newest = await pageAll(agent, `/v1/organizations/${org.id}/events`, t)
  const oldest = await pageAll(agent, `/v1/organizations/${org.id}/events?order=oldest`, t)
  t.equal(newest.length, 5, 'organization.created, 3 item updates, 1 internal event')
  t.same(newest.map((e) => e.id), oldest.map((e) => e.id).reverse())
  t.equal(new Set(newest.map((e) => e.id)).size, newest.length)
  t.equal(oldest[0]?.type, 'organization.created')
  t.same(newest.map((e) => Number(e.id)), newest.map((e) => Number(e.id)).sort((a, b) => b - a), 'ids descending')
  t.equal(newest[0]?.visibility, 'internal', 'staff see internal events')
})

t.test('customers never see internal events', async (t) => {
  const { org, tok } = await setup()
  const seen = await pageAll(tok, `/v1/organizations/${org.id}/events`, t)
  t.equal(seen.length, 4)
  t.ok(seen.every((e) => e.visibility === 'public'))
})

t.test('type and resourceId filters; a cursor is tied to its filters and caller', async (t) => {
  const { org, tok } = await setup()
  const updates = (await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/events?type=responsibility.updated` })).json()
  t.equal(updates.items.length, 3)
  const one = updates.items[0]
  const byResource = (await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/events?resourceId=${one.resource.id}` })).json()
  t.same(byResource.items.map((e: { id: string }) => e.id), [one.id])
  const first = (await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/events?limit=1` })).json()
  t.type(first.nextCursor, 'string')
  const otherOrder = await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/events?limit=1&order=oldest&cursor=${first.nextCursor}` })
  t.equal(otherOrder.statusCode, 400)
  t.equal(otherOrder.json().code, 'invalid-cursor')
  const otherCaller = await h.request(await h.agentToken(), { method: 'GET', url: `/v1/organizations/${org.id}/events?limit=1&cursor=${first.nextCursor}` })
  t.equal(otherCaller.json().code, 'invalid-cursor')
  t.equal((await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/events?limit=101` })).statusCode, 400)
})

t.test('another organization\'s history is 404; unknown organization is 404', async (t) => {
  const { org } = await setup()
  const other = await h.createOrg('basic')
  const res = await h.request(await h.customerToken(other.id), { method: 'GET', url: `/v1/organizations/${org.id}/events` })
  t.equal(res.statusCode, 404)
  t.equal(res.json().code, 'not-found')
  t.equal((await h.request(await h.adminToken(), { method: 'GET', url: '/v1/organizations/00000000-0000-4000-8000-000000000000/events' })).statusCode, 404)
})
