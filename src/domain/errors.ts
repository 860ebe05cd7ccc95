/**
 * The one error catalogue. Every refusal the service makes has a stable kebab-case `code`, an HTTP status and a
 * short title here; the HTTP layer turns a DomainError into an RFC 9457 problem (type = PROBLEM_BASE + code).
 * Codes are part of the public contract: never rename one, only add.
 */
export const PROBLEM_BASE = 'https://support-desk.dev/problems/'

export const errorCatalogue = {
  // generic request problems
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'malformed-request': { status: 400, title: 'The request could not be parsed' },
  'invalid-cursor': { status: 400, title: 'The cursor is not valid for this list' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  'invalid-token': { status: 401, title: 'The bearer token is not valid' },
  forbidden: { status: 403, title: 'Not allowed for your role' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  'precondition-failed': { status: 412, title: 'The resource has changed (stale If-Match)' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'precondition-required': { status: 428, title: 'A precondition header is required' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  'not-ready': { status: 503, title: 'The service is not ready' },
  overloaded: { status: 503, title: 'The service is overloaded, retry shortly' },
  'database-unavailable': { status: 503, title: 'The database is unavailable, retry shortly' },
  'shutting-down': { status: 503, title: 'The service is shutting down, retry shortly' },
  'request-timeout': { status: 408, title: 'The request was not received in time' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },

  // organizations and subscriptions
  'subscription-inactive': { status: 403, title: 'Support applies only to current paying subscribers' },
  'invalid-subscription-term': { status: 422, title: 'The subscription term is not valid' },
  'organization-required': { status: 400, title: 'organizationId is required for agents and admins' },

  // calendars and SLA
  'calendar-ignores-holidays': { status: 409, title: 'The calendar does not observe holidays' },

  // tickets
  'channel-not-in-plan': { status: 422, title: 'The channel is not included in the support plan' },
  'invalid-transition': { status: 409, title: 'The ticket cannot make this transition from its current state' },
  'not-enough-contact-attempts': { status: 409, title: 'Not enough unanswered contact attempts to close for no response' },
  'note-required': { status: 422, title: 'A note is required' },
  'ticket-closed': { status: 409, title: 'The ticket is closed' },
  'severity-unchanged': { status: 409, title: 'The ticket already has this severity' },
  'not-closed-for-no-response': { status: 409, title: 'Only tickets closed for lack of response can be reopened on request' },
  'reopen-window-expired': { status: 409, title: 'The reopen window has expired' },
  'reopen-request-pending': { status: 409, title: 'A reopen request is already pending' },
  'reopen-request-decided': { status: 409, title: 'The reopen request has already been decided' },
  'field-not-allowed': { status: 403, title: 'Your role may not change this field' },
  'received-at-in-future': { status: 422, title: 'receivedAt is in the future' },
  'received-at-too-old': { status: 422, title: 'receivedAt is further back than allowed' },

  // onboarding
  'onboarding-entitlement-exhausted': { status: 409, title: 'No onboarding call credit left in this term' },
  'outside-business-hours': { status: 422, title: 'The time is outside business hours' },
  'scheduled-in-past': { status: 422, title: 'The time is in the past' },
  'invalid-call-transition': { status: 409, title: 'The onboarding call cannot make this transition' },
  'call-already-started': { status: 409, title: 'The onboarding call has already started; only support staff can move it' },
  'outside-subscription-term': { status: 422, title: 'The time is outside the current subscription term' },
  'responsibility-status-managed': { status: 409, title: 'This checklist item\'s status follows the technical representative' },
  'responsibility-mandatory': { status: 422, title: 'The support terms make this responsibility mandatory: it cannot be not applicable' },

  // integrator
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was used with a different request' },
  'idempotency-key-in-use': { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  'idempotency-response-lost': { status: 409, title: 'The request with this Idempotency-Key took effect, but its response was not stored' },
  'external-ref-conflict': { status: 409, title: 'The external reference is already linked to another ticket' },

  // email channel
  'email-domain-taken': { status: 409, title: 'The email domain is registered to another organization' },
  'invalid-inbound-signature': { status: 401, title: 'The inbound email signature is missing or does not verify' },
  'inbound-email-off': { status: 404, title: 'Inbound email is not enabled' },
  'quarantine-decided': { status: 409, title: 'The quarantined message has already been released or discarded' },
  'no-destination': { status: 422, title: 'The message matches no ticket and no registered domain: name the organization' },
  // knowledge base
  'kb-slug-taken': { status: 409, title: 'Another knowledge-base article or category already has this slug' },
  'kb-category-unknown': { status: 422, title: 'The knowledge-base category does not exist' },
  'kb-article-unknown': { status: 422, title: 'A referenced knowledge-base article does not exist or is not visible to you' },
  // webhooks
  'webhook-url-refused': { status: 422, title: 'The webhook URL is not allowed (https to a public address only)' },
  // attachments
  'attachment-too-large': { status: 413, title: 'The file is larger than the per-file limit' },
  'attachment-type-not-allowed': { status: 415, title: 'This type of file is not accepted' },
  'attachment-quota-exceeded': { status: 422, title: 'The organization\'s attachment storage quota is used up' },
  'attachment-not-attachable': { status: 422, title: 'An upload cannot be attached' },
  'range-not-satisfiable': { status: 416, title: 'The requested range is not satisfiable' }
} as const satisfies Record<string, { status: number; title: string }>

export type ErrorCode = keyof typeof errorCatalogue

export class DomainError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly title: string
  readonly extras: Record<string, unknown>

  constructor (code: ErrorCode, detail?: string, extras: Record<string, unknown> = {}) {
    const entry = errorCatalogue[code]
    super(detail ?? entry.title)
    this.name = 'DomainError'
    this.code = code
    this.status = entry.status
    this.title = entry.title
    this.extras = extras
  }
}

export const notFound = (what: string): DomainError => new DomainError('not-found', `${what} not found`)
