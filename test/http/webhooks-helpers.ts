import type { Test } from 'tap'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { WebhookReceiver } from '../helpers/webhook-receiver.js'

export { WebhookReceiver }

/**
 * One app per test file (building one costs seconds on PGlite) with the real job engine in manual mode (deliveries
 * run as jobs when `runDueNow()` is called, on the TestClock), `n` loopback receivers it may deliver to
 * (allow-listed), a resolver table tests can change, and an admin token. Tests stay apart by registering
 * organization endpoints for an organization of their own.
 */
export async function sharedDesk (t: Test, n: number) {
  const receivers: WebhookReceiver[] = []
  for (let i = 0; i < n; i++) receivers.push(await new WebhookReceiver().start(t))
  const dns: Record<string, string> = {}
  const h = await buildTestApp(t, {
    jobs: true,
    env: { WEBHOOK_ALLOWED_HOSTS: receivers.map((r) => `127.0.0.1:${r.port}`).join(',') },
    webhooks: { timeoutMs: 2000, random: () => 0.5, resolve: async (host) => [{ address: dns[host] ?? '0.0.0.0', family: 4 }] }
  })
  return { receivers, dns, h, admin: await h.adminToken() }
}

/** an organization of the test's own and an endpoint for it (organization.updated only), the receiver knowing its secret */
export async function orgEndpoint (h: TestApp, admin: string, receiver: WebhookReceiver, body: Record<string, unknown> = {}): Promise<{ org: Record<string, any>; e: Record<string, any> }> {
  const org = await h.createOrg('basic')
  const e = await register(h, admin, receiver, { organizationId: org.id, eventTypes: ['organization.updated'], ...body })
  return { org, e }
}

let touches = 0
/** one organization.updated event */
export async function touch (h: TestApp, admin: string, orgId: string): Promise<void> {
  const res = await h.request(admin, { method: 'PATCH', url: `/v1/organizations/${orgId}`, payload: { name: `Renamed ${++touches}` } })
  if (res.statusCode !== 200) throw new Error(`touch: ${res.statusCode} ${res.body}`)
}

export async function register (h: TestApp, admin: string, receiver: WebhookReceiver, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: receiver.url, ...body } })
  if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${res.body}`)
  const e = res.json()
  receiver.secrets = [e.secret]
  return e
}

export async function deliveries (h: TestApp, admin: string, endpointId: string, query = ''): Promise<Array<Record<string, any>>> {
  const res = await h.request(admin, { method: 'GET', url: `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100${query}` })
  if (res.statusCode !== 200) throw new Error(`deliveries: ${res.statusCode} ${res.body}`)
  return res.json().items
}

export const feed = async (h: TestApp, admin: string): Promise<Array<Record<string, any>>> =>
  (await h.request(admin, { method: 'GET', url: '/v1/events?limit=500' })).json().items
