import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { DomainError } from '../../domain/errors.js'
import { problemResponses } from '../schemas/common.js'

const Health = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false })

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', {
    config: { public: true },
    schema: { operationId: 'getHealth', tags: ['health'], summary: 'Liveness: the process is up', security: [], response: { 200: Health } }
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    config: { public: true },
    schema: {
      operationId: 'getReadiness', tags: ['health'], summary: 'Readiness: the database is reachable', security: [],
      response: { 200: Health, ...problemResponses(503) }
    }
  }, async (request) => {
    try {
      await request.ctx.database.ping()
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed')
      throw new DomainError('not-ready', 'The database is not reachable')
    }
    return { status: 'ok' as const }
  })
}
