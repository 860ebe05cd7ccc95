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

export async function registerSwagger (app: FastifyInstance, options: { serveUi: boolean }): Promise<void> {
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
      servers: [{ url: 'http://127.0.0.1:3000', description: 'Local development (make run)' }],
      tags: API_TAGS,
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'JWT with sub, roles and org_id claims' }
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
