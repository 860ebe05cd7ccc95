import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { comment, contactAttempts, events, getTicket, openTicket } from './tickets-helpers.js'

/**
 * "The support packages apply to Customer, only if Customer is a current paying subscriber": what happens to the open
 * tickets and pending reopen requests of an organization whose subscription lapses (docs/tickets.md).
 */
const h = await buildTestApp(t)
const MON_0900 = '2026-03-09T09:00:00-07:00' // Monday, PDT
h.clock.set(MON_0900)
const agent = await h.agentToken()

const patchOrg = async (orgId: string, payload: Record<string, unknown>): Promise<void> => {
  const res = await h.request(await h.adminToken(), { method: 'PATCH', url: `/v1/organizations/${orgId}`, payload })
  if (res.statusCode !== 200) throw new Error(res.body)
}
const closeForNoResponse = async (ticketId: string): Promise<void> => {
  await contactAttempts(h, agent, ticketId, 3)
  const res = await h.request(agent, { method: 'POST', url: `/v1/tickets/${ticketId}/close`, payload: { reason: 'no_response' } })
  if (res.statusCode !== 200) throw new Error(res.body)
}
const requestReopen = async (token: string, ticketId: string) =>
  await h.request(token, { method: 'POST', url: `/v1/tickets/${ticketId}/reopen-requests`, payload: { reason: 'Still broken' } })
const decide = async (requestId: string, decision: 'approve' | 'deny', payload: Record<string, unknown> = {}) =>
  await h.request(agent, { method: 'POST', url: `/v1/reopen-requests/${requestId}/${decision}`, payload })

/** an organization with an open ticket and two tickets closed for no response, each with a pending reopen request */
async function setUp (): Promise<{ org: Record<string, any>; cust: string; open: Record<string, any>; toApprove: Record<string, any>; toDeny: Record<string, any> }> {
  h.clock.set(MON_0900)
  const org = await h.createOrg('enhanced')
  const cust = await h.customerToken(org.id)
  const open = await openTicket(h, cust)
  const closedA = await openTicket(h, cust)
  const closedB = await openTicket(h, cust)
  await closeForNoResponse(closedA.id)
  await closeForNoResponse(closedB.id)
  h.clock.set('2026-03-10T09:00:00-07:00')
  const toApprove = (await requestReopen(cust, closedA.id)).json()
  const toDeny = (await requestReopen(cust, closedB.id)).json()
  return { org, cust, open, toApprove, toDeny }
}

for (const [how, lapse] of [
  ['past_due', async (orgId: string) => { await patchOrg(orgId, { subscription: { status: 'past_due' } }) }],
  ['term ended', async (_orgId: string, termEnd: string) => { h.clock.set(new Date(new Date(termEnd).getTime() + 3_600_000)) }]
] as const) {
  t.test(`subscription lapsed (${how}): approving a reopen request is 403 subscription-inactive; denying is fine`, async (t) => {
    const { org, cust, toApprove, toDeny } = await setUp()
    await lapse(org.id, org.subscription.termEnd)
    const before = await getTicket(h, agent, toApprove.ticketId)
    const trail = (await events(h, agent, toApprove.ticketId)).length

    const approve = await decide(toApprove.id, 'approve', { note: 'Reopened' })
    t.equal(approve.statusCode, 403, approve.body)
    t.match(approve.json(), { code: 'subscription-inactive', subscriptionStatus: how === 'past_due' ? 'past_due' : 'active', termEnd: org.subscription.termEnd })
    t.match(approve.json().detail, /current paying subscribers/)
    t.match((await h.request(agent, { method: 'GET', url: `/v1/reopen-requests/${toApprove.id}` })).json(), { status: 'pending', version: 1 }, 'the request stays pending')
    const after = await getTicket(h, agent, toApprove.ticketId)
    t.match(after, { status: 'closed', closedReason: 'no_response', version: before.version, sla: { cycle: 1 } }, 'no new first-response cycle')
    t.equal((await events(h, agent, toApprove.ticketId)).length, trail, 'no event written')

    const deny = await decide(toDeny.id, 'deny', { note: 'Your subscription has lapsed; renew to reopen' })
    t.equal(deny.statusCode, 200, deny.body)
    t.match(deny.json(), { status: 'denied' })
    const again = await requestReopen(cust, toDeny.ticketId)
    t.equal(again.statusCode, how === 'past_due' ? 403 : 409, 'the customer cannot ask again while lapsed')
    t.equal(again.json().code, how === 'past_due' ? 'subscription-inactive' : 'reopen-window-expired', 'the window rule comes first')

    // renewed: the same request can now be approved
    await patchOrg(org.id, { subscription: { status: 'active', termStart: '2026-01-01T00:00:00.000Z', termEnd: '2030-01-01T00:00:00.000Z' } })
    const approved = await decide(toApprove.id, 'approve', {})
    t.equal(approved.statusCode, 200, approved.body)
    t.match(await getTicket(h, cust, toApprove.ticketId), { status: 'open', sla: { cycle: 2 } })
  })

  t.test(`subscription lapsed (${how}): customers can read but not write; staff can wrap up the open tickets`, async (t) => {
    const { org, cust, open } = await setUp()
    await lapse(org.id, org.subscription.termEnd)
    const url = `/v1/tickets/${open.id}`
    const version = (await getTicket(h, agent, open.id)).version

    for (const [what, method, path, payload] of [
      ['comment', 'POST', `${url}/comments`, { body: 'Any news?' }],
      ['edit', 'PATCH', url, { subject: 'DMARC reports still missing' }],
      ['create', 'POST', '/v1/tickets', { subject: 'New problem', description: 'x', severity: 'low', channel: 'portal', requester: { name: 'Dana', email: 'dana@acme.example' } }]
    ] as const) {
      const res = await h.request(cust, { method, url: path, payload })
      t.equal(res.statusCode, 403, `customer ${what}: ${res.body}`)
      t.equal(res.json().code, 'subscription-inactive', `customer ${what}`)
    }
    t.equal((await getTicket(h, cust, open.id)).version, version, 'the customer\'s refused writes changed nothing')
    t.equal((await h.request(cust, { method: 'GET', url: `${url}/comments` })).statusCode, 200, 'customers still read the conversation')
    t.equal((await h.request(cust, { method: 'GET', url: `${url}/events` })).statusCode, 200, 'and the history')

    // staff: answer (the first response of the running cycle is still recorded), contact attempts, severity, edit, close
    const answer = await comment(h, agent, open.id, { body: 'Your subscription has lapsed; we are closing this ticket.' })
    t.equal(answer.firstResponse, true, 'the agent\'s answer is the cycle\'s first response')
    await comment(h, agent, open.id, { body: 'Internal: lapsed customer', visibility: 'internal' })
    const severity = await h.request(agent, { method: 'POST', url: `${url}/severity-changes`, payload: { severity: 'low', reason: 'Lapsed customer' } })
    t.equal(severity.statusCode, 201, severity.body)
    const edit = await h.request(agent, { method: 'PATCH', url, payload: { category: 'billing' } })
    t.equal(edit.statusCode, 200, edit.body)
    const close = await h.request(agent, { method: 'POST', url: `${url}/close`, payload: { reason: 'out_of_scope', note: 'Subscription lapsed' } })
    t.equal(close.statusCode, 200, close.body)
    t.match(close.json(), { status: 'closed', closedReason: 'out_of_scope' })

    const other = await h.request(agent, { method: 'POST', url: '/v1/tickets', payload: { organizationId: org.id, subject: 's', description: 'd', severity: 'low', channel: 'portal', requester: { name: 'Dana', email: 'dana@acme.example' } } })
    t.equal(other.statusCode, 403, 'agents cannot open tickets for a lapsed organization either')
  })
}

t.test('a customer of a current organization is unaffected (control)', async (t) => {
  const { cust, open, toApprove } = await setUp()
  t.equal((await h.request(cust, { method: 'POST', url: `/v1/tickets/${open.id}/comments`, payload: { body: 'Any news?' } })).statusCode, 201)
  t.equal((await h.request(cust, { method: 'PATCH', url: `/v1/tickets/${open.id}`, payload: { subject: 'Still missing' } })).statusCode, 200)
  t.equal((await decide(toApprove.id, 'approve')).statusCode, 200)
})
