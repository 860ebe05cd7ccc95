import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import type { Database } from './db/client.js'
import { transactionOn, type AppContext } from './application/context.js'
import { registerRequestContext } from './http/plugins/request-context.js'
import { CalendarStore } from './application/calendar-store.js'
import { createTokenVerifier, type TokenVerifier } from './auth/verifier.js'
import { loadOrCreateDevKeys } from './auth/keys.js'
import { registerAuth, registerAuthEnforcement } from './http/plugins/auth.js'
import { clientErrorHandler, problemOf, registerErrorHandling, sendProblem } from './http/plugins/errors.js'
import { registerDrain } from './http/plugins/drain.js'
import { registerInputSanity } from './http/plugins/input-sanity.js'
import { registerIdempotency } from './http/plugins/idempotency.js'
import { idempotencyStore } from './application/idempotency.js'
import { registerDbAvailability, registerDbGate } from './http/plugins/db-gate.js'
import { registerRateLimit } from './http/plugins/rate-limit.js'
import { registerRouteDefaults } from './http/plugins/route-defaults.js'
import { registerSwagger } from './http/plugins/swagger.js'
import { registerCors } from './http/plugins/cors.js'
import { registerRoutes } from './http/routes/index.js'
import { allSchemas } from './http/schemas/index.js'
import { buildValidatorFactory } from './http/validation.js'
import { buildSerializerFactory } from './http/serialization.js'
import type { DNSResolver } from 'mailauth'
import { buildEmailRuntime } from './email/runtime.js'
import { startInboundSmtp, type InboundSmtp } from './email/inbound-smtp.js'
import { attachmentServices } from './application/attachment-services.js'
import { disabledJobs, type JobEngine } from './jobs/engine.js'
import { registerJobHandlers } from './application/jobs.js'
import { WebhookService } from './application/webhook-delivery.js'
import { systemResolver, type Resolver } from './application/webhook-sender.js'
import { webhookRoutes } from './http/routes/webhooks.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** webhook dispatcher and delivery workers (issue 13) */
    webhooks: WebhookService
  }
}

export interface AppDeps {
  database: Database
  /** the clock; defaults to the system clock */
  now?: () => Date
  /** token verification; defaults to one built from config.jwt */
  verifier?: TokenVerifier
  /** serve Swagger UI at /docs (default true) */
  docsUi?: boolean
  /** DNS answers for the SPF/DKIM/DMARC checks of inbound mail; defaults to the system resolver */
  dnsResolver?: DNSResolver
  /** the durable job engine (src/jobs/engine.ts); defaults to one that stores nothing. The caller starts and stops it */
  jobs?: JobEngine
  /** webhooks: DNS resolution (tests inject one), attempt timeout, jitter, and whether this replica runs the feed dispatcher loop (default: WORKERS) */
  webhooks?: { resolve?: Resolver; timeoutMs?: number; dispatcher?: boolean; leaseSeconds?: number; random?: () => number; delayScale?: number }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the email channel's workers (docs/email.md); server.ts starts them, tests drive them */
    emailChannel: {
      /** starts the SMTP listener (closed with the app); port 0 = ephemeral */
      startInboundSmtp: (port: number, host?: string) => Promise<InboundSmtp>
    }
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

export async function buildVerifier (config: Config, log?: { warn: (obj: object, msg: string) => void }): Promise<TokenVerifier> {
  const jwt = config.jwt
  const publicKeyPem = jwt.publicKey ?? (jwt.devKeysDir !== undefined ? (await loadOrCreateDevKeys(jwt.devKeysDir)).publicKeyPem : undefined)
  return await createTokenVerifier({
    issuer: jwt.issuer,
    audience: jwt.audience,
    clockToleranceSeconds: jwt.clockToleranceSeconds,
    jwksUrl: jwt.jwksUrl,
    publicKeyPem,
    jwks: {
      cacheMaxAgeMs: jwt.jwksCacheSeconds * 1000,
      cooldownMs: jwt.jwksCooldownSeconds * 1000,
      timeoutMs: jwt.jwksTimeoutMs,
      onError: (err) => { log?.warn({ err }, 'JWKS fetch failed: keeping the last key set') }
    }
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
    // connection hygiene (issue 11): slow bodies and headers are cut off with a 408 problem, idle keep-alive
    // connections closed, connections capped (server.maxConnections below); node checks the timeouts every second
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    maxRequestsPerSocket: config.http.maxRequestsPerSocket,
    http: { headersTimeout: config.http.headersTimeoutMs, requestTimeout: config.http.requestTimeoutMs, connectionsCheckingInterval: Math.min(1_000, config.http.headersTimeoutMs) },
    // errors below fastify (431, 408, malformed HTTP) and the drain's 503 are problems too (issue 11)
    clientErrorHandler,
    return503OnClosing: false,
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
    receivedAtMaxAgeDays: config.receivedAtMaxAgeDays,
    calendars: new CalendarStore(deps.database),
    email: buildEmailRuntime(config, { resolver: deps.dnsResolver }),
    attachments: attachmentServices(config, deps.database),
    jobs: deps.jobs ?? disabledJobs,
    transaction: transactionOn(deps.database)
  }
  app.addHook('onClose', async () => { await Promise.allSettled([...(ctx.attachments?.background ?? [])]) })
  // queues and handlers of the durable jobs (before the engine starts)
  registerJobHandlers(ctx)
  const listeners: InboundSmtp[] = []
  app.decorate('emailChannel', {
    startInboundSmtp: async (port: number, host?: string) => {
      const l = await startInboundSmtp(ctx, { port, host: host ?? config.email.inboundSmtpHost, log: app.log })
      listeners.push(l)
      return l
    }
  })
  app.addHook('onClose', async () => {
    for (const l of listeners) await l.close()
    ctx.email?.transport?.close()
  })

  if (config.http.maxConnections > 0) app.server.maxConnections = config.http.maxConnections

  // callback-style hooks where nothing is awaited: no promise per request (issue 15: the read path's CPU); it also
  // gives every request its use-case context, `request.ctx`
  registerRequestContext(app, ctx)
  registerDrain(app)

  // JSON only: anything else is a 415 problem
  app.removeContentTypeParser(['text/plain'])
  for (const schema of allSchemas) app.addSchema(schema)
  registerErrorHandling(app, { onDatabaseUnavailable: () => { deps.database.availability.suspect() }, retryAfterSeconds: deps.database.availability.retryAfterSeconds })
  deps.database.availability.onChange((up, reason) => {
    if (up) app.log.info('database reachable again')
    else app.log.warn({ err: reason }, 'database unreachable: requests that need it get 503 database-unavailable')
  })
  await registerCors(app, config.corsOrigins)
  await registerSwagger(app, { serveUi: deps.docsUi ?? true, publicUrl: config.publicUrl })
  registerRouteDefaults(app)
  registerInputSanity(app)
  registerAuth(app, deps.verifier ?? await buildVerifier(config, app.log))
  await registerRateLimit(app, config.rateLimit)
  registerAuthEnforcement(app)
  registerDbAvailability(app, deps.database.availability)
  // bounded database concurrency with load shedding (issue 7): three requests in flight per pooled connection
  if (deps.database.sql !== undefined) registerDbGate(app, { permits: deps.database.sql.options.max * 3 })
  registerIdempotency(app, { store: idempotencyStore(deps.database), now: ctx.now, ttlHours: config.idempotencyTtlHours })
  await registerRoutes(app, ctx, config)
  const webhooks = new WebhookService(ctx, {
    network: { allowedHosts: config.webhooks.allowedHosts, resolve: deps.webhooks?.resolve ?? systemResolver, timeoutMs: deps.webhooks?.timeoutMs },
    concurrency: config.webhooks.concurrency,
    leaseSeconds: deps.webhooks?.leaseSeconds ?? config.webhooks.leaseSeconds,
    jobExpireSeconds: config.webhooks.jobExpireSeconds,
    random: deps.webhooks?.random,
    delayScale: deps.webhooks?.delayScale,
    log: app.log
  })
  // the webhook-delivery queue and its worker on the durable job engine (before the engine starts)
  webhooks.registerJobs()
  app.decorate('webhooks', webhooks)
  await app.register(webhookRoutes, { webhooks })
  if (deps.webhooks?.dispatcher ?? config.workers) {
    app.addHook('onReady', async () => { webhooks.start() })
    app.addHook('onClose', async () => { await webhooks.stop() })
  }
  return app
}
