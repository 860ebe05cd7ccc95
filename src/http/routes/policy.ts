import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { notFound } from '../../domain/errors.js'
import { PLAN_IDS, SEVERITY_LEVELS, SUPPORT_PLANS, type PlanId } from '../../domain/policy/policy.js'
import { problemResponses, ref } from '../schemas/common.js'
import { SeverityLevelList, SupportPlanList, SupportPlanSchema } from '../schemas/policy.js'
import { presentPlan, presentSeverityLevel } from '../presenters/policy.js'

export const policyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/support-plans', {
    config: { public: true },
    schema: { operationId: 'listSupportPlans', tags: ['policy'], summary: 'List the support plans of the terms', response: { 200: ref(SupportPlanList) } }
  }, async () => ({ items: PLAN_IDS.map((id) => presentPlan(SUPPORT_PLANS[id])) }))

  app.get('/v1/support-plans/:planId', {
    config: { public: true },
    schema: {
      operationId: 'getSupportPlan', tags: ['policy'], summary: 'Get one support plan',
      params: Type.Object({ planId: Type.String({ maxLength: 50, description: 'basic, enhanced or premier', examples: ['premier'] }) }),
      response: { 200: ref(SupportPlanSchema), ...problemResponses(404) }
    }
  }, async (request) => {
    const id = request.params.planId
    if (!(PLAN_IDS as readonly string[]).includes(id)) throw notFound(`Support plan ${id}`)
    return presentPlan(SUPPORT_PLANS[id as PlanId])
  })

  app.get('/v1/severity-levels', {
    config: { public: true },
    schema: { operationId: 'listSeverityLevels', tags: ['policy'], summary: 'List severity levels with their priority and definition', response: { 200: ref(SeverityLevelList) } }
  }, async () => ({ items: SEVERITY_LEVELS.map(presentSeverityLevel) }))
}
