import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { errorCatalogue, PROBLEM_BASE } from '../../domain/errors.js'
import { addSharedResponseHeaders, RESPONSE_HEADER_COMPONENTS } from './contract-headers.js'

export const API_TAGS = [
  { name: 'health', description: 'Liveness and readiness probes' },
  { name: 'policy', description: 'The support terms as data: plans, channels, targets, severity levels (public)' },
  { name: 'organizations', description: 'Customer organizations, their support plan and subscription' },
  { name: 'calendars', description: 'Business-hours calendars and holidays used by the SLA engine' },
  { name: 'sla', description: 'First-response deadlines: previews and explanations' },
  { name: 'tickets', description: 'Support tickets, their conversation, severity changes and closing' },
  { name: 'reopen-requests', description: 'Requests to reopen tickets closed for lack of response' },
  { name: 'onboarding', description: 'Onboarding-call entitlements and bookings' },
  { name: 'responsibilities', description: 'The customer-responsibilities checklist and technical representative' },
  { name: 'events', description: 'Change feed and audit trail' },
  { name: 'email', description: 'The email channel: inbound mail from a provider\'s route, the quarantine (docs/email.md)' },
  { name: 'reports', description: 'SLA attainment: are the first-response targets being met' },
  { name: 'knowledge-base', description: 'Help-centre articles, categories, search, suggestions and feedback (reads open to anonymous visitors)' },
  { name: 'webhooks', description: 'Webhook endpoints, deliveries and replay: the change feed pushed, signed per Standard Webhooks' },
  { name: 'attachments', description: 'Uploads and the files attached to tickets and comments' }
]

const DESCRIPTION = `Backend of the customer-support desk, enforcing the vendor's published support terms.

* **Errors** are RFC 9457 \`application/problem+json\` with a stable \`code\`; \`type\` is \`${PROBLEM_BASE}<code>\`.
  Codes: ${Object.keys(errorCatalogue).map((c) => `\`${c}\``).join(', ')}.
* **Auth**: \`Authorization: Bearer <JWT>\` with claims \`sub\`, \`roles\` (customer | agent | admin) and \`org_id\`
  (required for customers; a token with \`org_id\` only ever sees that organization). Other organizations' resources are 404.
* **Concurrency**: mutable resources carry \`version\` and a strong \`ETag\`; send \`If-Match\` on writes (stale → 412),
  \`If-None-Match\` on reads (current → 304).
* **Idempotency**: every POST accepts \`Idempotency-Key\` (1–255 chars). A retry with the same key and body within 24 hours
  replays the stored status and body with \`Idempotent-Replayed: true\`; the same key with another body is 422
  \`idempotency-key-reused\`; while the first request runs, 409 \`idempotency-key-in-use\` (safe to retry). Requests refused by
  validation and 5xx failures before anything committed are not stored (retry them); other refusals (4xx) are replayed
  as first answered. A request that committed but whose response was lost is never run again: 409
  \`idempotency-response-lost\` (read the resource or the change feed).
* **Change feed**: \`GET /v1/events\` hands out every committed change exactly once and in order (see its description).
* **Lists** are keyset-paginated: \`{ items, nextCursor }\`; pass \`cursor=<nextCursor>\` with the same filters.
* **Rate limits**: per caller (token subject, else client IP), counted per service replica; \`RateLimit-Policy\` and
  \`RateLimit\` headers on every /v1 response; 429 \`rate-limited\` with \`Retry-After\` when exceeded.
* **Holidays**: changing a calendar's holidays never rewrites deadlines already issued; it applies to deadlines computed afterwards.`

const header = (name: string, description: string, schema: Record<string, unknown>) => ({ name, in: 'header', required: true, description, schema })

const WEBHOOKS = {
  changeEvent: {
    post: {
      operationId: 'receiveChangeEvent',
      tags: ['webhooks'],
      // no bearer token: the receiver authenticates the service by the signature
      security: [],
      summary: 'A change, pushed to your endpoint',
      description: 'The body is the event exactly as GET /v1/events returns it. Verify the signature with a Standard Webhooks library ' +
        '(e.g. the `standardwebhooks` npm package) and the secret you got at registration, dedupe by `webhook-id`, order by ' +
        '`resource.version`. Answer 2xx within 10 s; anything else is retried (at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). ' +
        '410 disables the endpoint. See docs/webhooks.md.',
      parameters: [
        header('webhook-id', 'The same for every attempt and replay of one event to one endpoint: dedupe by it', { type: 'string', maxLength: 100, examples: ['msg_evt_4711'] }),
        header('webhook-timestamp', 'Unix seconds when the attempt was signed; reject if far from your clock', { type: 'string', pattern: '^[0-9]{1,12}$', maxLength: 12 }),
        header('webhook-signature', 'Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, two during a secret rotation', { type: 'string', maxLength: 1000 })
      ],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ChangeEvent' } } } },
      responses: {
        200: { description: 'Received (any 2xx). Other statuses, timeouts and connection errors are retried; 410 disables the endpoint' }
      }
    }
  }
}

/** the contract's server when no PUBLIC_URL is set (the committed openapi.json; a deployment sets PUBLIC_URL) */
export const DEFAULT_SERVER_URL = 'https://api.support-desk.dev'

export async function registerSwagger (app: FastifyInstance, options: { serveUi: boolean; publicUrl?: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Support Desk API',
        version: '1.0.0',
        description: DESCRIPTION,
        license: { name: 'UNLICENSED', identifier: 'LicenseRef-Proprietary' },
        contact: { name: 'Support Desk API team' }
      },
      // x-internal false: a public API (OWASP inventory rule); the type of ServerObject has no extensions
      servers: [{ url: options.publicUrl ?? DEFAULT_SERVER_URL, description: 'This deployment (PUBLIC_URL): production, or local development under make run', ...{ 'x-internal': false } }],
      tags: API_TAGS,
      // what the service POSTs to registered endpoints (issue 13): the same ChangeEvent schema as GET /v1/events
      webhooks: WEBHOOKS,
      components: {
        securitySchemes: {
          inboundSignature: { type: 'apiKey', in: 'header', name: 'X-Inbound-Signature', description: 'POST /v1/inbound-email only: `sha256=<hex HMAC-SHA256 of the raw message with INBOUND_EMAIL_SECRET>` (docs/email.md)' },
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'JWT (a JWS signed with ES256/RS256/EdDSA, never alg none) with sub, roles and org_id claims, verified for issuer, audience and expiry as RFC8725 (JWT best current practices) recommends' }
        },
        headers: RESPONSE_HEADER_COMPONENTS
      }
    },
    transformObject: (document) => 'openapiObject' in document ? addSharedResponseHeaders(document.openapiObject) : document.swaggerObject,
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`)
    }
  })
  if (options.serveUi) {
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } })
  }
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger())
}
