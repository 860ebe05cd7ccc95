import { TICKET_POLICY } from '../../domain/policy/policy.js'

export const PATCH_DESCRIPTION = `Changes subject, description, category or assignee. Who may change what:

| field | customer (own organization) | agent / admin |
|---|---|---|
| subject | yes, unless the ticket is closed (409 \`ticket-closed\`) | yes |
| description | yes, unless the ticket is closed (409 \`ticket-closed\`) | yes |
| category | no — 403 \`field-not-allowed\` | yes |
| assigneeId | no — 403 \`field-not-allowed\` | yes |

Status, severity and closing have their own actions (comments, \`severity-changes\`, \`close\`, reopen requests).
Customers of an organization whose subscription is not current cannot edit (403 \`subscription-inactive\`); agents and
admins can.
Send \`If-Match\` with the ETag you hold: a stale one is 412 and changes nothing. A PATCH that changes nothing keeps
the version and writes no event.`

export const CLOSE_DESCRIPTION = `Closes the ticket (agents and admins). Rules of the support terms:
- \`no_response\` needs at least ${TICKET_POLICY.minContactAttemptsForNoResponse} unanswered contact attempts
  (agent comments with \`awaitingCustomer: true\` not followed by a customer comment) — otherwise 409
  \`not-enough-contact-attempts\` with \`contactAttempts\` and \`required\`;
- \`out_of_scope\` needs a \`note\` (422 \`note-required\`);
- a closed ticket cannot be closed again (409 \`invalid-transition\` with \`currentStatus\`).
Closing a ticket that has not had its first response stops the clock: the closure is the response.
Tickets closed for \`no_response\` can be reopened on request within ${TICKET_POLICY.reopenWindowDays} days.`
