import { BATCH_MAX_ITEMS } from '../schemas/external-tickets.js'

export const UPSERT_DESCRIPTION = `Creates or updates the ticket that carries this external reference — safe to call from several workers at once and to
retry: one reference never names two tickets, also under concurrent calls.

- **Absent** → the ticket is opened (201, \`Location\`, \`ETag\`) with the same rules as \`POST /v1/tickets\` (403 \`subscription-inactive\`,
  422 \`channel-not-in-plan\`) and the reference attached.
- **Present** → the fields an integrator may set are applied (200): \`subject\`, \`description\`, \`category\` (agents and admins;
  customers may change subject and description of tickets that are not closed), \`tags\` (agents and admins) and the reference's \`url\`. \`severity\`,
  \`channel\` and \`requester\` are creation-only and ignored here. A PUT that changes nothing keeps the version and writes no event.
- \`If-Match: "<version>"\` makes the update conditional (stale → 412, nothing changes); any \`If-Match\` on an absent reference is 412.
  \`If-None-Match: *\` creates only (412 when it exists).`

export const BATCH_DESCRIPTION = `Up to ${BATCH_MAX_ITEMS} upserts in one request, for the initial sync of an existing helpdesk and for catching up.
Each item is created (201) or updated (200) exactly as \`PUT …/external-tickets/{system}/{externalId}\` would do it — same rules,
same refusals — in its own transaction and in order: a reference named twice is created by the first item and updated by
the second. An item that is refused (its own schema, 403/404/409/412/422) leaves nothing behind and does not stop the
others. The answer is 200 when the request itself is valid, with one result per item in order. One \`Idempotency-Key\`
covers the whole batch. \`ifMatch\` / \`ifNoneMatch\` on an item work like the single upsert's headers.`
