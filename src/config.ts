import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/**
 * One typed, validated config object built from the environment. Nothing else in src/ reads process.env.
 * Invalid config fails at start with a message naming the variable.
 *
 * SETTINGS is the one table of the configuration: its nesting is the config object's shape, and each entry gives the
 * environment variable, the TypeBox schema it is validated against, how the raw string is read, the default and the
 * description the README's configuration table is made from (test/unit/config-readme.test.ts holds the two together;
 * `node --import tsx scripts/config-readme.ts --write` rewrites the README's table).
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** what may be attached when ATTACHMENT_ALLOWED_TYPES is not set (detected from the bytes; docs/attachments.md) */
export const DEFAULT_ATTACHMENT_TYPES = [
  'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain', 'text/csv', 'application/xml',
  'message/rfc822', 'application/gzip', 'application/zip'
]

export class ConfigError extends Error {
  constructor (readonly variable: string, message: string) {
    super(`Invalid configuration: ${variable} ${message}`)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

/** reads one variable's raw text; undefined when it is not set (the setting's default then applies) */
type Read = (env: Env, variable: string) => unknown

const int: Read = (env, name) => {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer, got "${raw}"`)
  return Number(raw)
}

const num: Read = (env, name) => {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new ConfigError(name, `must be a number, got "${raw}"`)
  return Number(raw)
}

const bool: Read = (env, name) => {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  const v = raw.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(v)) return true
  if (['0', 'false', 'no', 'off'].includes(v)) return false
  throw new ConfigError(name, `must be true or false, got "${raw}"`)
}

const str = (env: Env, name: string): string | undefined => {
  const raw = env[name]
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim()
}

/** an integer that is absent (not 0) when the variable is blank */
const optionalInt: Read = (env, name) => str(env, name) === undefined ? undefined : int(env, name)

/** a PEM given on one line with literal \n */
const pem: Read = (env, name) => str(env, name)?.replace(/\\n/g, '\n')

/** comma-separated, blank items dropped */
const list: Read = (env, name) => str(env, name)?.split(',').map((item) => item.trim()).filter((item) => item !== '')

const lowerList: Read = (env, name) => (list(env, name) as string[] | undefined)?.map((item) => item.toLowerCase())

export interface Setting<S extends TSchema = TSchema> {
  readonly variable: string
  readonly schema: S
  readonly read: Read
  readonly default?: Static<S>
  /** the README's default column when the value alone does not say it */
  readonly shown?: string
  readonly description: string
}

const setting = <S extends TSchema>(spec: Omit<Setting<S>, 'description'>, description: string): Setting<S> => ({ ...spec, description })

interface SettingTree { readonly [key: string]: Setting | SettingTree }

const isSetting = (node: Setting | SettingTree): node is Setting => typeof node.variable === 'string'

export const SETTINGS = {
  port: setting({ variable: 'PORT', schema: Type.Integer({ minimum: 0, maximum: 65535 }), read: int, default: 3000 },
    'HTTP port'),
  host: setting({ variable: 'HOST', schema: Type.String({ minLength: 1 }), read: str, default: '127.0.0.1' },
    'listen address (`0.0.0.0` in the container)'),
  databaseUrl: setting({ variable: 'DATABASE_URL', schema: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })), read: str },
    '`postgres://…`: use this PostgreSQL server (postgres.js). Unset: embedded PGlite'),
  pgliteDir: setting({ variable: 'PGLITE_DIR', schema: Type.String({ minLength: 1 }), read: str, default: '.data/pglite' },
    'PGlite data folder (persists across restarts)'),
  dbPoolMax: setting({ variable: 'DB_POOL_MAX', schema: Type.Integer({ minimum: 1, maximum: 500 }), read: int, default: 10 },
    'PostgreSQL connection pool size per replica; up to 3× as many requests run at once, more wait (503 `overloaded` beyond 30× or after 5 s) — see docs/performance.md'),
  logLevel: setting({ variable: 'LOG_LEVEL', schema: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l))), read: str, default: 'info' },
    'pino level: fatal, error, warn, info, debug, trace, silent'),
  migrateOnStart: setting({ variable: 'MIGRATE_ON_START', schema: Type.Boolean(), read: bool, default: true },
    'apply committed migrations at start (serialised by an advisory lock across replicas)'),
  seedDemoData: setting({ variable: 'SEED_DEMO_DATA', schema: Type.Boolean(), read: bool, default: false, shown: '`false` (`true` under `make run`)' },
    'create one organization per plan when the database has none'),
  jwt: {
    issuer: setting({ variable: 'JWT_ISSUER', schema: Type.String({ minLength: 1 }), read: str, default: 'support-desk' },
      'required `iss`'),
    audience: setting({ variable: 'JWT_AUDIENCE', schema: Type.String({ minLength: 1 }), read: str, default: 'support-desk-api' },
      'required `aud`'),
    jwksUrl: setting({ variable: 'JWT_JWKS_URL', schema: Type.Optional(Type.String({ pattern: '^https?://' })), read: str },
      "key source 1: the identity provider's JWKS (ES256, EdDSA, RS256)"),
    publicKey: setting({ variable: 'JWT_PUBLIC_KEY', schema: Type.Optional(Type.String({ pattern: '-----BEGIN PUBLIC KEY-----' })), read: pem },
      'key source 2: one PEM public key; its type pins the algorithm (P-256 → ES256, Ed25519 → EdDSA, RSA → RS256)'),
    devKeysDir: setting({ variable: 'AUTH_DEV_KEYS', schema: Type.Optional(Type.String({ minLength: 1 })), read: str },
      'key source 3, local development only: folder holding a generated ES256 key pair. Set by `make run` when no other source is given; never a default'),
    clockToleranceSeconds: setting({ variable: 'JWT_CLOCK_TOLERANCE_SECONDS', schema: Type.Integer({ minimum: 0, maximum: 300 }), read: int, default: 30 },
      'allowed clock skew for `exp`/`nbf`'),
    jwksCacheSeconds: setting({ variable: 'JWT_JWKS_CACHE_SECONDS', schema: Type.Integer({ minimum: 1, maximum: 86_400 }), read: int, default: 600 },
      'the JWKS key set is fetched again after this; a removed key stops working then'),
    jwksCooldownSeconds: setting({ variable: 'JWT_JWKS_COOLDOWN_SECONDS', schema: Type.Integer({ minimum: 0, maximum: 3_600 }), read: int, default: 30 },
      'at most one JWKS fetch per this period (unknown `kid`, stale set, failures)'),
    jwksTimeoutMs: setting({ variable: 'JWT_JWKS_TIMEOUT_MS', schema: Type.Integer({ minimum: 100, maximum: 60_000 }), read: int, default: 2_000 },
      'a JWKS fetch not answered within this fails; the last good key set stays in use')
  },
  idempotencyTtlHours: setting({ variable: 'IDEMPOTENCY_TTL_HOURS', schema: Type.Integer({ minimum: 1, maximum: 24 * 30 }), read: int, default: 24 },
    'how long an `Idempotency-Key` is remembered'),
  rateLimit: {
    max: setting({ variable: 'RATE_LIMIT_MAX', schema: Type.Integer({ minimum: 0 }), read: int, default: 6000 },
      'requests per window per matched route and caller (0 disables)'),
    windowSeconds: setting({ variable: 'RATE_LIMIT_WINDOW_SECONDS', schema: Type.Integer({ minimum: 1, maximum: 3600 }), read: int, default: 60 },
      'the rate-limit window, in seconds (see `RATE_LIMIT_MAX`)'),
    redisUrl: setting({ variable: 'RATE_LIMIT_REDIS_URL', schema: Type.Optional(Type.String({ pattern: '^rediss?://' })), read: str },
      '`redis://…`: keep the rate-limit counters in this Redis, so N replicas enforce one limit. Unset: in memory per replica. Redis unreachable: requests pass (logged)'),
    redisPrefix: setting({ variable: 'RATE_LIMIT_REDIS_PREFIX', schema: Type.String({ minLength: 1, maxLength: 200 }), read: str, default: 'support-desk:rate-limit:' },
      'key prefix of the counters in Redis')
  },
  heapGrowthPercent: setting({ variable: 'HEAP_GROWTH_PERCENT', schema: Type.Integer({ minimum: 0, maximum: 400 }), read: int, default: 50 },
    "V8 heap growth allowed between full GCs, in percent of the live heap (`--heap-growing-percent`, set by the server at start); bounds RSS under load without a hard heap limit. `0` keeps V8's heuristics — see docs/performance.md"),
  receivedAtMaxAgeDays: setting({ variable: 'RECEIVED_AT_MAX_AGE_DAYS', schema: Type.Integer({ minimum: 0, maximum: 3650 }), read: int, default: 30 },
    'how far back a staff-given `receivedAt` (when the customer really made contact) may be; older is 422 `received-at-too-old`'),
  http: {
    requestTimeoutMs: setting({ variable: 'HTTP_REQUEST_TIMEOUT_MS', schema: Type.Integer({ minimum: 1, maximum: 3_600_000 }), read: int, default: 30_000 },
      'a request (headers and body) must arrive within this, else 408 `request-timeout` and the connection is closed'),
    headersTimeoutMs: setting({ variable: 'HTTP_HEADERS_TIMEOUT_MS', schema: Type.Integer({ minimum: 1, maximum: 3_600_000 }), read: int, default: 10_000 },
      'the request headers must arrive within this (≤ `HTTP_REQUEST_TIMEOUT_MS`), else 408'),
    keepAliveTimeoutMs: setting({ variable: 'HTTP_KEEP_ALIVE_TIMEOUT_MS', schema: Type.Integer({ minimum: 1, maximum: 3_600_000 }), read: int, default: 72_000 },
      "an idle keep-alive connection is closed after this (keep it above the load balancer's idle timeout)"),
    maxRequestsPerSocket: setting({ variable: 'HTTP_MAX_REQUESTS_PER_SOCKET', schema: Type.Integer({ minimum: 0, maximum: 1_000_000 }), read: int, default: 0 },
      'requests served on one connection before it is closed (0: no limit)'),
    maxConnections: setting({ variable: 'HTTP_MAX_CONNECTIONS', schema: Type.Integer({ minimum: 0, maximum: 1_000_000 }), read: int, default: 10_000 },
      'open connections per process; more are closed at once (0: no limit)')
  },
  dbHealth: {
    intervalMs: setting({ variable: 'DB_HEALTH_INTERVAL_MS', schema: Type.Integer({ minimum: 50, maximum: 60_000 }), read: int, default: 500 },
      'PostgreSQL availability probe period (its own connection) — see docs/reliability.md'),
    timeoutMs: setting({ variable: 'DB_HEALTH_TIMEOUT_MS', schema: Type.Integer({ minimum: 50, maximum: 60_000 }), read: int, default: 1_000 },
      'a probe not answered within this marks the database unavailable: requests that need it get 503 `database-unavailable` at once'),
    connectTimeoutMs: setting({ variable: 'DB_CONNECT_TIMEOUT_MS', schema: Type.Integer({ minimum: 100, maximum: 60_000 }), read: int, default: 2_000 },
      'PostgreSQL connection attempt timeout (pool and probe)')
  },
  workers: setting({ variable: 'WORKERS', schema: Type.Boolean(), read: bool, default: true },
    'run the durable job workers (SLA timers, …) in this replica; `false` = API only (it still schedules jobs) — see docs/jobs.md'),
  api: setting({ variable: 'API', schema: Type.Boolean(), read: bool, default: true },
    'serve the HTTP API; `API=false` (with `WORKERS=true`) = a worker-only replica that listens on no port, so API and workers scale apart'),
  jobsPollIntervalSeconds: setting({ variable: 'JOBS_POLL_INTERVAL_SECONDS', schema: Type.Number({ minimum: 0.5, maximum: 60 }), read: num, default: 1 },
    'idle poll interval of the job workers (≥ 0.5); bounds how late a timer fires when workers are idle'),
  jobsSuperviseIntervalSeconds: setting({ variable: 'JOBS_SUPERVISE_INTERVAL_SECONDS', schema: Type.Integer({ minimum: 1, maximum: 300 }), read: int, default: 10 },
    "how often pg-boss returns expired jobs (a killed worker's) to their queue"),
  webhooks: {
    allowedHosts: setting({ variable: 'WEBHOOK_ALLOWED_HOSTS', schema: Type.Array(Type.String({ minLength: 1 })), read: list, default: [], shown: '—' },
      'comma-separated `host` / `host:port` exempt from the webhook URL rules (https, public addresses): local development and tests only, **unsafe in production** — see docs/webhooks.md'),
    concurrency: setting({ variable: 'WEBHOOK_CONCURRENCY', schema: Type.Integer({ minimum: 1, maximum: 256 }), read: int, default: 64 },
      'webhook deliveries sent at once by one delivery poller (two per replica) — see docs/webhooks.md'),
    leaseSeconds: setting({ variable: 'WEBHOOK_LEASE_SECONDS', schema: Type.Integer({ minimum: 11, maximum: 3600 }), read: int, default: 30 },
      'how long a webhook delivery being sent is reserved for its worker (≥ 11: more than the 10 s attempt timeout)'),
    jobExpireSeconds: setting({ variable: 'WEBHOOK_JOB_EXPIRE_SECONDS', schema: Type.Integer({ minimum: 1, maximum: 3600 }), read: int, default: 60 },
      "a webhook delivery job running longer is handed to another replica (how soon a killed replica's deliveries are sent again, plus the supervise interval)")
  },
  publicUrl: setting({ variable: 'PUBLIC_URL', schema: Type.Optional(Type.String()), read: str, shown: '`http://HOST:PORT`' },
    "base URL printed in start-up hints and the contract's `servers` (Swagger UI's \"Try it out\" calls it)"),
  email: {
    smtpUrl: setting({ variable: 'SMTP_URL', schema: Type.Optional(Type.String({ pattern: '^smtps?://' })), read: str },
      'outbound email relay (`smtp://…`, `smtps://…`); set together with `MAIL_FROM`, or neither. Unset: email is off and tickets say `email.enabled: false` — see docs/email.md'),
    mailFrom: setting({ variable: 'MAIL_FROM', schema: Type.Optional(Type.String({ pattern: '@' })), read: str },
      'the support address (`Acme Support <support@desk.example>`); set together with `SMTP_URL`, or neither'),
    tokenSecret: setting({ variable: 'EMAIL_TOKEN_SECRET', schema: Type.Optional(Type.String({ minLength: 16 })), read: str },
      'HMAC key (16+ chars) of the per-ticket reply addresses `support+<token>@…`; required once any email setting is on'),
    templatesDir: setting({ variable: 'EMAIL_TEMPLATES_DIR', schema: Type.String({ minLength: 1 }), read: str, default: 'templates/email' },
      'the editable message templates (one `.txt` with a `Subject:` line and one `.html` per kind)'),
    inboundSmtpPort: setting({ variable: 'INBOUND_SMTP_PORT', schema: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })), read: optionalInt, shown: 'off' },
      "the service's own SMTP listener for inbound mail (put it behind your MX); unset: off"),
    inboundSmtpHost: setting({ variable: 'INBOUND_SMTP_HOST', schema: Type.String({ minLength: 1 }), read: str, default: '127.0.0.1' },
      'the address the inbound SMTP listener binds to (with `INBOUND_SMTP_PORT`)'),
    inboundSecret: setting({ variable: 'INBOUND_EMAIL_SECRET', schema: Type.Optional(Type.String({ minLength: 16 })), read: str },
      'shared secret of `POST /v1/inbound-email` (`X-Inbound-Signature: sha256=<HMAC of the raw message>`); unset: that route is off'),
    maxMessageBytes: setting({ variable: 'EMAIL_MAX_BYTES', schema: Type.Integer({ minimum: 1024, maximum: 50 * 1024 * 1024 }), read: int, default: 10 * 1024 * 1024 },
      'largest inbound message (10 MB)')
  },
  corsOrigins: setting({ variable: 'CORS_ORIGINS', schema: Type.Array(Type.String({ pattern: '^https?://[^/?#\\s]+$' })), read: list, default: [], shown: '(empty)' },
    'comma-separated exact origins (`https://console.example.com`) allowed to call the API from a browser; empty: no cross-origin access. No credentials mode; preflight cached 600 s; exposes ETag, Location, RateLimit, RateLimit-Policy, Retry-After, Idempotent-Replayed, X-Request-Id'),
  attachments: {
    maxFileBytes: setting({ variable: 'ATTACHMENT_MAX_BYTES', schema: Type.Integer({ minimum: 1, maximum: 1024 * 1024 * 1024 }), read: int, default: 25 * 1024 * 1024, shown: '`26214400` (25 MiB)' },
      'largest file per upload (413 `attachment-too-large`) — docs/attachments.md'),
    orgQuotaBytes: setting({ variable: 'ATTACHMENT_ORG_QUOTA_BYTES', schema: Type.Integer({ minimum: 1 }), read: int, default: 1024 * 1024 * 1024, shown: '`1073741824` (1 GiB)' },
      'stored attachment bytes per organization, each distinct content once (422 `attachment-quota-exceeded`)'),
    allowedTypes: setting({ variable: 'ATTACHMENT_ALLOWED_TYPES', schema: Type.Array(Type.String({ pattern: '^[a-z0-9.+-]+/[a-z0-9.+-]+$' }), { minItems: 1 }), read: lowerList, default: DEFAULT_ATTACHMENT_TYPES, shown: 'images, PDF, text, CSV, XML, .eml, gzip, zip' },
      'comma-separated detected types that may be uploaded (`image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/csv,application/xml,message/rfc822,application/gzip,application/zip`)'),
    uploadTtlHours: setting({ variable: 'ATTACHMENT_UPLOAD_TTL_HOURS', schema: Type.Integer({ minimum: 1, maximum: 24 * 30 }), read: int, default: 24 },
      'an upload not attached within this time is deleted (by an `upload-expiry` job)')
  }
} satisfies SettingTree

type SchemaOf<T> = TObject<{ -readonly [K in keyof T]: T[K] extends Setting<infer S> ? S : SchemaOf<T[K]> }>

const schemaOf = (tree: SettingTree): TObject =>
  Type.Object(Object.fromEntries(Object.entries(tree).map(([key, node]) => [key, isSetting(node) ? node.schema : schemaOf(node)])))

export const ConfigSchema = schemaOf(SETTINGS) as SchemaOf<typeof SETTINGS>

export type Config = Static<typeof ConfigSchema>

/** every setting with its config path (`/jwt/issuer`), in table order */
export const settingsList = (tree: SettingTree = SETTINGS, prefix = ''): Array<{ path: string, setting: Setting }> =>
  Object.entries(tree).flatMap(([key, node]) => isSetting(node) ? [{ path: `${prefix}/${key}`, setting: node }] : settingsList(node, `${prefix}/${key}`))

/** maps a config path (as reported by the validator) back to the environment variable that sets it */
const VARIABLE_FOR_PATH: Record<string, string> = Object.fromEntries(settingsList().map(({ path, setting }) => [path, setting.variable]))

const readTree = (env: Env, tree: SettingTree): Record<string, unknown> =>
  Object.fromEntries(Object.entries(tree).map(([key, node]) => [key, isSetting(node) ? node.read(env, node.variable) ?? node.default : readTree(env, node)]))

export function loadConfig (env: Env): Config {
  const candidate = readTree(env, SETTINGS)
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
