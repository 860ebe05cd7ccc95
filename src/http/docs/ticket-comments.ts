export const COMMENT_DESCRIPTION = `Adds a comment to the conversation. What it does to the ticket:
- the first **public** comment by an agent or admin is the first response: it stops the clock (\`sla.status\` becomes
  \`met\` or \`breached\`, \`sla.firstRespondedAt\` is set). Internal notes and customer comments never count;
- an agent's public comment with \`awaitingCustomer: true\` is a contact attempt: the ticket goes to
  \`pending_customer\` and \`contactAttempts\` goes up by one (with the email channel on, the email is the attempt: it
  counts once delivered, never when undeliverable — see \`email.delivery\` and docs/email.md);
- a customer comment answers them: \`contactAttempts\` back to 0 and the status back to \`open\`.
Customers write public comments only (403), and only while their organization's subscription is current (403
\`subscription-inactive\`; agents and admins can still answer, to wrap the ticket up). A closed ticket takes no comments: 409 \`ticket-closed\`, whose \`next\`
points to a reopen request (closed for no response) or to a new ticket. Every comment moves the ticket's version on;
\`If-Match\` (optional) refers to the ticket's ETag.`
