import { TICKET_POLICY } from '../../domain/policy/policy.js'

export const REQUEST_DESCRIPTION = `"If a support ticket is closed due to lack of response, Customer may request that it be reopened."
By the customer, or by an agent on their behalf. Refused with 409 and the specific reason, checked in this order:
\`not-closed-for-no-response\` (the ticket is not closed, or was closed for another reason),
\`reopen-request-pending\` (one pending request at a time), \`reopen-window-expired\` (more than
${TICKET_POLICY.reopenWindowDays} × 24 hours after closing). 403 \`subscription-inactive\` when the subscription is not
current. \`If-Match\` (optional) refers to the ticket's ETag.`

export const APPROVE_DESCRIPTION = `Agents and admins. Reopens the ticket: status \`open\`, contact attempts reset, and a new first-response
cycle starts now with the ticket's current severity (and the organization's current plan); the previous cycle and its
met/breached result move to the ticket's \`slaHistory\`. Approving is new support, so it needs the organization's
subscription to be current (403 \`subscription-inactive\`; the request stays pending — deny it, or approve it after a
renewal). A request is decided once: 409 \`reopen-request-decided\`
afterwards. \`If-Match\` (optional) refers to the reopen request's ETag.`

export const DENY_DESCRIPTION = `Agents and admins. Needs a \`note\` telling the customer why (422 \`note-required\`); the ticket stays
closed; possible whatever the subscription. A request is decided once: 409 \`reopen-request-decided\` afterwards. \`If-Match\` (optional) refers to the
reopen request's ETag.`
