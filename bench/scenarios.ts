/**
 * The load scenarios: each builds autocannon requests from a fixture the orchestrator prepared (tokens, ids, cursors,
 * current versions). Every request carries a real bearer token and passes the service's real validation.
 */
import { randomUUID } from 'node:crypto'
import type { Request } from 'autocannon'

/** items per request of the batch upsert scenario */
export const BATCH_SIZE = 100

export interface TicketVersion { id: string; version: number }

export interface Fixture {
  /** tokens of agents (distinct subjects, as 50 different people would send) */
  agentTokens: string[]
  /** one customer token per organization whose subscription is current */
  customerTokens: Array<{ organizationId: string; token: string }>
  /** random ticket ids (GET by id) */
  ticketIds: string[]
  /** random ids of tickets that are not closed (comments) */
  openTicketIds: string[]
  /** opaque cursors of random deep positions in the default ticket list (limit 50) */
  deepCursors: string[]
  /** opaque cursors of random positions in the change feed */
  eventCursors: string[]
  /** organizations that may open tickets (current subscription) and a channel their plan includes */
  creatableOrganizations: Array<{ organizationId: string; channel: string }>
}

/** per-run state for the writing scenarios: tickets with their current version, each in flight on one connection at most */
export interface RunState { versions?: TicketVersion[] }

export const SCENARIOS = {
  'get-by-id': 'GET /v1/tickets/{id} (random ids, agent)',
  'list-first-page': 'GET /v1/tickets?limit=50 (first page, agent)',
  'list-deep-cursor': 'GET /v1/tickets?limit=50&cursor= (random deep cursors)',
  'list-customer': 'GET /v1/tickets?limit=50 (customer token: tenant filter)',
  'events-paging': 'GET /v1/events?limit=100&after= (random cursors)',
  'create-ticket': 'POST /v1/tickets (fresh body + Idempotency-Key)',
  'patch-ticket': 'PATCH /v1/tickets/{id} with If-Match',
  'add-comment': 'POST /v1/tickets/{id}/comments (fresh body + Idempotency-Key)',
  'upsert-single': 'PUT /v1/organizations/{id}/external-tickets/bench/{new id} (one ticket per request)',
  'upsert-batch': `POST /v1/organizations/{id}/external-tickets/batch (${BATCH_SIZE} new tickets per request + Idempotency-Key)`
} as const

/** tickets per request of the scenarios (for tickets/s) */
export const TICKETS_PER_REQUEST: Partial<Record<string, number>> = { 'upsert-batch': BATCH_SIZE, 'upsert-single': 1, 'create-ticket': 1 }

export type ScenarioName = keyof typeof SCENARIOS

const pick = <T>(xs: readonly T[]): T => {
  const x = xs[Math.floor(Math.random() * xs.length)]
  if (x === undefined) throw new Error('empty fixture list')
  return x
}

const SEVERITIES = ['urgent', 'high', 'medium', 'medium', 'low', 'low'] as const
let counter = 0

const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
const json = (token: string): Record<string, string> => ({ ...auth(token), 'content-type': 'application/json' })

/**
 * A pool of tickets with known current versions. A request takes one out; its response puts it back with the
 * version of the returned ETag, so no two connections ever write the same ticket with the same If-Match.
 */
class VersionPool {
  private readonly free: TicketVersion[]
  private readonly inFlight = new Map<string, TicketVersion>()
  lost = 0
  constructor (versions: TicketVersion[]) { this.free = [...versions] }
  take (): TicketVersion | undefined {
    const t = this.free.shift()
    if (t !== undefined) this.inFlight.set(t.id, t)
    return t
  }

  giveBack (id: string, etag: string | string[] | undefined, ok: boolean): void {
    const t = this.inFlight.get(id)
    if (t === undefined) return
    this.inFlight.delete(id)
    const m = typeof etag === 'string' ? /^"(\d+)"$/.exec(etag) : null
    if (ok && m !== null) this.free.push({ id, version: Number(m[1]) })
    else this.lost++
  }
}

const upsertItem = (n: number, channel: string): Record<string, unknown> => ({
  subject: `Synced ticket ${n}: exports stall after upgrade`,
  description: `Mirrored from the bench helpdesk (${n}). Scheduled exports stop at 80% and the job log shows a timeout.`,
  severity: pick(SEVERITIES),
  channel,
  requester: { name: `Bench Requester ${n % 1000}`, email: `requester${n % 1000}@example.com` }
})

export function buildRequests (name: ScenarioName, f: Fixture, state: RunState = {}): { requests: Request[]; pool?: VersionPool } {
  switch (name) {
    case 'get-by-id':
      return { requests: [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/v1/tickets/${pick(f.ticketIds)}`, headers: auth(pick(f.agentTokens)) }) }] }
    case 'list-first-page':
      return { requests: [{ method: 'GET', setupRequest: (r) => ({ ...r, path: '/v1/tickets?limit=50', headers: auth(pick(f.agentTokens)) }) }] }
    case 'list-deep-cursor':
      return { requests: [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/v1/tickets?limit=50&cursor=${pick(f.deepCursors)}`, headers: auth(pick(f.agentTokens)) }) }] }
    case 'list-customer':
      return { requests: [{ method: 'GET', setupRequest: (r) => ({ ...r, path: '/v1/tickets?limit=50', headers: auth(pick(f.customerTokens).token) }) }] }
    case 'events-paging':
      return { requests: [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/v1/events?limit=100&after=${pick(f.eventCursors)}`, headers: auth(pick(f.agentTokens)) }) }] }
    case 'create-ticket':
      return {
        requests: [{
          method: 'POST',
          setupRequest: (r) => {
            const org = pick(f.creatableOrganizations)
            const n = ++counter
            return {
              ...r,
              path: '/v1/tickets',
              headers: { ...json(pick(f.agentTokens)), 'idempotency-key': randomUUID() },
              body: JSON.stringify({
                organizationId: org.organizationId,
                subject: `Bench ticket ${n}: exports stall after upgrade`,
                description: `Load test ticket ${n}. Since this morning, scheduled exports stop at 80% and the job log shows a timeout.`,
                severity: pick(SEVERITIES),
                channel: org.channel,
                requester: { name: `Bench Requester ${n % 1000}`, email: `requester${n % 1000}@example.com` }
              })
            }
          }
        }]
      }
    case 'upsert-single':
      return {
        requests: [{
          method: 'PUT',
          setupRequest: (r) => {
            const org = pick(f.creatableOrganizations)
            const n = ++counter
            return { ...r, path: `/v1/organizations/${org.organizationId}/external-tickets/bench/${randomUUID()}`, headers: json(pick(f.agentTokens)), body: JSON.stringify(upsertItem(n, org.channel)) }
          }
        }]
      }
    case 'upsert-batch':
      return {
        requests: [{
          method: 'POST',
          setupRequest: (r) => {
            const org = pick(f.creatableOrganizations)
            const items = Array.from({ length: BATCH_SIZE }, () => ({ system: 'bench', externalId: randomUUID(), ...upsertItem(++counter, org.channel) }))
            return { ...r, path: `/v1/organizations/${org.organizationId}/external-tickets/batch`, headers: { ...json(pick(f.agentTokens)), 'idempotency-key': randomUUID() }, body: JSON.stringify({ items }) }
          }
        }]
      }
    case 'add-comment':
      // If-Match is optional on comments (and the comment response carries no ticket ETag): sent without, as most clients do
      return {
        requests: [{
          method: 'POST',
          setupRequest: (r) => {
            const n = ++counter
            return {
              ...r,
              path: `/v1/tickets/${pick(f.openTicketIds)}/comments`,
              headers: { ...json(pick(f.agentTokens)), 'idempotency-key': randomUUID() },
              body: n % 10 < 7
                ? JSON.stringify({ body: `Thanks for the details (${n}). We found the cause in the storage client and are rolling out a fix today.`, visibility: 'public' })
                : JSON.stringify({ body: `Internal note ${n}: reproduced on staging; the timeout comes from the storage client.`, visibility: 'internal' })
            }
          }
        }]
      }
    case 'patch-ticket': {
      const pool = new VersionPool(state.versions ?? [])
      return {
        pool,
        requests: [{
          method: 'PATCH',
          setupRequest: (r, context) => {
            const t = pool.take()
            if (t === undefined) throw new Error(`${name}: the version pool ran dry (${pool.lost} tickets lost to non-2xx answers)`)
            const n = ++counter
            // each connection has its own context, shared by a request's setupRequest and onResponse
            context.ticketId = t.id
            return {
              ...r,
              path: `/v1/tickets/${t.id}`,
              headers: { ...json(pick(f.agentTokens)), 'if-match': `"${t.version}"` },
              body: n % 2 === 0 ? JSON.stringify({ category: `bench-category-${n % 20}` }) : JSON.stringify({ assigneeId: `bench-agent-${n % 50}` })
            }
          },
          onResponse: (status, _body, context, headers) => {
            pool.giveBack(String(context.ticketId), headers.etag, status >= 200 && status < 300)
          }
        }]
      }
    }
  }
}

export { VersionPool }
