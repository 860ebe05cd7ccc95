import t from 'tap'
import { buildTestApp, TestClock } from '../../helpers/app.js'
import { openTicket, TICKET_BODY } from '../tickets-helpers.js'

const clock = new TestClock(new Date('2026-03-09T16:00:00.000Z')) // Monday 09:00 PDT
const h = await buildTestApp(t, { clock })
const agent = await h.agentToken('agent-kb')
const admin = await h.adminToken()
const basicOrg = await h.createOrg('basic')
const premierOrg = await h.createOrg('premier')
const basic = await h.customerToken(basicOrg.id, 'cust-basic')
const premier = await h.customerToken(premierOrg.id, 'cust-premier')

const create = async (payload: Record<string, unknown>, token = agent) => {
  const res = await h.request(token, { method: 'POST', url: '/v1/kb/articles', payload })
  return res
}
const article = async (payload: Record<string, unknown>) => {
  const res = await create({ bodyMarkdown: 'Body text.', ...payload })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json()
}

t.test('create: rendered HTML, slug from the title, draft by default, revision 1, event', async (t) => {
  const res = await create({ title: 'Publish a DKIM Key!', summary: 'How', bodyMarkdown: '# Step one\n\nAdd a **TXT** record.', tags: ['DKIM', 'dns', 'dkim'] })
  t.equal(res.statusCode, 201, res.body)
  const a = res.json()
  t.equal(a.slug, 'publish-a-dkim-key')
  t.equal(a.status, 'draft')
  t.equal(a.publishedAt, null)
  t.same(a.tags, ['dkim', 'dns'])
  t.equal(a.bodyHtml, '<h1>Step one</h1>\n<p>Add a <strong>TXT</strong> record.</p>\n')
  t.equal(res.headers.etag, '"1"')
  t.equal(res.headers.location, `/v1/kb/articles/${a.id}`)
  t.same(a.createdBy, { id: 'agent-kb', role: 'agent' })

  const dup = await create({ title: 'Another', slug: 'publish-a-dkim-key', bodyMarkdown: 'x' })
  t.equal(dup.statusCode, 409)
  t.equal(dup.json().code, 'kb-slug-taken')

  const cust = await create({ title: 'Mine', bodyMarkdown: 'x' }, basic)
  t.equal(cust.statusCode, 403)

  const badSlug = await create({ title: 'x', slug: 'Not A Slug', bodyMarkdown: 'x' })
  t.equal(badSlug.statusCode, 400)
  const badCategory = await create({ title: 'x', bodyMarkdown: 'x', categoryId: '00000000-0000-4000-8000-000000000001' })
  t.equal(badCategory.statusCode, 422)
  t.equal(badCategory.json().code, 'kb-category-unknown')

  const events = await h.request(admin, { method: 'GET', url: '/v1/events?types=kb.article_created&limit=100' })
  t.equal(events.statusCode, 200, events.body)
  const mine = events.json().items.filter((e: any) => e.resource.id === a.id)
  t.equal(mine.length, 1)
})

t.test('visibility: drafts and archived never public; plan audiences; anonymous sees all-plans articles only', async (t) => {
  const draft = await article({ title: 'Vis draft', status: 'draft' })
  const all = await article({ title: 'Vis all plans', status: 'published' })
  const premierOnly = await article({ title: 'Vis premier runbook', status: 'published', audiencePlans: ['premier'] })
  const archived = await article({ title: 'Vis archived', status: 'archived' })

  const get = async (token: string | null, id: string) => (await h.request(token, { method: 'GET', url: `/v1/kb/articles/${id}` })).statusCode
  t.same([await get(null, draft.id), await get(null, all.id), await get(null, premierOnly.id), await get(null, archived.id)], [404, 200, 404, 404], 'anonymous')
  t.same([await get(basic, draft.id), await get(basic, all.id), await get(basic, premierOnly.id), await get(basic, archived.id)], [404, 200, 404, 404], 'basic customer')
  t.same([await get(premier, draft.id), await get(premier, all.id), await get(premier, premierOnly.id), await get(premier, archived.id)], [404, 200, 200, 404], 'premier customer')
  t.same([await get(agent, draft.id), await get(agent, all.id), await get(agent, premierOnly.id), await get(agent, archived.id)], [200, 200, 200, 200], 'agent')

  const listIds = async (token: string | null, query = '') => {
    const res = await h.request(token, { method: 'GET', url: `/v1/kb/articles?limit=100${query}` })
    t.equal(res.statusCode, 200, res.body)
    return res.json().items.map((a: any) => a.id) as string[]
  }
  const anon = await listIds(null)
  t.ok(anon.includes(all.id))
  t.notOk(anon.includes(draft.id) || anon.includes(premierOnly.id) || anon.includes(archived.id))
  t.notOk((await listIds(basic)).includes(premierOnly.id))
  t.ok((await listIds(premier)).includes(premierOnly.id))
  t.same(await listIds(premier, '&status=draft'), [], 'asking for drafts gives nothing to customers')
  t.ok((await listIds(agent, '&status=draft')).includes(draft.id))
  t.same(await listIds(null, `&slug=${all.slug}`), [all.id], 'found by slug')

  // the staff view carries counts, the public one does not
  t.ok((await h.request(agent, { method: 'GET', url: `/v1/kb/articles/${all.id}` })).json().stats)
  t.notOk((await h.request(null, { method: 'GET', url: `/v1/kb/articles/${all.id}` })).json().stats)

  // an invalid token is still 401, even where no token is needed
  const bad = await h.request('not.a.token', { method: 'GET', url: '/v1/kb/articles' })
  t.equal(bad.statusCode, 401)
  // a customer whose subscription lapsed reads like an anonymous visitor
  const lapsedOrg = await h.createOrg('premier', { subscription: { status: 'canceled', termStart: '2025-01-01T00:00:00.000Z', termEnd: '2026-01-01T00:00:00.000Z' } })
  t.equal(await get(await h.customerToken(lapsedOrg.id), premierOnly.id), 404)
  // writes still need a token
  t.equal((await h.request(null, { method: 'POST', url: '/v1/kb/articles', payload: { title: 'x', bodyMarkdown: 'x' } })).statusCode, 401)
})

t.test('KB events have no organization and are internal: org-scoped feed readers never see drafts', async (t) => {
  const secret = await article({ title: 'Secret draft about outage', bodyMarkdown: 'TOP-SECRET-DRAFT-CONTENT' })
  const custFeed = await h.request(premier, { method: 'GET', url: '/v1/events?limit=100' })
  t.equal(custFeed.statusCode, 200, custFeed.body)
  t.notOk(custFeed.body.includes('TOP-SECRET-DRAFT-CONTENT'))
  t.notOk(custFeed.json().items.some((e: any) => String(e.type).startsWith('kb.')))
  const orgHistory = await h.request(premier, { method: 'GET', url: `/v1/organizations/${premierOrg.id}/events?limit=100` })
  t.equal(orgHistory.statusCode, 200)
  t.notOk(orgHistory.body.includes('TOP-SECRET-DRAFT-CONTENT'))
  const staffFeed = await h.request(admin, { method: 'GET', url: '/v1/events?types=kb.article_created&limit=100' })
  t.ok(staffFeed.json().items.some((e: any) => e.resource.id === secret.id))
})

t.test('PATCH: If-Match, publishedAt set once, revisions with changed fields, restore', async (t) => {
  const a = await article({ title: 'Rotate DKIM keys', bodyMarkdown: 'Version one.' })
  const url = `/v1/kb/articles/${a.id}`
  const stale = await h.request(agent, { method: 'PATCH', url, headers: { 'if-match': '"7"' }, payload: { status: 'published' } })
  t.equal(stale.statusCode, 412)

  clock.advance(60_000)
  const published = await h.request(agent, { method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { status: 'published' } })
  t.equal(published.statusCode, 200, published.body)
  t.equal(published.json().version, 2)
  t.equal(published.json().publishedAt, clock.now().toISOString())
  const firstPublished = published.json().publishedAt

  clock.advance(60_000)
  const edited = await h.request(admin, { method: 'PATCH', url, payload: { bodyMarkdown: 'Version two.', title: 'Rotate DKIM keys safely' } })
  t.equal(edited.statusCode, 200)
  t.equal(edited.json().publishedAt, firstPublished, 'publishedAt kept')
  t.equal(edited.json().bodyHtml, '<p>Version two.</p>\n')

  const unchanged = await h.request(admin, { method: 'PATCH', url, payload: { title: 'Rotate DKIM keys safely' } })
  t.equal(unchanged.json().version, 3, 'a no-op is no new version')

  const revs = await h.request(agent, { method: 'GET', url: `${url}/revisions` })
  t.equal(revs.statusCode, 200, revs.body)
  const items = revs.json().items
  t.same(items.map((r: any) => r.version), [3, 2, 1])
  t.same(items[0].changedFields, ['title', 'bodyMarkdown'])
  t.same(items[0].actor, { id: 'admin-1', role: 'admin' })
  t.same(items[1].changedFields, ['status'])
  t.equal(items[2].content.bodyMarkdown, 'Version one.')
  t.equal((await h.request(premier, { method: 'GET', url: `${url}/revisions` })).statusCode, 403, 'revisions are for staff')

  // paging
  const p1 = await h.request(agent, { method: 'GET', url: `${url}/revisions?limit=2` })
  t.equal(p1.json().items.length, 2)
  const p2 = await h.request(agent, { method: 'GET', url: `${url}/revisions?limit=2&cursor=${p1.json().nextCursor}` })
  t.same(p2.json().items.map((r: any) => r.version), [1])

  const restore = await h.request(agent, { method: 'POST', url: `${url}/revisions/${items[2].id}/restore`, headers: { 'if-match': '"3"' } })
  t.equal(restore.statusCode, 200, restore.body)
  t.equal(restore.json().version, 4)
  t.equal(restore.json().title, 'Rotate DKIM keys')
  t.equal(restore.json().bodyMarkdown, 'Version one.')
  t.equal(restore.json().status, 'published', 'status is not rolled back')
  const after = (await h.request(agent, { method: 'GET', url: `${url}/revisions?limit=1` })).json().items[0]
  t.equal(after.restoredFromRevisionId, items[2].id)
  t.same(after.changedFields, ['title', 'bodyMarkdown'])

  const unknownRev = await h.request(agent, { method: 'POST', url: `${url}/revisions/00000000-0000-4000-8000-000000000009/restore` })
  t.equal(unknownRev.statusCode, 404)

  // 304 and delete
  const cached = await h.request(null, { method: 'GET', url, headers: { 'if-none-match': '"4"' } })
  t.equal(cached.statusCode, 304)
  const del = await h.request(agent, { method: 'DELETE', url, headers: { 'if-match': '"4"' } })
  t.equal(del.statusCode, 204)
  t.equal((await h.request(agent, { method: 'GET', url })).statusCode, 404)
})

t.test('categories: create, order, rename, slug conflicts', async (t) => {
  const c1 = await h.request(agent, { method: 'POST', url: '/v1/kb/categories', payload: { name: 'Email authentication', position: 20 } })
  t.equal(c1.statusCode, 201, c1.body)
  t.equal(c1.json().slug, 'email-authentication')
  const c2 = await h.request(agent, { method: 'POST', url: '/v1/kb/categories', payload: { name: 'DNS', position: 10, description: 'Zones and delegation' } })
  t.equal(c2.statusCode, 201)
  t.equal((await h.request(agent, { method: 'POST', url: '/v1/kb/categories', payload: { name: 'DNS' } })).statusCode, 409)
  t.equal((await h.request(basic, { method: 'POST', url: '/v1/kb/categories', payload: { name: 'Mine' } })).statusCode, 403)
  let list = await h.request(null, { method: 'GET', url: '/v1/kb/categories' })
  t.equal(list.statusCode, 200)
  t.same(list.json().items.map((c: any) => c.name), ['DNS', 'Email authentication'])
  const moved = await h.request(agent, { method: 'PATCH', url: `/v1/kb/categories/${c1.json().id}`, headers: { 'if-match': '"1"' }, payload: { position: 5 } })
  t.equal(moved.statusCode, 200, moved.body)
  t.equal(moved.json().version, 2)
  list = await h.request(null, { method: 'GET', url: '/v1/kb/categories' })
  t.same(list.json().items.map((c: any) => c.name), ['Email authentication', 'DNS'])
  const clash = await h.request(agent, { method: 'PATCH', url: `/v1/kb/categories/${c1.json().id}`, payload: { slug: 'dns' } })
  t.equal(clash.statusCode, 409)
  const inCat = await article({ title: 'Delegate a subdomain', categoryId: c2.json().id, status: 'published' })
  const filtered = await h.request(null, { method: 'GET', url: `/v1/kb/articles?categoryId=${c2.json().id}` })
  t.same(filtered.json().items.map((a: any) => a.id), [inCat.id])
})

t.test('feedback: one vote per caller, changeable, counts for staff', async (t) => {
  const a = await article({ title: 'Feedback target', status: 'published' })
  const premierOnly = await article({ title: 'Feedback premier only', status: 'published', audiencePlans: ['premier'] })
  const vote = async (token: string, helpful: boolean, id = a.id) => await h.request(token, { method: 'POST', url: `/v1/kb/articles/${id}/feedback`, payload: { helpful, comment: helpful ? null : 'Step 2 is unclear' } })
  const first = await vote(basic, true)
  t.equal(first.statusCode, 200, first.body)
  t.same(first.json(), { articleId: a.id, helpful: true, replaced: false })
  clock.advance(1000)
  t.equal((await vote(basic, false)).json().replaced, true)
  await vote(premier, true)
  await vote(await h.customerToken(premierOrg.id, 'cust-premier-2'), true)
  t.equal((await h.request(null, { method: 'POST', url: `/v1/kb/articles/${a.id}/feedback`, payload: { helpful: true } })).statusCode, 401, 'votes need a token')
  t.equal((await vote(basic, true, premierOnly.id)).statusCode, 404, 'no vote on what you cannot see')
  const staffView = await h.request(agent, { method: 'GET', url: `/v1/kb/articles/${a.id}` })
  t.same(staffView.json().stats, { helpful: 2, notHelpful: 1, suggested: 0, linked: 0 })
})

t.test('links: suggestedArticleIds on ticket create, articleIds on comments, most-linked report', async (t) => {
  const a = await article({ title: 'Link target SPF', status: 'published' })
  const b = await article({ title: 'Link target DMARC', status: 'published' })
  const draft = await article({ title: 'Link target draft' })
  const ticket = await openTicket(h, basic, { suggestedArticleIds: [a.id, b.id] })
  t.equal((await h.request(basic, { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, suggestedArticleIds: [draft.id] } })).json().code, 'kb-article-unknown', 'a draft cannot be suggested to a customer')

  const c1 = await h.request(agent, { method: 'POST', url: `/v1/tickets/${ticket.id}/comments`, payload: { body: 'See the SPF article', articleIds: [a.id] } })
  t.equal(c1.statusCode, 201, c1.body)
  const ticket2 = await openTicket(h, basic)
  await h.request(agent, { method: 'POST', url: `/v1/tickets/${ticket2.id}/comments`, payload: { body: 'Same', articleIds: [a.id, b.id], visibility: 'internal' } })
  await h.request(agent, { method: 'POST', url: `/v1/tickets/${ticket2.id}/comments`, payload: { body: 'Again', articleIds: [a.id] } })
  const custLink = await h.request(basic, { method: 'POST', url: `/v1/tickets/${ticket.id}/comments`, payload: { body: 'me too', articleIds: [a.id] } })
  t.equal(custLink.statusCode, 403, 'customers do not link articles')
  const unknownLink = await h.request(agent, { method: 'POST', url: `/v1/tickets/${ticket.id}/comments`, payload: { body: 'x', articleIds: ['00000000-0000-4000-8000-000000000042'] } })
  t.equal(unknownLink.statusCode, 422)

  const links = await h.request(agent, { method: 'GET', url: `/v1/tickets/${ticket.id}/kb-links` })
  t.equal(links.statusCode, 200, links.body)
  const key = (x: unknown[]) => JSON.stringify(x)
  t.same(links.json().items.map((l: any) => key([l.kind, l.articleId, l.commentId])).sort(), [['suggested', a.id, null], ['suggested', b.id, null], ['comment', a.id, c1.json().id]].map(key).sort())
  t.equal((await h.request(basic, { method: 'GET', url: `/v1/tickets/${ticket.id}/kb-links` })).statusCode, 403)

  const report = await h.request(agent, { method: 'GET', url: '/v1/kb/reports/most-linked' })
  t.equal(report.statusCode, 200, report.body)
  t.same(report.json().items.map((r: any) => [r.article.id, r.linkCount, r.ticketCount]), [[a.id, 3, 2], [b.id, 1, 1]])
  const stats = (await h.request(agent, { method: 'GET', url: `/v1/kb/articles/${a.id}` })).json().stats
  t.same(stats, { helpful: 0, notHelpful: 0, suggested: 1, linked: 3 })

  const feed = await h.request(basic, { method: 'GET', url: '/v1/events?types=ticket.kb_articles_linked&limit=100' })
  t.equal(feed.statusCode, 200, feed.body)
  t.same(feed.json().items.map((e: any) => e.data.kind), ['suggested', 'comment', 'comment'], 'the customer sees public link events only')
})
