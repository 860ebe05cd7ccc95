import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { previewSla } from '../../application/sla.js'
import { principal } from '../plugins/auth.js'
import { problemResponses, ref } from '../schemas/common.js'
import { SlaPreviewRequestSchema, SlaPreviewSchema } from '../schemas/sla.js'
import { presentSlaPreview } from '../presenters/sla.js'

export const slaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/sla/preview', {
    schema: {
      operationId: 'previewSla', tags: ['sla'], summary: 'Preview the first-response deadline a ticket would get',
      description: 'Give exactly one of `plan` or `organizationId` (400 validation-failed otherwise); customers may preview any plan ' +
        'or their own organization (another organization is 404; an organization without a current subscription is 403 subscription-inactive). ' +
        'Returns the priority, target, calendar and dueAt that a ticket created at `at` (default now) would get, computed exactly as at ticket ' +
        'creation, plus the business-time segments the deadline was counted through, in UTC and in the calendar\'s local time. ' +
        'The calendar\'s holidays are those in force now: changing holidays never rewrites deadlines already issued; it applies to ' +
        'deadlines computed afterwards. Nothing is stored.',
      body: ref(SlaPreviewRequestSchema),
      response: { 200: ref(SlaPreviewSchema), ...problemResponses(404) }
    }
  }, async (request) => {
    const b = request.body
    const preview = await previewSla(request.ctx, principal(request), {
      plan: b.plan,
      organizationId: b.organizationId,
      severity: b.severity,
      at: b.at === undefined ? undefined : new Date(b.at)
    })
    return presentSlaPreview(preview)
  })
}
