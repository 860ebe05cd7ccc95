import t from 'tap'
import { openTicket, TICKET_BODY } from '../http/tickets-helpers.js'
import { buildTestApp } from '../helpers/app.js'
import { launchChromium, listenLater } from '../helpers/browser.js'

/**
 * Issue 14, browser access: a page served from a second localhost origin calls the API with fetch in headless
 * Chromium — conditional GET, idempotent POST, PATCH with If-Match — and reads ETag; another origin is blocked.
 */
const PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>console</title></head><body>console</body></html>'

t.test('an allowed origin calls the API from a browser; another origin is blocked', async (t) => {
  const api = await listenLater(t)
  const allowedSite = await listenLater(t)
  const otherSite = await listenLater(t)
  for (const site of [allowedSite, otherSite]) {
    site.handle((_req, res) => { res.setHeader('content-type', 'text/html; charset=utf-8'); res.end(PAGE) })
  }
  const h = await buildTestApp(t, { env: { CORS_ORIGINS: `https://console.example.com, ${allowedSite.origin}` } })
  api.handle((req, res) => { h.app.routing(req, res) })
  const org = await h.createOrg('enhanced')
  const customer = await h.customerToken(org.id)
  const ticket = await openTicket(h, customer)

  // the preflight, as the browser sends it: cached, exact origin echoed, no credentials
  const preflight = await h.app.inject({ method: 'OPTIONS', url: `/v1/tickets/${ticket.id}`, headers: { origin: allowedSite.origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization,content-type,if-match' } })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], allowedSite.origin)
  t.equal(preflight.headers['access-control-max-age'], '600')
  t.equal(preflight.headers['access-control-allow-credentials'], undefined)
  t.match(preflight.headers['access-control-allow-headers'], /If-Match/)
  const foreign = await h.app.inject({ method: 'OPTIONS', url: '/v1/tickets', headers: { origin: otherSite.origin, 'access-control-request-method': 'POST' } })
  t.equal(foreign.headers['access-control-allow-origin'], undefined, 'an unlisted origin gets no CORS headers')

  const browser = await launchChromium(t)
  const page = await browser.newPage()
  await page.goto(`${allowedSite.origin}/`)
  const result = await page.evaluate(async ({ api, token, ticketId, body }) => {
    const auth = { authorization: `Bearer ${token}` }
    const first = await fetch(`${api}/v1/tickets/${ticketId}`, { headers: auth })
    const etag = first.headers.get('etag')
    const conditional = await fetch(`${api}/v1/tickets/${ticketId}`, { headers: { ...auth, 'if-none-match': etag ?? '' } })
    const key = `k-${Math.random()}`
    const post = await fetch(`${api}/v1/tickets`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) })
    const replay = await fetch(`${api}/v1/tickets`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) })
    const patch = await fetch(`${api}/v1/tickets/${ticketId}`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json', 'if-match': etag ?? '' }, body: JSON.stringify({ subject: 'Renamed from the console' }) })
    return {
      first: first.status,
      etag,
      requestId: first.headers.get('x-request-id'),
      rateLimitPolicy: first.headers.get('ratelimit-policy'),
      conditional: conditional.status,
      post: post.status,
      location: post.headers.get('location'),
      replay: replay.status,
      replayed: replay.headers.get('idempotent-replayed'),
      patch: patch.status,
      patchEtag: patch.headers.get('etag')
    }
  }, { api: api.origin, token: customer, ticketId: ticket.id, body: TICKET_BODY })
  t.equal(result.first, 200)
  t.equal(result.etag, `"${ticket.version as number}"`, 'ETag readable')
  t.type(result.requestId, 'string', 'X-Request-Id readable')
  t.type(result.rateLimitPolicy, 'string', 'RateLimit-Policy readable')
  t.equal(result.conditional, 304, 'If-None-Match → 304')
  t.equal(result.post, 201, 'POST with Idempotency-Key')
  t.match(result.location, /^\/v1\/tickets\//, 'Location readable')
  t.equal(result.replay, 201)
  t.equal(result.replayed, 'true', 'Idempotent-Replayed readable')
  t.equal(result.patch, 200, 'PATCH with If-Match')
  t.equal(result.patchEtag, `"${(ticket.version as number) + 1}"`)

  const blockedPage = await browser.newPage()
  await blockedPage.goto(`${otherSite.origin}/`)
  const blocked = await blockedPage.evaluate(async ({ api, token, ticketId }) => {
    try {
      await fetch(`${api}/v1/tickets/${ticketId}`, { headers: { authorization: `Bearer ${token}` } })
      return 'not blocked'
    } catch (err) {
      return `blocked: ${(err as Error).name}`
    }
  }, { api: api.origin, token: customer, ticketId: ticket.id })
  t.equal(blocked, 'blocked: TypeError', 'the browser blocks an origin not in CORS_ORIGINS')
})

t.test('without CORS_ORIGINS no origin gets CORS headers', async (t) => {
  const h = await buildTestApp(t)
  const res = await h.app.inject({ method: 'GET', url: '/v1/support-plans', headers: { origin: 'https://console.example.com' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['access-control-allow-origin'], undefined)
  const pre = await h.app.inject({ method: 'OPTIONS', url: '/v1/support-plans', headers: { origin: 'https://console.example.com', 'access-control-request-method': 'GET' } })
  t.equal(pre.headers['access-control-allow-origin'], undefined)
})
