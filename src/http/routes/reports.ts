import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppContext } from '../../application/context.js'
import { slaAttainmentReport } from '../../application/reports.js'
import type { AttainmentGroup } from '../../domain/sla/attainment.js'
import { principal } from '../plugins/auth.js'
import { problemResponses, ref } from '../schemas/common.js'
import { SlaAttainmentQuery, SlaAttainmentReportSchema } from '../schemas/reports.js'
import { attainmentCsv, presentSlaAttainmentReport } from '../presenters/reports.js'

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
    return await reply.type('application/json; charset=utf-8').send(presentSlaAttainmentReport(report))
  })
}
