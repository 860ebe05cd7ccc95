import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import type { Database } from './db/client.js'
import type { AppContext } from './application/context.js'
import { CalendarStore } from './application/calendar-store.js'
import { createTokenVerifier, type TokenVerifier } from './auth/verifier.js'
import { loadOrCreateDevKeys } from './auth/keys.js'
import { registerAuth } from './http/plugins/auth.js'
import { problemOf, registerErrorHandling, sendProblem } from './http/plugins/errors.js'
import { registerInputSanity } from './http/plugins/input-sanity.js'
import { registerIdempotency } from './http/plugins/idempotency.js'
import { registerDbGate } from './http/plugins/db-gate.js'
import { registerRateLimit } from './http/plugins/rate-limit.js'
import { registerRouteDefaults } from './http/plugins/route-defaults.js'
import { registerSwagger } from './http/plugins/swagger.js'
import { registerRoutes } from './http/routes/index.js'
import { allSchemas } from './http/schemas/index.js'
import { buildValidatorFactory } from './http/validation.js'
import { buildSerializerFactory } from './http/serialization.js'
import { attachmentServices } from './application/attachment-services.js'
import { disabledJobs, type JobEngine } from './jobs/engine.js'
import { registerJobHandlers } from './application/jobs.js'

export interface AppDeps {
  database: Database
  /** the clock; defaults to the system clock */
  now?: () => Date
  /** token verification; defaults to one built from config.jwt */
  verifier?: TokenVerifier
  /** serve Swagger UI at /docs (default true) */
  docsUi?: boolean
  /** the durable job engine (src/jobs/engine.ts); defaults to one that stores nothing. The caller starts and stops it */
  jobs?: JobEngine
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

export async function buildVerifier (config: Config): Promise<TokenVerifier> {
  const jwt = config.jwt
  const publicKeyPem = jwt.publicKey ?? (jwt.devKeysDir !== undefined ? (await loadOrCreateDevKeys(jwt.devKeysDir)).publicKeyPem : undefined)
  return await createTokenVerifier({
    issuer: jwt.issuer,
    audience: jwt.audience,
    clockToleranceSeconds: jwt.clockToleranceSeconds,
    jwksUrl: jwt.jwksUrl,
    publicKeyPem
  })
}

/** Builds the whole application from a typed config and its dependencies. Never listens. */
export async function buildApp (config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.token', 'token'], censor: '[redacted]' }
    },
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    // response serializers: fast-json-stringify over a serialization-only rewrite of enum/nullable unions (issue 7)
    schemaController: { compilersFactory: { buildValidator: buildValidatorFactory(), buildSerializer: buildSerializerFactory() } },
    ajv: { customOptions: { removeAdditional: false } },
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    forceCloseConnections: 'idle',
    // router-level refusals (undecodable URL, path parameter too long) leave as problems like every other error
    frameworkErrors: (error, request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      void sendProblem(request, reply, problemOf(tooLong ? 'validation-failed' : 'malformed-request', tooLong ? 'A path parameter is longer than 200 characters' : 'The URL could not be decoded'))
    }
  }).withTypeProvider<TypeBoxTypeProvider>()

  const ctx: AppContext = {
    database: deps.database,
    now: deps.now ?? (() => new Date()),
    idempotencyTtlHours: config.idempotencyTtlHours,
    calendars: new CalendarStore(deps.database),
    attachments: attachmentServices(config, deps.database),
    jobs: deps.jobs ?? disabledJobs
  }
  app.addHook('onClose', async () => { await Promise.allSettled([...(ctx.attachments?.background ?? [])]) })
  // queues and handlers of the durable jobs (before the engine starts)
  registerJobHandlers(ctx)

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  // JSON only: anything else is a 415 problem
  app.removeContentTypeParser(['text/plain'])
  for (const schema of allSchemas) app.addSchema(schema)
  registerErrorHandling(app)
  await registerSwagger(app, { serveUi: deps.docsUi ?? true })
  registerRouteDefaults(app)
  registerInputSanity(app)
  registerAuth(app, deps.verifier ?? await buildVerifier(config))
  registerRateLimit(app, config.rateLimit)
  // bounded database concurrency with load shedding (issue 7): three requests in flight per pooled connection
  if (deps.database.sql !== undefined) registerDbGate(app, { permits: deps.database.sql.options.max * 3 })
  registerIdempotency(app, { database: deps.database, now: ctx.now, ttlHours: config.idempotencyTtlHours })
  await registerRoutes(app, ctx)
  return app
}
