/**
 * The knowledge base through the generated client (openapi-typescript types from openapi/openapi.json, openapi-fetch
 * calls against a real listening server): an agent writes and publishes, an anonymous portal visitor searches and is
 * offered suggestions, a customer opens a ticket naming what was suggested, votes, and the agent reads the counts,
 * the revisions and the ticket's links.
 */
import type { AddressInfo } from 'node:net'
import t from 'tap'
import createClient from 'openapi-fetch'
import type { paths, components } from '../generated/api.js'
import { ensureGeneratedClient } from '../helpers/sdk.js'
import { buildTestApp } from '../helpers/app.js'

ensureGeneratedClient()

const h = await buildTestApp(t)
await h.app.listen({ port: 0, host: '127.0.0.1' })
const baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`

const clientFor = (token: string | null) => createClient<paths>({ baseUrl, headers: token === null ? {} : { authorization: `Bearer ${token}` } })
const agent = clientFor(await h.agentToken('sdk-kb-agent'))
const anonymous = clientFor(null)

type KbArticle = components['schemas']['KbArticle']
type KbSearchHit = components['schemas']['KbSearchHit']
type Problem = components['schemas']['Problem']

t.test('knowledge base over HTTP with the generated client', async (t) => {
  const category = await agent.POST('/v1/kb/categories', { body: { name: 'Email authentication', position: 1 } })
  t.equal(category.response.status, 201, JSON.stringify(category.error))

  const created = await agent.POST('/v1/kb/articles', {
    body: {
      title: 'Set up DKIM signing',
      summary: 'Publish the DKIM key at selector._domainkey.',
      bodyMarkdown: '# DKIM\n\nPublish the **public key** as a TXT record. <img src=x onerror=alert(1)>',
      tags: ['dkim'],
      categoryId: category.data?.id ?? null
    }
  })
  t.equal(created.response.status, 201, JSON.stringify(created.error))
  const article: KbArticle | undefined = created.data
  t.equal(article?.status, 'draft')
  t.notMatch(article?.bodyHtml ?? '', /onerror/, 'sanitised')

  // drafts are invisible to the portal
  const hidden = await anonymous.GET('/v1/kb/articles/{articleId}', { params: { path: { articleId: article?.id ?? '' } } })
  t.equal(hidden.response.status, 404)
  const problem: Problem | undefined = hidden.error
  t.equal(problem?.code, 'not-found')

  const published = await agent.PATCH('/v1/kb/articles/{articleId}', {
    params: { path: { articleId: article?.id ?? '' }, header: { 'if-match': created.response.headers.get('etag') ?? '' } },
    body: { status: 'published' }
  })
  t.equal(published.response.status, 200, JSON.stringify(published.error))
  t.equal(published.data?.version, 2)

  const found = await anonymous.GET('/v1/kb/search', { params: { query: { q: 'dkim public key' } } })
  t.equal(found.response.status, 200)
  const hit: KbSearchHit | undefined = found.data?.items[0]
  t.equal(hit?.id, article?.id)
  t.match(hit?.snippetHtml ?? '', '<mark>')

  const suggested = await anonymous.POST('/v1/kb/suggestions', { body: { subject: 'DKIM verification fails' } })
  t.equal(suggested.response.status, 200)
  t.same(suggested.data?.items.map((i) => i.id), [article?.id])

  const org = await h.createOrg('enhanced')
  const customer = clientFor(await h.customerToken(org.id, 'sdk-kb-customer'))
  const ticket = await customer.POST('/v1/tickets', {
    body: { subject: 'DKIM verification fails', description: 'Read the article, still failing.', severity: 'medium', channel: 'portal', requester: { name: 'Dana Reyes', email: 'dana@acme.example' }, suggestedArticleIds: [article?.id ?? ''] }
  })
  t.equal(ticket.response.status, 201, JSON.stringify(ticket.error))
  const vote = await customer.POST('/v1/kb/articles/{articleId}/feedback', { params: { path: { articleId: article?.id ?? '' } }, body: { helpful: false, comment: 'Which selector?' } })
  t.same(vote.data, { articleId: article?.id, helpful: false, replaced: false })

  const linked = await agent.POST('/v1/tickets/{ticketId}/comments', { params: { path: { ticketId: ticket.data?.id ?? '' } }, body: { body: 'Step 2 of the article names the selector.', articleIds: [article?.id ?? ''] } })
  t.equal(linked.response.status, 201, JSON.stringify(linked.error))

  const links = await agent.GET('/v1/tickets/{ticketId}/kb-links', { params: { path: { ticketId: ticket.data?.id ?? '' } } })
  t.same(links.data?.items.map((l) => l.kind).sort(), ['comment', 'suggested'])

  const staffView = await agent.GET('/v1/kb/articles/{articleId}', { params: { path: { articleId: article?.id ?? '' } } })
  t.same(staffView.data?.stats, { helpful: 0, notHelpful: 1, suggested: 1, linked: 1 })

  const revisions = await agent.GET('/v1/kb/articles/{articleId}/revisions', { params: { path: { articleId: article?.id ?? '' }, query: { limit: 10 } } })
  t.same(revisions.data?.items.map((r) => r.changedFields[0]), ['status', 'slug'])
  const firstRevision = revisions.data?.items.at(-1)?.id ?? ''
  const restored = await agent.POST('/v1/kb/articles/{articleId}/revisions/{revisionId}/restore', { params: { path: { articleId: article?.id ?? '', revisionId: firstRevision } } })
  t.equal(restored.response.status, 200)
  t.equal(restored.data?.version, 2, 'restoring identical content is no new version')

  const mostLinked = await agent.GET('/v1/kb/reports/most-linked', { params: { query: { limit: 5 } } })
  t.equal(mostLinked.data?.items[0]?.article.id, article?.id)

  const categories = await anonymous.GET('/v1/kb/categories')
  t.same(categories.data?.items.map((c) => c.slug), ['email-authentication'])
})
