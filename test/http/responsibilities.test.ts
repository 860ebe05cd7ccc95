import t from 'tap'
import { buildTestApp, TestClock } from '../helpers/app.js'

const START = '2026-10-28T12:00:00.000Z'
const h = await buildTestApp(t, { clock: new TestClock(new Date(START)) })
const KEYS = ['dns-records', 'dns-restore-at-term-end', 'technical-representative', 'saml-sso', 'unalignable-senders']
const rep = { name: 'Sam Admin', email: 'sam@acme.example', phone: '+1 415 555 0100' }

t.beforeEach(() => { h.clock.set(START) })

const checklist = async (token: string, orgId: string) =>
  await h.request(token, { method: 'GET', url: `/v1/organizations/${orgId}/responsibilities` })
const patchItem = async (token: string, orgId: string, key: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  await h.request(token, { method: 'PATCH', url: `/v1/organizations/${orgId}/responsibilities/${key}`, payload, headers })
const item = (list: { items: Array<{ key: string }> }, key: string) => list.items.find((i) => i.key === key) as Record<string, any>

t.test('every organization has the five items of the terms, pending, with the restore due at termEnd', async (t) => {
  const org = await h.createOrg('basic')
  const res = await checklist(await h.customerToken(org.id), org.id)
  t.equal(res.statusCode, 200, res.body)
  const list = res.json()
  t.equal(list.organizationId, org.id)
  t.same(list.items.map((i: { key: string }) => i.key), KEYS)
  t.same(list.summary, { done: 0, total: 5, overdue: 0, notApplicable: 0 })
  t.same(item(list, 'dns-restore-at-term-end'), {
    key: 'dns-restore-at-term-end',
    title: 'Restore DNS records at the end of the term',
    description: 'Restore those DNS records and settings to their original state at the end of the Subscription Term.',
    clause: '(i)',
    ongoing: false,
    status: 'pending',
    dueAt: org.subscription.termEnd,
    overdue: false,
    note: null,
    evidenceUrl: null,
    version: 1,
    updatedBy: null,
    updatedAt: null
  })
  t.equal(item(list, 'dns-records').dueAt, null)
  t.equal(item(list, 'unalignable-senders').ongoing, true)
})

t.test('PATCH an item: status, note, evidenceUrl; ETag/If-Match; unknown key → 404', async (t) => {
  const org = await h.createOrg('enhanced')
  const tok = await h.customerToken(org.id)
  const get = await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/responsibilities/dns-records` })
  t.equal(get.statusCode, 200)
  t.equal(get.headers.etag, '"1"', 'an untouched item is version 1')
  const res = await patchItem(tok, org.id, 'dns-records', { status: 'done', note: 'Delegated _dmarc', evidenceUrl: 'https://wiki.acme.example/dns/4711' }, { 'if-match': '"1"' })
  t.equal(res.statusCode, 200, res.body)
  t.equal(res.headers.etag, '"2"')
  t.match(res.json(), { key: 'dns-records', status: 'done', note: 'Delegated _dmarc', evidenceUrl: 'https://wiki.acme.example/dns/4711', version: 2, updatedBy: { id: 'customer-1', role: 'customer' }, updatedAt: START })
  const stale = await patchItem(tok, org.id, 'dns-records', { status: 'pending' }, { 'if-match': '"1"' })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().code, 'precondition-failed')
  const cleared = await patchItem(tok, org.id, 'dns-records', { note: null, evidenceUrl: null }, { 'if-match': '"2"' })
  t.match(cleared.json(), { status: 'done', note: null, evidenceUrl: null, version: 3 })
  const list = (await checklist(tok, org.id)).json()
  t.same(list.summary, { done: 1, total: 5, overdue: 0, notApplicable: 0 })
  const na = await patchItem(await h.agentToken(), org.id, 'saml-sso', { status: 'not_applicable' }) // staff only (see below)
  t.equal(na.statusCode, 200)
  t.same((await checklist(tok, org.id)).json().summary, { done: 1, total: 4, overdue: 0, notApplicable: 1 })
  const cached = await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/responsibilities/saml-sso`, headers: { 'if-none-match': '"2"' } })
  t.equal(cached.statusCode, 304)

  for (const method of ['GET', 'PATCH'] as const) {
    const unknown = await h.request(tok, { method, url: `/v1/organizations/${org.id}/responsibilities/pay-invoices`, ...(method === 'PATCH' ? { payload: { status: 'done' } } : {}) })
    t.equal(unknown.statusCode, 404, `${method} unknown key`)
    t.equal(unknown.json().code, 'not-found')
  }
  for (const payload of [{}, { status: 'finished' }, { evidenceUrl: 'ftp://files.example/x' }, { evidenceUrl: 'not a url' }, { note: '' }, { color: 'red' }]) {
    const bad = await patchItem(tok, org.id, 'dns-records', payload)
    t.equal(bad.statusCode, 400, JSON.stringify(payload))
    t.equal(bad.json().code, 'validation-failed')
  }
})

t.test('roles: customers of the organization, agents and admins may update; another organization is 404', async (t) => {
  const org = await h.createOrg('premier')
  const other = await h.createOrg('premier')
  const agent = await patchItem(await h.agentToken(), org.id, 'unalignable-senders', { status: 'in_progress' })
  t.equal(agent.statusCode, 200)
  t.match(agent.json().updatedBy, { id: 'agent-1', role: 'agent' })
  const admin = await patchItem(await h.adminToken(), org.id, 'unalignable-senders', { note: 'Two senders left' })
  t.equal(admin.statusCode, 200)
  t.match(admin.json().updatedBy, { role: 'admin' })
  const foreign = await h.customerToken(other.id, 'customer-other')
  for (const [method, url, payload] of [
    ['GET', `/v1/organizations/${org.id}/responsibilities`],
    ['GET', `/v1/organizations/${org.id}/responsibilities/dns-records`],
    ['PATCH', `/v1/organizations/${org.id}/responsibilities/dns-records`, { status: 'done' }],
    ['GET', `/v1/organizations/${org.id}/technical-representative`],
    ['PUT', `/v1/organizations/${org.id}/technical-representative`, rep],
    ['DELETE', `/v1/organizations/${org.id}/technical-representative`],
    ['GET', `/v1/organizations/${org.id}/events`]
  ] as const) {
    const res = await h.request(foreign, { method, url, ...(payload === undefined ? {} : { payload }) })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.equal(res.json().code, 'not-found')
  }
  const ghost = await h.request(await h.agentToken(), { method: 'GET', url: '/v1/organizations/00000000-0000-4000-8000-000000000000/responsibilities' })
  t.equal(ghost.statusCode, 404)
})

t.test('overdue: the restore is overdue after termEnd (clock moved), unless done or not applicable; no subscription needed', async (t) => {
  const org = await h.createOrg('enhanced')
  const tok = await h.customerToken(org.id)
  const termEnd = new Date(org.subscription.termEnd).getTime()
  h.clock.set(new Date(termEnd))
  t.equal(item((await checklist(tok, org.id)).json(), 'dns-restore-at-term-end').overdue, false, 'not at termEnd itself')
  h.clock.set(new Date(termEnd + 1000))
  const late = (await checklist(tok, org.id)).json()
  t.equal(item(late, 'dns-restore-at-term-end').overdue, true)
  t.equal(late.summary.overdue, 1)
  t.equal(item(late, 'dns-records').overdue, false, 'items without a due date are never overdue')
  const inProgress = await patchItem(tok, org.id, 'dns-restore-at-term-end', { status: 'in_progress' })
  t.equal(inProgress.statusCode, 200, 'the checklist stays writable after the term ended')
  t.equal(inProgress.json().overdue, true)
  const done = await patchItem(tok, org.id, 'dns-restore-at-term-end', { status: 'done', evidenceUrl: 'https://wiki.acme.example/dns/restore' })
  t.match(done.json(), { status: 'done', overdue: false })
  t.equal((await checklist(tok, org.id)).json().summary.overdue, 0)
})

t.test('technical representative: PUT records it and marks the item done, GET returns it, DELETE clears it and resets the item', async (t) => {
  const org = await h.createOrg('premier')
  const tok = await h.customerToken(org.id)
  const url = `/v1/organizations/${org.id}/technical-representative`
  t.equal((await h.request(tok, { method: 'GET', url })).statusCode, 404, 'none yet')
  t.equal((await h.request(tok, { method: 'PUT', url, payload: rep, headers: { 'if-match': '"1"' } })).statusCode, 412, 'If-Match before it exists')

  const put = await h.request(tok, { method: 'PUT', url, payload: rep })
  t.equal(put.statusCode, 201, put.body)
  t.equal(put.headers.etag, '"1"')
  t.same(put.json(), { organizationId: org.id, name: 'Sam Admin', email: 'sam@acme.example', phone: '+1 415 555 0100', userId: null, version: 1, updatedBy: { id: 'customer-1', role: 'customer' }, updatedAt: START })
  t.match(item((await checklist(tok, org.id)).json(), 'technical-representative'), { status: 'done', version: 2, updatedBy: { id: 'customer-1' } })
  const got = await h.request(tok, { method: 'GET', url })
  t.equal(got.statusCode, 200)
  t.same(got.json(), put.json())
  t.equal((await h.request(tok, { method: 'GET', url, headers: { 'if-none-match': '"1"' } })).statusCode, 304)

  const replace = await h.request(await h.agentToken(), { method: 'PUT', url, payload: { name: 'Alex Sec', email: 'alex@acme.example', userId: 'user-alex' }, headers: { 'if-match': '"1"' } })
  t.equal(replace.statusCode, 200, replace.body)
  t.match(replace.json(), { name: 'Alex Sec', phone: null, userId: 'user-alex', version: 2, updatedBy: { role: 'agent' } })
  t.equal((await h.request(tok, { method: 'PUT', url, payload: rep, headers: { 'if-match': '"1"' } })).statusCode, 412, 'stale replacement')

  const managed = await patchItem(tok, org.id, 'technical-representative', { status: 'pending' })
  t.equal(managed.statusCode, 409)
  t.equal(managed.json().code, 'responsibility-status-managed')
  t.equal((await patchItem(tok, org.id, 'technical-representative', { note: 'Alex covers EMEA' })).statusCode, 200, 'notes are free')

  t.equal((await h.request(tok, { method: 'DELETE', url, headers: { 'if-match': '"1"' } })).statusCode, 412)
  const del = await h.request(tok, { method: 'DELETE', url, headers: { 'if-match': '"2"' } })
  t.equal(del.statusCode, 204, del.body)
  t.equal((await h.request(tok, { method: 'GET', url })).statusCode, 404)
  t.equal((await h.request(tok, { method: 'DELETE', url })).statusCode, 404, 'nothing left to clear')
  t.match(item((await checklist(tok, org.id)).json(), 'technical-representative'), { status: 'pending', note: 'Alex covers EMEA' })
  const managedDone = await patchItem(tok, org.id, 'technical-representative', { status: 'done' })
  t.equal(managedDone.json().code, 'responsibility-status-managed', 'cannot be ticked off without a representative')

  const again = await h.request(tok, { method: 'PUT', url, payload: rep })
  t.equal(again.statusCode, 201, 'set again after clearing')
  t.equal(again.json().version, 4, 'the version keeps counting, old ETags never match again')

  for (const payload of [{ name: 'X' }, { name: 'X', email: 'nope' }, { name: '', email: 'x@acme.example' }, { ...rep, phone: 'call me' }, { ...rep, role: 'boss' }]) {
    const bad = await h.request(tok, { method: 'PUT', url, payload })
    t.equal(bad.statusCode, 400, JSON.stringify(payload))
  }
})

t.test('every change to an item or the representative is an event with actor and time', async (t) => {
  const org = await h.createOrg('enhanced')
  const tok = await h.customerToken(org.id)
  await patchItem(tok, org.id, 'saml-sso', { status: 'in_progress' })
  h.clock.set('2026-10-29T09:00:00.000Z')
  await h.request(tok, { method: 'PUT', url: `/v1/organizations/${org.id}/technical-representative`, payload: rep })
  h.clock.set('2026-10-30T09:00:00.000Z')
  await h.request(await h.agentToken('agent-9'), { method: 'DELETE', url: `/v1/organizations/${org.id}/technical-representative` })
  const res = await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/events?order=oldest` })
  t.equal(res.statusCode, 200, res.body)
  const evs = res.json().items as Array<Record<string, any>>
  t.same(evs.map((e) => e.type), [
    'organization.created', 'responsibility.updated',
    'technical_representative.set', 'responsibility.updated',
    'technical_representative.cleared', 'responsibility.updated'
  ])
  t.match(evs[1], { actor: { id: 'customer-1', role: 'customer' }, occurredAt: START, resource: { type: 'responsibility_item', version: 2 }, data: { key: 'saml-sso', before: { status: 'pending' }, after: { status: 'in_progress' } } })
  t.match(evs[2], { occurredAt: '2026-10-29T09:00:00.000Z', resource: { type: 'technical_representative', version: 1 }, data: { before: null, after: { name: 'Sam Admin', email: 'sam@acme.example' } } })
  t.match(evs[3], { data: { key: 'technical-representative', cause: 'technical_representative.set', after: { status: 'done' } } })
  t.match(evs[4], { actor: { id: 'agent-9', role: 'agent' }, occurredAt: '2026-10-30T09:00:00.000Z', data: { before: { name: 'Sam Admin' }, after: null } })
  t.match(evs[5], { data: { key: 'technical-representative', after: { status: 'pending' } } })
})

t.test('not_applicable: customers cannot switch off an obligation; mandatory items cannot be not_applicable at all', async (t) => {
  const org = await h.createOrg('enhanced')
  const cust = await h.customerToken(org.id)
  const agent = await h.agentToken()
  const termEnd = new Date(org.subscription.termEnd).getTime()
  // the repro: after termEnd the restore is overdue; marking it not_applicable would clear that and drop it from total
  h.clock.set(new Date(termEnd + 1000))
  for (const [who, tok] of [['customer', cust], ['agent', agent], ['admin', await h.adminToken()]] as const) {
    for (const key of ['dns-restore-at-term-end', 'dns-records']) {
      const res = await patchItem(tok, org.id, key, { status: 'not_applicable', note: 'not our problem' })
      t.equal(res.statusCode, 422, `${who} ${key}: ${res.body}`)
      t.match(res.json(), { code: 'responsibility-mandatory', key, requestedStatus: 'not_applicable', currentStatus: 'pending' })
    }
  }
  const managed = await patchItem(agent, org.id, 'technical-representative', { status: 'not_applicable' })
  t.equal(managed.json().code, 'responsibility-status-managed', 'the representative item follows its record')
  const list = (await checklist(cust, org.id)).json()
  t.match(item(list, 'dns-restore-at-term-end'), { status: 'pending', overdue: true, version: 1, note: null })
  t.same(list.summary, { done: 0, total: 5, overdue: 1, notApplicable: 0 }, 'nothing changed')

  // saml-sso / unalignable-senders: staff may say they do not apply, customers may not
  h.clock.set(START)
  for (const key of ['saml-sso', 'unalignable-senders']) {
    const byCustomer = await patchItem(cust, org.id, key, { status: 'not_applicable' })
    t.equal(byCustomer.statusCode, 403, `customer ${key}`)
    t.match(byCustomer.json(), { code: 'field-not-allowed', key, field: 'status', requestedStatus: 'not_applicable' })
    t.match(byCustomer.json().detail, /support staff/)
  }
  const waived = await patchItem(agent, org.id, 'saml-sso', { status: 'not_applicable', note: 'No SAML/SSO in use' }, { 'if-match': '"1"' })
  t.equal(waived.statusCode, 200, waived.body)
  t.match(waived.json(), { status: 'not_applicable', version: 2, updatedBy: { role: 'agent' } })
  t.equal((await patchItem(cust, org.id, 'saml-sso', { note: 'Confirmed: no IdP' })).statusCode, 200, 'customers still edit the note of a waived item')
  t.equal((await patchItem(cust, org.id, 'saml-sso', { status: 'not_applicable' })).statusCode, 200, 'keeping not_applicable is no change')
  const back = await patchItem(cust, org.id, 'saml-sso', { status: 'in_progress' })
  t.equal(back.statusCode, 200, 'customers may take an obligation back on')
  t.equal((await patchItem(await h.adminToken(), org.id, 'unalignable-senders', { status: 'not_applicable' })).statusCode, 200, 'admins too')
  t.same((await checklist(cust, org.id)).json().summary, { done: 0, total: 4, overdue: 0, notApplicable: 1 })
})
