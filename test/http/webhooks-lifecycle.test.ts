import t from 'tap'
import { comment, openTicket } from './tickets-helpers.js'
import { deliveries, feed, orgEndpoint, register, sharedDesk, touch } from './webhooks-helpers.js'

const { receivers: [r1, r2, ra, rb, rg, r6, r7], dns, h, admin } = await sharedDesk(t, 7)

t.test('failing for 5 days in a row disables the endpoint; re-enable and retry by hand', async (t) => {
  const { org, e } = await orgEndpoint(h, admin, r1!)
  r1!.behaviour = () => 503
  for (let day = 0; day < 6; day++) {
    await touch(h, admin, org.id)
    for (let i = 0; i < 3; i++) {
      await h.app.webhooks.runDueNow()
      h.clock.advance(11 * 3_600_000)
    }
  }
  const ep = (await h.request(admin, { method: 'GET', url: `/v1/webhook-endpoints/${e.id as string}` })).json()
  t.same([ep.enabled, ep.disabledReason], [false, 'failing'])
  const ds = await deliveries(h, admin, e.id)
  t.ok(ds.some((d) => d.status === 'failed' && d.attempts.length === 8), 'a delivery that ran its whole schedule: 8 attempts, then failed')
  t.equal((await feed(h, admin)).filter((ev) => ev.type === 'webhook_endpoint.disabled' && ev.data.reason === 'failing').length, 1)

  r1!.behaviour = () => 200
  const re = await h.request(admin, { method: 'PATCH', url: `/v1/webhook-endpoints/${e.id as string}`, payload: { enabled: true } })
  t.equal(re.statusCode, 200)
  const failed = ds.find((d) => d.status === 'failed' && d.attempts.length === 8)
  const retry = await h.request(admin, { method: 'POST', url: `/v1/webhook-deliveries/${failed?.id as string}/retry` })
  t.equal(retry.statusCode, 202)
  t.equal(retry.json().status, 'pending')
  await h.app.webhooks.runDueNow()
  const after = (await deliveries(h, admin, e.id)).find((d) => d.id === failed?.id)
  t.equal(after?.status, 'succeeded')
  t.equal(after?.attempts.length, 9)
  const agent = await h.agentToken()
  t.equal((await h.request(agent, { method: 'POST', url: `/v1/webhook-deliveries/${failed?.id as string}/retry` })).statusCode, 403)
  const otherOrg = await h.createOrg('basic')
  const foreign = await h.token({ sub: 'admin-x', roles: ['admin'], org_id: otherOrg.id })
  t.equal((await h.request(foreign, { method: 'POST', url: `/v1/webhook-deliveries/${failed?.id as string}/retry` })).statusCode, 404)
})

t.test('secret rotation: both secrets sign for 24 hours, then only the new one', async (t) => {
  const { org, e } = await orgEndpoint(h, admin, r2!)
  const rotated = await h.request(admin, { method: 'POST', url: `/v1/webhook-endpoints/${e.id as string}/rotate-secret` })
  t.equal(rotated.statusCode, 200)
  const fresh = rotated.json().secret
  t.not(fresh, e.secret)
  t.ok(rotated.json().secretRotationEndsAt)
  r2!.secrets = [e.secret, fresh]
  await touch(h, admin, org.id)
  await h.app.webhooks.runDueNow()
  t.same(r2!.received[0]?.verifiedWith, [0, 1], 'old and new secret both verify during the overlap')
  t.equal(String(r2!.received[0]?.headers['webhook-signature']).split(' ').length, 2)
  h.clock.advance(24 * 3_600_000 + 1000)
  await touch(h, admin, org.id)
  await h.app.webhooks.runDueNow()
  t.same(r2!.received[1]?.verifiedWith, [1], 'after 24 hours only the new secret signs')
  t.equal(r2!.rejected.length, 0)
})

t.test('tenancy: an organization\'s endpoint gets only its public events; a global endpoint gets everything', async (t) => {
  const orgA = await h.createOrg('enhanced')
  const orgB = await h.createOrg('enhanced')
  const adminA = await h.token({ sub: 'admin-a', roles: ['admin'], org_id: orgA.id })
  await register(h, adminA, ra!)
  await register(h, admin, rb!, { organizationId: orgB.id })
  const global = await register(h, admin, rg!)
  const agent = await h.agentToken()
  const ta = await openTicket(h, await h.customerToken(orgA.id))
  await comment(h, agent, ta.id, { body: 'internal note', visibility: 'internal' })
  await comment(h, agent, ta.id, { body: 'public reply' })
  const tb = await openTicket(h, await h.customerToken(orgB.id))
  await h.app.webhooks.runDueNow()
  t.ok(ra!.received.length >= 3)
  t.ok(ra!.received.every((r) => r.event.organizationId === orgA.id), 'A gets only A\'s events')
  t.ok(rb!.received.every((r) => r.event.organizationId === orgB.id), 'B gets only B\'s events')
  t.ok(rb!.received.some((r) => r.event.resource.id === tb.id))
  const all = await feed(h, admin)
  const internal = all.filter((ev) => ev.ticketId === ta.id && ev.type === 'ticket.comment_added' && ev.data.comment.visibility === 'internal')
  t.equal(internal.length, 1, 'the internal comment is in the staff feed')
  t.notOk(ra!.ids().has(`msg_evt_${internal[0]?.id as string}`), 'never an internal comment to an organization endpoint')
  t.ok(rg!.ids().has(`msg_evt_${internal[0]?.id as string}`), 'the global endpoint gets internal events')
  const customerFeed = (await h.request(await h.customerToken(orgA.id), { method: 'GET', url: '/v1/events?limit=500' })).json().items
  for (const ev of customerFeed.filter((x: any) => x.ticketId === ta.id)) t.ok(ra!.ids().has(`msg_evt_${ev.id as string}`), `A got ${ev.type as string}`)
  t.ok(rg!.received.some((r) => r.event.organizationId === orgA.id) && rg!.received.some((r) => r.event.organizationId === orgB.id), 'the global endpoint gets both')
  t.equal([ra!, rb!, rg!].reduce((n, r) => n + r.rejected.length, 0), 0)
  t.equal((await h.request(admin, { method: 'DELETE', url: `/v1/webhook-endpoints/${global.id as string}` })).statusCode, 204)
})

t.test('DNS rebinding: a name that later resolves to 127.0.0.1 is refused at delivery, no connection made', async (t) => {
  dns['rebind.example.com'] = '93.184.216.34'
  const org = await h.createOrg('basic')
  const res = await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: `https://rebind.example.com:${r6!.port}/hook`, organizationId: org.id } })
  t.equal(res.statusCode, 201)
  dns['rebind.example.com'] = '127.0.0.1'
  await touch(h, admin, org.id)
  await h.app.webhooks.runDueNow()
  const [d] = await deliveries(h, admin, res.json().id)
  t.match(d?.attempts[0].error, /refused range \(loopback\)/)
  t.equal(d?.status, 'pending', 'retried later like any failure')
  t.equal(r6!.requests, 0, 'nothing reached the loopback receiver')
})

t.test('replay: everything after a feed cursor is sent again with the same webhook-id', async (t) => {
  const { org, e } = await orgEndpoint(h, admin, r7!)
  const start = (await h.request(admin, { method: 'GET', url: '/v1/events?limit=500' })).json().nextCursor
  await touch(h, admin, org.id)
  await touch(h, admin, org.id)
  await h.app.webhooks.runDueNow()
  t.equal(r7!.received.length, 2)
  const replay = await h.request(admin, { method: 'POST', url: `/v1/webhook-endpoints/${e.id as string}/replay`, payload: { after: start } })
  t.equal(replay.statusCode, 202, replay.body)
  t.equal(replay.json().queued, 2)
  t.equal(replay.json().hasMore, false)
  await h.app.webhooks.runDueNow()
  t.equal(r7!.received.length, 4)
  t.equal(r7!.ids().size, 2, 'same webhook-ids: receivers dedupe')
  t.equal((await h.request(admin, { method: 'POST', url: `/v1/webhook-endpoints/${e.id as string}/replay`, payload: { after: 'nope' } })).statusCode, 400)
})
