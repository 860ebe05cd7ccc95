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

export const CREATE_TICKET_DESCRIPTION = `Customers open tickets for their own organization (organizationId is implied by the token); agents and admins name it.
Refused with 403 \`subscription-inactive\` unless the organization's subscription is current, and with 422
\`channel-not-in-plan\` when the plan lacks the channel (video call needs Enhanced or Premier, phone needs Premier).
Priority follows severity (urgent→P1, high/medium→P2, low→P3); the first-response clock starts now (or at the
staff-given \`receivedAt\`, when the customer really made contact; a back-dated ticket can be at risk or breached at once) and the deadline
(\`sla.dueAt\`) comes from the plan's target and calendar.`

export const LIST_TICKETS_DESCRIPTION = `Order (\`sort\`, keyset pagination in a stable total order, so no duplicates or gaps while paging):
- \`createdAt\` (default): newest first — createdAt descending, then id descending;
- \`updatedAt\`: most recently changed first — updatedAt descending, then id descending;
- \`slaDueAt\`: the deadline queue ("breaches next") — only tickets whose first response is still owed (open or pending,
  unanswered; overdue ones included, they come first), the soonest \`sla.dueAt\` first, then id ascending.

A cursor belongs to its filters and its sort (another combination is 400 \`invalid-cursor\`). Customers see only their
organization's tickets. \`slaStatus\` is evaluated at the time of the request. \`q\` is full-text search (see the parameter);
results keep the chosen sort, they are not ranked. Each sort × filter the console uses (organization, status, priority,
assignee, slaStatus) is served by an index ending in (sort column, id).`

export const COUNT_TICKETS_DESCRIPTION = `How many tickets the list with the same filters holds, grouped by \`groupBy\` (queue badges without walking
pages): \`{ groups: [{ key, count }], total }\`, groups largest first; groups without tickets are left out. Customers count
only their organization's tickets; \`slaStatus\` (filter or group) is evaluated at the time of the request;
\`assigneeId\` has a null group for unassigned tickets. Cost: see docs/performance.md (an index-only scan of the matching
index entries for status, priority and assignee).`

export const LIST_TICKET_EVENTS_DESCRIPTION = `Every change to the ticket, its comments, severity changes and reopen requests, in the order it was
written, with actor, time and before/after. Each event was written in the same transaction as its change. Customers
never see internal events (internal comments).`
