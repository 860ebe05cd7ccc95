export const SEVERITY_DESCRIPTION = `Upgrades or downgrades the ticket's severity (agents and admins; customers 403). Moving to a more severe
level (urgent > high > medium > low) is an \`upgrade\`, to a less severe one a \`downgrade\`. The same severity is 409
\`severity-unchanged\`; a closed ticket is 409 \`ticket-closed\`. The priority follows the new severity.

**SLA rule.** While the first response is still owed, the deadline is recomputed from the moment of the change with
the new priority's target and calendar (of the organization's current plan); an upgrade never moves the deadline later
than it already was (the earlier one is kept: \`slaEffect: kept-earlier-deadline\`), a downgrade may move it later.
Once the deadline has passed without a response the breach stands (\`unchanged-breached\`): a severity change never
erases a breach. After the first response the change is recorded and the priority changes, but the met/breached result
stands (\`unchanged-responded\`). \`slaBefore\` and \`slaAfter\` show the ticket's \`sla\` just before and after.
\`If-Match\` (optional) refers to the ticket's ETag.`
