export const GET_SLA_ATTAINMENT_REPORT_DESCRIPTION = `Are the first-response targets being met? Figures per first-response **cycle** whose clock started in the
period (from 00:00 PT on \`from\` to the end of \`to\`, PT): a reopened ticket's new cycle counts on its own; a cycle counts
under the plan and priority its deadline was computed with — the ones in force when it was decided (a severity change
while the response was owed moves it, one after the response does not). \`met\`, \`breached\` (late or, with the deadline
passed, unanswered), \`owed\` (not decided yet); attainment % = met / (met + breached); median and p90 time to first
response in business seconds. Months are PT months of the clock start. Definitions: docs/sla.md.

Agents and admins see every organization (or one with \`organizationId\`); a customer sees only their own.
\`Accept: text/csv\` gives the rows as CSV (RFC 4180; group columns, then the figures; without groupBy the total).`
