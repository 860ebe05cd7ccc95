import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from '@sinclair/typebox'
import type { AppContext } from '../../application/context.js'
import { slaAttainmentReport, type SlaAttainmentReport } from '../../application/reports.js'
import type { AttainmentGroup, AttainmentRow } from '../../domain/sla/attainment.js'
import { iso } from '../../domain/time.js'
import { principal } from '../plugins/auth.js'
import { problemResponses, ref } from '../schemas/common.js'
import { SlaAttainmentQuery, SlaAttainmentReportSchema } from '../schemas/reports.js'

const FIGURE_COLUMNS = ['cycles', 'tickets', 'met', 'breached', 'owed', 'attainmentPercent', 'medianFirstResponseBusinessSeconds', 'p90FirstResponseBusinessSeconds'] as const
const KEY_COLUMNS: Record<AttainmentGroup, Array<keyof AttainmentRow>> = { plan: ['plan'], priority: ['priority'], organization: ['organizationId', 'organizationName'], month: ['month'] }

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return ''
  const s = String(v)
  // RFC 4180 quoting; a leading =, +, - or @ is prefixed so a spreadsheet never runs it as a formula
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** the rows as CSV (RFC 4180, CRLF): the group columns, then the figures; without groupBy, the one total row */
export function attainmentCsv (r: SlaAttainmentReport): string {
  const keys = r.groupBy.flatMap((g) => KEY_COLUMNS[g])
  const header = [...keys, ...FIGURE_COLUMNS]
  const rows: Array<Record<string, unknown>> = r.groupBy.length === 0 ? [r.total as unknown as Record<string, unknown>] : r.rows as unknown as Array<Record<string, unknown>>
  return [header, ...rows.map((row) => header.map((h) => row[h]))].map((line) => line.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

const present = (r: SlaAttainmentReport): Static<typeof SlaAttainmentReportSchema> => ({ ...r, generatedAt: iso(r.generatedAt) })

export const reportRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/v1/reports/sla-attainment', {
    schema: {
      operationId: 'getSlaAttainmentReport', tags: ['reports'], summary: 'First-response SLA attainment',
      description: `Are the first-response targets being met? Figures per first-response **cycle** whose clock started in the
period (from 00:00 PT on \`from\` to the end of \`to\`, PT): a reopened ticket's new cycle counts on its own; a cycle counts
under the plan and priority its deadline was computed with — the ones in force when it was decided (a severity change
while the response was owed moves it, one after the response does not). \`met\`, \`breached\` (late or, with the deadline
passed, unanswered), \`owed\` (not decided yet); attainment % = met / (met + breached); median and p90 time to first
response in business seconds. Months are PT months of the clock start. Definitions: docs/sla.md.

Agents and admins see every organization (or one with \`organizationId\`); a customer sees only their own.
\`Accept: text/csv\` gives the rows as CSV (RFC 4180; group columns, then the figures; without groupBy the total).`,
      querystring: SlaAttainmentQuery,
      response: {
        200: {
          description: 'The report',
          content: {
            'application/json': { schema: ref(SlaAttainmentReportSchema) },
            'text/csv': { schema: { type: 'string', maxLength: 100_000_000, description: 'The same rows as CSV' } }
          }
        },
        ...problemResponses(404)
      }
    }
  }, async (request, reply) => {
    const q = request.query
    const groupBy = [...new Set((q.groupBy ?? '').split(',').filter((g) => g !== ''))] as AttainmentGroup[]
    const report = await slaAttainmentReport(ctx, principal(request), { from: q.from, to: q.to, groupBy, organizationId: q.organizationId })
    const accept = request.headers.accept ?? ''
    if (/\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept)) {
      return await reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="sla-attainment-${q.from}-${q.to}.csv"`).send(attainmentCsv(report))
    }
    return await reply.type('application/json; charset=utf-8').send(present(report))
  })
}
