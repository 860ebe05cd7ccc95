/**
 * The agent console's reads (issue 14): the deadline queue and the other sorts, counts with the list's filters,
 * full-text search (customers never match internal comments) and tags.
 */
import t from 'tap'
import { comment, enhancedDeskOnMonday, events, openTicket } from './tickets-helpers.js'

const { h, org, cust, agent } = await enhancedDeskOnMonday(t)
const otherOrg = await h.createOrg('enhanced')
const otherCust = await h.customerToken(otherOrg.id, 'customer-other')

const list = async (token: string, query: string) => {
  const res = await h.request(token, { method: 'GET', url: `/v1/tickets?${query}` })
  if (res.statusCode !== 200) throw new Error(`list ${query}: ${res.statusCode} ${res.body}`)
  return res.json() as { items: Array<Record<string, any>>; nextCursor: string | null }
}
/** every page of a list, following nextCursor */
const walk = async (token: string, query: string): Promise<Array<Record<string, any>>> => {
  const all: Array<Record<string, any>> = []
  let cursor: string | null = null
  do {
    const page = await list(token, `${query}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`)
    all.push(...page.items)
    cursor = page.nextCursor
  } while (cursor !== null)
  return all
}
const counts = async (token: string, query: string) => await h.request(token, { method: 'GET', url: `/v1/tickets/counts?${query}` })

// Monday 09:00 PDT, Enhanced: urgent = P1 1 business hour, high = P2 6 business hours, low = P3 24 business hours
h.clock.set('2026-03-09T09:00:00-07:00')
const low = await openTicket(h, cust, { severity: 'low', subject: 'Quarterly invoice question', description: 'Where do I download invoices?', tags: ['billing'] })
h.clock.set('2026-03-09T09:05:00-07:00')
const high = await openTicket(h, cust, { severity: 'high', subject: 'Bounces from one provider', description: 'Mail to example.net bounces with 550.', tags: ['deliverability', 'smtp'] })
h.clock.set('2026-03-09T09:10:00-07:00')
const urgent = await openTicket(h, cust, { severity: 'urgent', subject: 'DMARC reports stopped arriving', description: 'No aggregate reports since this morning.', tags: ['dmarc', 'deliverability'] })
h.clock.set('2026-03-09T09:15:00-07:00')
const answered = await openTicket(h, cust, { severity: 'urgent', subject: 'SPF record too long', description: 'Too many DNS lookups in our SPF record.' })
h.clock.set('2026-03-09T09:20:00-07:00')
await comment(h, agent, answered.id, { body: 'Flatten the include chain, please.' })
await comment(h, agent, high.id, { body: 'Suspect the customer is on a blocklist at spamhaus', visibility: 'internal' })
await comment(h, cust, low.id, { body: 'Also the VAT number on the invoice is wrong' })
const elsewhere = await openTicket(h, otherCust, { severity: 'urgent', subject: 'DMARC reports missing too', description: 'Same here.' })
h.clock.set('2026-03-09T09:30:00-07:00')

t.test('sort=slaDueAt: the deadline queue — owed first responses only, soonest deadline first, keyset pages', async (t) => {
  const queue = await walk(agent, `sort=slaDueAt&organizationId=${org.id as string}`)
  t.same(queue.map((x) => x.id), [urgent.id, high.id, low.id], 'P1 (10:10) before P2 (15:05) before P3; the answered ticket is not in the queue')
  t.ok(queue.every((x, i) => i === 0 || queue[i - 1]!.sla.dueAt <= x.sla.dueAt))
  const all = await walk(agent, 'sort=slaDueAt')
  t.same(all.map((x) => x.id), [urgent.id, elsewhere.id, high.id, low.id], 'across organizations for staff')
  t.same((await walk(cust, 'sort=slaDueAt')).map((x) => x.id), [urgent.id, high.id, low.id], 'a customer sees only their organization')
  t.same((await walk(agent, 'sort=slaDueAt&priority=P2')).map((x) => x.id), [high.id])
  t.same((await walk(agent, 'sort=slaDueAt&slaStatus=met')).map((x) => x.id), [], 'answered tickets are not owed')
  h.clock.set('2026-03-09T10:30:00-07:00')
  t.same((await walk(agent, 'sort=slaDueAt&slaStatus=breached')).map((x) => x.id), [urgent.id, elsewhere.id], 'overdue ones first, as breached')
  t.same((await walk(agent, `sort=slaDueAt&slaStatus=on_track&organizationId=${org.id as string}`)).map((x) => x.id), [high.id, low.id])
  h.clock.set('2026-03-09T09:30:00-07:00')
})

t.test('sort=updatedAt: most recently changed first; createdAt stays the default', async (t) => {
  const byUpdate = await walk(agent, `sort=updatedAt&organizationId=${org.id as string}`)
  t.same(byUpdate.map((x) => x.id).slice(0, 3).sort(), [answered.id, high.id, low.id].sort(), 'the three commented at 09:20 first')
  t.equal(byUpdate.at(-1)!.id, urgent.id)
  t.ok(byUpdate.every((x, i) => i === 0 || byUpdate[i - 1]!.updatedAt >= x.updatedAt))
  const byCreation = await walk(agent, `organizationId=${org.id as string}`)
  t.same(byCreation.map((x) => x.id), [answered.id, urgent.id, high.id, low.id])
  t.same((await walk(agent, `sort=createdAt&organizationId=${org.id as string}`)).map((x) => x.id), byCreation.map((x) => x.id))
})

t.test('a cursor belongs to its sort and filters', async (t) => {
  const page = await list(agent, 'sort=slaDueAt&limit=1')
  t.ok(page.nextCursor)
  const other = await h.request(agent, { method: 'GET', url: `/v1/tickets?sort=updatedAt&limit=1&cursor=${page.nextCursor as string}` })
  t.equal(other.statusCode, 400)
  t.equal(other.json().code, 'invalid-cursor')
  const bad = await h.request(agent, { method: 'GET', url: '/v1/tickets?sort=priority' })
  t.equal(bad.statusCode, 400)
})

t.test('counts: groups with the list\'s filters, total, customers scoped', async (t) => {
  const byStatus = await counts(agent, `groupBy=status&organizationId=${org.id as string}`)
  t.equal(byStatus.statusCode, 200, byStatus.body)
  t.same(byStatus.json(), { groups: [{ key: 'open', count: 4 }], total: 4 })
  t.same((await counts(agent, 'groupBy=priority')).json(), { groups: [{ key: 'P1', count: 3 }, { key: 'P2', count: 1 }, { key: 'P3', count: 1 }], total: 5 })
  t.same((await counts(cust, 'groupBy=priority')).json(), { groups: [{ key: 'P1', count: 2 }, { key: 'P2', count: 1 }, { key: 'P3', count: 1 }], total: 4 }, 'a customer counts only their organization')
  t.same((await counts(agent, 'groupBy=slaStatus&priority=P1')).json(), { groups: [{ key: 'on_track', count: 2 }, { key: 'met', count: 1 }], total: 3 }, 'at 09:30: the two unanswered P1s are on track')
  h.clock.set('2026-03-09T09:56:00-07:00')
  t.same((await counts(agent, 'groupBy=slaStatus&priority=P1')).json(), { groups: [{ key: 'at_risk', count: 1 }, { key: 'met', count: 1 }, { key: 'on_track', count: 1 }], total: 3 }, 'at 09:56 the 10:10 deadline is at risk (< 15 min left)')
  h.clock.set('2026-03-09T09:30:00-07:00')
  const patch = await h.request(agent, { method: 'PATCH', url: `/v1/tickets/${urgent.id as string}`, payload: { assigneeId: 'agent-7' } })
  t.equal(patch.statusCode, 200)
  t.same((await counts(agent, `groupBy=assigneeId&organizationId=${org.id as string}`)).json(), { groups: [{ key: null, count: 3 }, { key: 'agent-7', count: 1 }], total: 4 }, 'unassigned is the null group')
  t.same((await counts(agent, 'groupBy=status&tag=deliverability')).json(), { groups: [{ key: 'open', count: 2 }], total: 2 })
  t.same((await counts(agent, 'groupBy=status&q=dmarc')).json(), { groups: [{ key: 'open', count: 2 }], total: 2 })
  t.same((await counts(agent, 'groupBy=status&status=closed')).json(), { groups: [], total: 0 })
  t.equal((await counts(agent, 'groupBy=severity')).statusCode, 400)
  t.equal((await counts(agent, 'status=open')).statusCode, 400, 'groupBy is required')
  t.equal((await counts(cust, `groupBy=status&organizationId=${otherOrg.id as string}`)).statusCode, 404)
})

t.test('search: subject, description and comments; websearch syntax; customers never match internal comments', async (t) => {
  const ids = async (token: string, q: string, extra = ''): Promise<string[]> => (await walk(token, `q=${encodeURIComponent(q)}${extra}`)).map((x) => x.id)
  t.same(await ids(agent, 'dmarc'), [elsewhere.id, urgent.id], 'subject, newest first (the chosen sort)')
  t.same(await ids(agent, 'bounce'), [high.id], 'description, stemmed (bounces → bounce)')
  t.same(await ids(agent, 'include chain'), [answered.id], 'a public agent comment')
  t.same(await ids(agent, 'VAT number'), [low.id], 'a customer comment')
  t.same(await ids(agent, 'spamhaus'), [high.id], 'staff match internal comments')
  t.same(await ids(cust, 'spamhaus'), [], 'customers never match internal comments')
  t.same(await ids(cust, 'bounces 550'), [high.id], 'the same ticket by its public text')
  t.same(await ids(agent, '"aggregate reports"'), [urgent.id], 'a quoted phrase')
  t.same(await ids(agent, '"reports aggregate"'), [], 'a phrase is ordered')
  t.same(await ids(agent, 'invoice or spf'), [answered.id, low.id], 'or')
  t.same(await ids(agent, 'dmarc -aggregate'), [elsewhere.id], '-word excludes')
  t.same(await ids(cust, 'dmarc'), [urgent.id], 'customers: own organization only')
  t.same(await ids(agent, 'dmarc', '&sort=slaDueAt&priority=P1'), [urgent.id, elsewhere.id], 'combined with sort and filters')
  t.same(await ids(agent, 'the'), [], 'stop words alone match nothing')
  t.same(await ids(agent, '"unbalanced'), [], 'any text is a valid query (no 5xx)')
  t.equal((await h.request(agent, { method: 'GET', url: `/v1/tickets?q=${'x'.repeat(501)}` })).statusCode, 400)
})

t.test('tags: set on create, replaced by staff on PATCH, refused for customers, all-match filter, in events', async (t) => {
  t.same(high.tags, ['deliverability', 'smtp'])
  t.same((await walk(agent, 'tag=deliverability')).map((x) => x.id), [urgent.id, high.id])
  t.same((await walk(agent, 'tag=deliverability&tag=smtp')).map((x) => x.id), [high.id], 'every given tag must match')
  t.same((await walk(agent, 'tag=smtp&tag=dmarc')).map((x) => x.id), [])
  const refused = await h.request(cust, { method: 'PATCH', url: `/v1/tickets/${high.id as string}`, payload: { tags: ['vip'] } })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'field-not-allowed')
  const res = await h.request(agent, { method: 'PATCH', url: `/v1/tickets/${high.id as string}`, payload: { tags: ['smtp', 'escalated'] } })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json().tags, ['smtp', 'escalated'])
  const trail = await events(h, agent, high.id)
  t.match(trail.at(-1), { type: 'ticket.updated', data: { changedFields: ['tags'], before: { tags: ['deliverability', 'smtp'] }, after: { tags: ['smtp', 'escalated'] } } })
  t.match(trail[0], { type: 'ticket.created', data: { after: { tags: ['deliverability', 'smtp'] } } })
  const same = await h.request(agent, { method: 'PATCH', url: `/v1/tickets/${high.id as string}`, payload: { tags: ['smtp', 'escalated'] } })
  t.equal(same.json().version, res.json().version, 'the same tags change nothing')
  for (const tags of [['UPPER'], [''], ['x'.repeat(51)], ['a', 'a'], Array.from({ length: 21 }, (_, i) => `t${i}`), ['with space']]) {
    const bad = await h.request(agent, { method: 'POST', url: '/v1/tickets', payload: { organizationId: org.id, subject: 's', description: 'd', severity: 'low', channel: 'portal', requester: { name: 'n', email: 'n@x.example' }, tags } })
    t.equal(bad.statusCode, 400, JSON.stringify(tags))
  }
  t.equal((await h.request(agent, { method: 'GET', url: '/v1/tickets?tag=BAD' })).statusCode, 400)
})

t.test('tags in the external-ticket upsert', async (t) => {
  const url = `/v1/organizations/${org.id as string}/external-tickets/jira/SUP-1`
  const body = { subject: 'Mirrored', description: 'From Jira', severity: 'low', channel: 'portal', requester: { name: 'n', email: 'n@x.example' }, tags: ['jira'] }
  const created = await h.request(agent, { method: 'PUT', url, payload: body })
  t.equal(created.statusCode, 201, created.body)
  t.same(created.json().tags, ['jira'])
  const updated = await h.request(agent, { method: 'PUT', url, payload: { ...body, tags: ['jira', 'synced'] } })
  t.equal(updated.statusCode, 200)
  t.same(updated.json().tags, ['jira', 'synced'])
  t.equal(updated.json().version, 2)
  const unchanged = await h.request(agent, { method: 'PUT', url, payload: { ...body, tags: undefined } })
  t.same(unchanged.json().tags, ['jira', 'synced'], 'absent: unchanged')
  t.equal(unchanged.json().version, 2)
  const byCustomer = await h.request(cust, { method: 'PUT', url, payload: { ...body, tags: ['mine'] } })
  t.equal(byCustomer.statusCode, 403, 'customers cannot change tags')
})
