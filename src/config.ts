import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/**
 * One typed, validated config object built from the environment. Nothing else in src/ reads process.env.
 * Invalid config fails at start with a message naming the variable.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  /** real PostgreSQL through postgres.js; when absent the service runs on embedded PGlite */
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  /** PGlite data folder (persists across restarts); only used without databaseUrl */
  pgliteDir: Type.String({ minLength: 1 }),
  dbPoolMax: Type.Integer({ minimum: 1, maximum: 500 }),
  logLevel: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l))),
  migrateOnStart: Type.Boolean(),
  seedDemoData: Type.Boolean(),
  jwt: Type.Object({
    issuer: Type.String({ minLength: 1 }),
    audience: Type.String({ minLength: 1 }),
    jwksUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    publicKey: Type.Optional(Type.String({ pattern: '-----BEGIN PUBLIC KEY-----' })),
    /** folder with a generated development key pair; enabled only explicitly (the Makefile's run target) */
    devKeysDir: Type.Optional(Type.String({ minLength: 1 })),
    clockToleranceSeconds: Type.Integer({ minimum: 0, maximum: 300 }),
    /** JWKS key set cache and refetch limits (issue 11, src/auth/verifier.ts) */
    jwksCacheSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
    jwksCooldownSeconds: Type.Integer({ minimum: 0, maximum: 3_600 }),
    jwksTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000 })
  }),
  idempotencyTtlHours: Type.Integer({ minimum: 1, maximum: 24 * 30 }),
  rateLimit: Type.Object({
    /** requests per window per caller; 0 disables */
    max: Type.Integer({ minimum: 0 }),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
    /** redis://… : one shared counter per route and caller across replicas (issue 11) */
    redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
    redisPrefix: Type.String({ minLength: 1, maxLength: 200 })
  }),
  /**
   * V8's old-generation growth per major GC, in percent (server.ts sets --heap-growing-percent): the next full GC
   * runs when the heap reaches live × (1 + p/100). 0 keeps V8's own heuristics, which let a service with ~40 MB live
   * grow to ~200 MB before collecting (issue 7). A soft bound: it never makes the process fail for lack of heap.
   */
  heapGrowthPercent: Type.Integer({ minimum: 0, maximum: 400 }),
  /** how far back a staff-given `receivedAt` (original contact time) may be, in days (issue 15) */
  receivedAtMaxAgeDays: Type.Integer({ minimum: 0, maximum: 3650 }),
  /** connection hygiene (issue 11): node's HTTP server timeouts and caps */
  http: Type.Object({
    /** the whole request (headers and body) must arrive within this; else 408 */
    requestTimeoutMs: Type.Integer({ minimum: 1, maximum: 3_600_000 }),
    /** the request headers must arrive within this (at most requestTimeoutMs); else 408 */
    headersTimeoutMs: Type.Integer({ minimum: 1, maximum: 3_600_000 }),
    /** an idle keep-alive connection is closed after this */
    keepAliveTimeoutMs: Type.Integer({ minimum: 1, maximum: 3_600_000 }),
    /** requests served on one connection before it is closed (0: no limit) */
    maxRequestsPerSocket: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    /** open connections per process; more are closed at once (0: no limit) */
    maxConnections: Type.Integer({ minimum: 0, maximum: 1_000_000 })
  }),
  /** database availability monitor (issue 11, src/db/client.ts) */
  dbHealth: Type.Object({
    intervalMs: Type.Integer({ minimum: 50, maximum: 60_000 }),
    timeoutMs: Type.Integer({ minimum: 50, maximum: 60_000 }),
    connectTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000 })
  }),
  /** run the durable job workers (SLA timers, …) in this replica (WORKERS) */
  workers: Type.Boolean(),
  /** serve the HTTP API in this replica (API); false with WORKERS=true = a worker-only process */
  api: Type.Boolean(),
  /** idle poll interval of the job workers, seconds (JOBS_POLL_INTERVAL_SECONDS) */
  jobsPollIntervalSeconds: Type.Number({ minimum: 0.5, maximum: 60 }),
  /** how often pg-boss returns expired jobs (a killed replica's) to their queue, seconds (JOBS_SUPERVISE_INTERVAL_SECONDS) */
  jobsSuperviseIntervalSeconds: Type.Integer({ minimum: 1, maximum: 300 }),
  /** webhooks (issue 13) */
  webhooks: Type.Object({
    /** hosts (`host` or `host:port`) exempt from the https and public-address rules: local development and tests only */
    allowedHosts: Type.Array(Type.String({ minLength: 1 })),
    /** deliveries sent at once per delivery poller of a replica (WEBHOOK_CONCURRENCY) */
    concurrency: Type.Integer({ minimum: 1, maximum: 256 }),
    /** lease of a delivery being sent, seconds; must exceed the 10 s attempt timeout (WEBHOOK_LEASE_SECONDS) */
    leaseSeconds: Type.Integer({ minimum: 11, maximum: 3600 }),
    /** how long a delivery job may run before pg-boss hands it to another replica, seconds (WEBHOOK_JOB_EXPIRE_SECONDS) */
    jobExpireSeconds: Type.Integer({ minimum: 1, maximum: 3600 })
  }),
  /** public base URL used in printed hints; defaults to http://HOST:PORT */
  publicUrl: Type.Optional(Type.String()),
  /** the email channel (docs/email.md): outbound SMTP is off without smtpUrl + mailFrom; inbound is off without a port or secret */
  email: Type.Object({
    smtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://' })),
    /** the support address, e.g. "Support <support@desk.example>"; replies go to support+<token>@ its domain */
    mailFrom: Type.Optional(Type.String({ pattern: '@' })),
    /** HMAC key of the per-ticket reply tokens (required when outbound or inbound email is on) */
    tokenSecret: Type.Optional(Type.String({ minLength: 16 })),
    templatesDir: Type.String({ minLength: 1 }),
    inboundSmtpPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    inboundSmtpHost: Type.String({ minLength: 1 }),
    /** shared secret of POST /v1/inbound-email (HMAC-SHA256 of the raw body in X-Inbound-Signature) */
    inboundSecret: Type.Optional(Type.String({ minLength: 16 })),
    maxMessageBytes: Type.Integer({ minimum: 1024, maximum: 50 * 1024 * 1024 })
  }),
  /** exact origins (scheme://host[:port]) allowed to call the API from a browser (CORS); empty: none */
  corsOrigins: Type.Array(Type.String({ pattern: '^https?://[^/?#\\s]+$' })),
  /** attachments (issue 19): per-file limit, per-organization quota, allowed detected types, unattached upload lifetime */
  attachments: Type.Object({
    maxFileBytes: Type.Integer({ minimum: 1, maximum: 1024 * 1024 * 1024 }),
    orgQuotaBytes: Type.Integer({ minimum: 1 }),
    allowedTypes: Type.Array(Type.String({ pattern: '^[a-z0-9.+-]+/[a-z0-9.+-]+$' }), { minItems: 1 }),
    uploadTtlHours: Type.Integer({ minimum: 1, maximum: 24 * 30 })
  })
})

/** what may be attached when ATTACHMENT_ALLOWED_TYPES is not set (detected from the bytes; docs/attachments.md) */
export const DEFAULT_ATTACHMENT_TYPES = [
  'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain', 'text/csv', 'application/xml',
  'message/rfc822', 'application/gzip', 'application/zip'
]

export type Config = Static<typeof ConfigSchema>

export class ConfigError extends Error {
  constructor (readonly variable: string, message: string) {
    super(`Invalid configuration: ${variable} ${message}`)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

const int = (env: Env, name: string, fallback: number): number => {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer, got "${raw}"`)
  return Number(raw)
}

const num = (env: Env, name: string, fallback: number): number => {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new ConfigError(name, `must be a number, got "${raw}"`)
  return Number(raw)
}

const bool = (env: Env, name: string, fallback: boolean): boolean => {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const v = raw.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(v)) return true
  if (['0', 'false', 'no', 'off'].includes(v)) return false
  throw new ConfigError(name, `must be true or false, got "${raw}"`)
}

const str = (env: Env, name: string): string | undefined => {
  const raw = env[name]
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim()
}

/** maps a config path (as reported by the validator) back to the environment variable that sets it */
const VARIABLE_FOR_PATH: Record<string, string> = {
  '/port': 'PORT',
  '/host': 'HOST',
  '/databaseUrl': 'DATABASE_URL',
  '/pgliteDir': 'PGLITE_DIR',
  '/dbPoolMax': 'DB_POOL_MAX',
  '/logLevel': 'LOG_LEVEL',
  '/migrateOnStart': 'MIGRATE_ON_START',
  '/seedDemoData': 'SEED_DEMO_DATA',
  '/jwt/issuer': 'JWT_ISSUER',
  '/jwt/audience': 'JWT_AUDIENCE',
  '/jwt/jwksUrl': 'JWT_JWKS_URL',
  '/jwt/publicKey': 'JWT_PUBLIC_KEY',
  '/jwt/devKeysDir': 'AUTH_DEV_KEYS',
  '/jwt/clockToleranceSeconds': 'JWT_CLOCK_TOLERANCE_SECONDS',
  '/jwt/jwksCacheSeconds': 'JWT_JWKS_CACHE_SECONDS',
  '/jwt/jwksCooldownSeconds': 'JWT_JWKS_COOLDOWN_SECONDS',
  '/jwt/jwksTimeoutMs': 'JWT_JWKS_TIMEOUT_MS',
  '/idempotencyTtlHours': 'IDEMPOTENCY_TTL_HOURS',
  '/rateLimit/max': 'RATE_LIMIT_MAX',
  '/rateLimit/windowSeconds': 'RATE_LIMIT_WINDOW_SECONDS',
  '/rateLimit/redisUrl': 'RATE_LIMIT_REDIS_URL',
  '/rateLimit/redisPrefix': 'RATE_LIMIT_REDIS_PREFIX',
  '/heapGrowthPercent': 'HEAP_GROWTH_PERCENT',
  '/receivedAtMaxAgeDays': 'RECEIVED_AT_MAX_AGE_DAYS',
  '/publicUrl': 'PUBLIC_URL',
  '/http/requestTimeoutMs': 'HTTP_REQUEST_TIMEOUT_MS',
  '/http/headersTimeoutMs': 'HTTP_HEADERS_TIMEOUT_MS',
  '/http/keepAliveTimeoutMs': 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
  '/http/maxRequestsPerSocket': 'HTTP_MAX_REQUESTS_PER_SOCKET',
  '/http/maxConnections': 'HTTP_MAX_CONNECTIONS',
  '/dbHealth/intervalMs': 'DB_HEALTH_INTERVAL_MS',
  '/dbHealth/timeoutMs': 'DB_HEALTH_TIMEOUT_MS',
  '/dbHealth/connectTimeoutMs': 'DB_CONNECT_TIMEOUT_MS',
  '/email/smtpUrl': 'SMTP_URL',
  '/email/mailFrom': 'MAIL_FROM',
  '/email/tokenSecret': 'EMAIL_TOKEN_SECRET',
  '/email/templatesDir': 'EMAIL_TEMPLATES_DIR',
  '/email/inboundSmtpPort': 'INBOUND_SMTP_PORT',
  '/email/inboundSmtpHost': 'INBOUND_SMTP_HOST',
  '/email/inboundSecret': 'INBOUND_EMAIL_SECRET',
  '/email/maxMessageBytes': 'EMAIL_MAX_BYTES',
  '/attachments/maxFileBytes': 'ATTACHMENT_MAX_BYTES',
  '/attachments/orgQuotaBytes': 'ATTACHMENT_ORG_QUOTA_BYTES',
  '/attachments/allowedTypes': 'ATTACHMENT_ALLOWED_TYPES',
  '/attachments/uploadTtlHours': 'ATTACHMENT_UPLOAD_TTL_HOURS',
  '/workers': 'WORKERS',
  '/api': 'API',
  '/jobsPollIntervalSeconds': 'JOBS_POLL_INTERVAL_SECONDS',
  '/jobsSuperviseIntervalSeconds': 'JOBS_SUPERVISE_INTERVAL_SECONDS',
  '/webhooks/leaseSeconds': 'WEBHOOK_LEASE_SECONDS',
  '/webhooks/jobExpireSeconds': 'WEBHOOK_JOB_EXPIRE_SECONDS',
  '/corsOrigins': 'CORS_ORIGINS',
  '/webhooks/allowedHosts': 'WEBHOOK_ALLOWED_HOSTS',
  '/webhooks/concurrency': 'WEBHOOK_CONCURRENCY'
}

export function loadConfig (env: Env): Config {
  const candidate = {
    port: int(env, 'PORT', 3000),
    host: str(env, 'HOST') ?? '127.0.0.1',
    databaseUrl: str(env, 'DATABASE_URL'),
    pgliteDir: str(env, 'PGLITE_DIR') ?? '.data/pglite',
    dbPoolMax: int(env, 'DB_POOL_MAX', 10),
    logLevel: str(env, 'LOG_LEVEL') ?? 'info',
    migrateOnStart: bool(env, 'MIGRATE_ON_START', true),
    seedDemoData: bool(env, 'SEED_DEMO_DATA', false),
    jwt: {
      issuer: str(env, 'JWT_ISSUER') ?? 'support-desk',
      audience: str(env, 'JWT_AUDIENCE') ?? 'support-desk-api',
      jwksUrl: str(env, 'JWT_JWKS_URL'),
      publicKey: str(env, 'JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n'),
      devKeysDir: str(env, 'AUTH_DEV_KEYS'),
      clockToleranceSeconds: int(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 30),
      jwksCacheSeconds: int(env, 'JWT_JWKS_CACHE_SECONDS', 600),
      jwksCooldownSeconds: int(env, 'JWT_JWKS_COOLDOWN_SECONDS', 30),
      jwksTimeoutMs: int(env, 'JWT_JWKS_TIMEOUT_MS', 2_000)
    },
    idempotencyTtlHours: int(env, 'IDEMPOTENCY_TTL_HOURS', 24),
    rateLimit: {
      max: int(env, 'RATE_LIMIT_MAX', 6000),
      windowSeconds: int(env, 'RATE_LIMIT_WINDOW_SECONDS', 60),
      redisUrl: str(env, 'RATE_LIMIT_REDIS_URL'),
      redisPrefix: str(env, 'RATE_LIMIT_REDIS_PREFIX') ?? 'support-desk:rate-limit:'
    },
    heapGrowthPercent: int(env, 'HEAP_GROWTH_PERCENT', 50),
    receivedAtMaxAgeDays: int(env, 'RECEIVED_AT_MAX_AGE_DAYS', 30),
    http: {
      requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000),
      headersTimeoutMs: int(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000),
      keepAliveTimeoutMs: int(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000),
      maxRequestsPerSocket: int(env, 'HTTP_MAX_REQUESTS_PER_SOCKET', 0),
      maxConnections: int(env, 'HTTP_MAX_CONNECTIONS', 10_000)
    },
    dbHealth: {
      intervalMs: int(env, 'DB_HEALTH_INTERVAL_MS', 500),
      timeoutMs: int(env, 'DB_HEALTH_TIMEOUT_MS', 1_000),
      connectTimeoutMs: int(env, 'DB_CONNECT_TIMEOUT_MS', 2_000)
    },
    publicUrl: str(env, 'PUBLIC_URL'),
    attachments: {
      maxFileBytes: int(env, 'ATTACHMENT_MAX_BYTES', 25 * 1024 * 1024),
      orgQuotaBytes: int(env, 'ATTACHMENT_ORG_QUOTA_BYTES', 1024 * 1024 * 1024),
      allowedTypes: (str(env, 'ATTACHMENT_ALLOWED_TYPES')?.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '')) ?? DEFAULT_ATTACHMENT_TYPES,
      uploadTtlHours: int(env, 'ATTACHMENT_UPLOAD_TTL_HOURS', 24)
    },
    workers: bool(env, 'WORKERS', true),
    api: bool(env, 'API', true),
    jobsPollIntervalSeconds: num(env, 'JOBS_POLL_INTERVAL_SECONDS', 1),
    jobsSuperviseIntervalSeconds: int(env, 'JOBS_SUPERVISE_INTERVAL_SECONDS', 10),
    email: {
      smtpUrl: str(env, 'SMTP_URL'),
      mailFrom: str(env, 'MAIL_FROM'),
      tokenSecret: str(env, 'EMAIL_TOKEN_SECRET'),
      templatesDir: str(env, 'EMAIL_TEMPLATES_DIR') ?? 'templates/email',
      inboundSmtpPort: str(env, 'INBOUND_SMTP_PORT') === undefined ? undefined : int(env, 'INBOUND_SMTP_PORT', 0),
      inboundSmtpHost: str(env, 'INBOUND_SMTP_HOST') ?? '127.0.0.1',
      inboundSecret: str(env, 'INBOUND_EMAIL_SECRET'),
      maxMessageBytes: int(env, 'EMAIL_MAX_BYTES', 10 * 1024 * 1024)
    },
    corsOrigins: (str(env, 'CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter((o) => o !== ''),
    webhooks: {
      allowedHosts: (str(env, 'WEBHOOK_ALLOWED_HOSTS') ?? '').split(',').map((h) => h.trim()).filter((h) => h !== ''),
      concurrency: int(env, 'WEBHOOK_CONCURRENCY', 64),
      leaseSeconds: int(env, 'WEBHOOK_LEASE_SECONDS', 30),
      jobExpireSeconds: int(env, 'WEBHOOK_JOB_EXPIRE_SECONDS', 60)
    }
  }
  // drop undefined optionals so the validator sees them as absent
  const cleaned = JSON.parse(JSON.stringify(candidate)) as unknown
  const firstError = Value.Errors(ConfigSchema, cleaned).First()
  if (firstError !== undefined) {
    const variable = VARIABLE_FOR_PATH[firstError.path] ?? VARIABLE_FOR_PATH[firstError.path.replace(/\/\d+$/, '')] ?? firstError.path
    throw new ConfigError(variable, `is invalid: ${firstError.message}`)
  }
  const config = cleaned as Config
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', `must not exceed HTTP_REQUEST_TIMEOUT_MS (${config.http.requestTimeoutMs})`)
  }
  const keySources = [config.jwt.jwksUrl, config.jwt.publicKey, config.jwt.devKeysDir].filter((v) => v !== undefined)
  if (!config.api && !config.workers) throw new ConfigError('API', 'and WORKERS are both false: this replica would do nothing')
  if (keySources.length === 0) {
    throw new ConfigError('JWT_JWKS_URL', 'or JWT_PUBLIC_KEY (or AUTH_DEV_KEYS for local development) must be set: the API cannot verify tokens without a key')
  }
  if (keySources.length > 1) {
    throw new ConfigError('JWT_JWKS_URL', 'JWT_JWKS_URL, JWT_PUBLIC_KEY and AUTH_DEV_KEYS are exclusive: set exactly one')
  }
  const mail = config.email
  if ((mail.smtpUrl === undefined) !== (mail.mailFrom === undefined)) {
    throw new ConfigError(mail.smtpUrl === undefined ? 'SMTP_URL' : 'MAIL_FROM', 'SMTP_URL and MAIL_FROM go together: set both to send email, or neither')
  }
  const emailUsed = mail.smtpUrl !== undefined || mail.inboundSmtpPort !== undefined || mail.inboundSecret !== undefined
  if (emailUsed && mail.tokenSecret === undefined) {
    throw new ConfigError('EMAIL_TOKEN_SECRET', 'must be set (16+ characters) when SMTP_URL, INBOUND_SMTP_PORT or INBOUND_EMAIL_SECRET is: it signs the reply addresses')
  }
  if ((mail.inboundSmtpPort !== undefined || mail.inboundSecret !== undefined) && mail.mailFrom === undefined) {
    throw new ConfigError('MAIL_FROM', 'must be set when inbound email is on: it is the support address mail is received at')
  }
  return config
}
