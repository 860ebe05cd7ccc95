import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { slaAttainmentReport } from '../../application/reports.js'
import type { AttainmentGroup } from '../../domain/sla/attainment.js'
import { principal } from '../plugins/auth.js'
import { problemResponses, ref } from '../schemas/common.js'
import { SlaAttainmentQuery, SlaAttainmentReportSchema } from '../schemas/reports.js'
import { attainmentCsv, presentSlaAttainmentReport } from '../presenters/reports.js'
import { GET_SLA_ATTAINMENT_REPORT_DESCRIPTION } from '../docs/reports.js'

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/reports/sla-attainment', {
    schema: {
      operationId: 'getSlaAttainmentReport', tags: ['reports'], summary: 'First-response SLA attainment',
      description: GET_SLA_ATTAINMENT_REPORT_DESCRIPTION,
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
    const report = await slaAttainmentReport(request.ctx, principal(request), { from: q.from, to: q.to, groupBy, organizationId: q.organizationId })
    const accept = request.headers.accept ?? ''
    if (/\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept)) {
      return await reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="sla-attainment-${q.from}-${q.to}.csv"`).send(attainmentCsv(report))
    }
    return await reply.type('application/json; charset=utf-8').send(presentSlaAttainmentReport(report))
  })
}
