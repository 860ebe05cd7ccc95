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
    clockToleranceSeconds: Type.Integer({ minimum: 0, maximum: 300 })
  }),
  idempotencyTtlHours: Type.Integer({ minimum: 1, maximum: 24 * 30 }),
  rateLimit: Type.Object({
    /** requests per window per caller; 0 disables */
    max: Type.Integer({ minimum: 0 }),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 3600 })
  }),
  /**
   * V8's old-generation growth per major GC, in percent (server.ts sets --heap-growing-percent): the next full GC
   * runs when the heap reaches live × (1 + p/100). 0 keeps V8's own heuristics, which let a service with ~40 MB live
   * grow to ~200 MB before collecting (issue 7). A soft bound: it never makes the process fail for lack of heap.
   */
  heapGrowthPercent: Type.Integer({ minimum: 0, maximum: 400 }),
  /** run the durable job workers (SLA timers, …) in this replica (WORKERS) */
  workers: Type.Boolean(),
  /** serve the HTTP API in this replica (API); false with WORKERS=true = a worker-only process */
  api: Type.Boolean(),
  /** idle poll interval of the job workers, seconds (JOBS_POLL_INTERVAL_SECONDS) */
  jobsPollIntervalSeconds: Type.Number({ minimum: 0.5, maximum: 60 }),
  /** public base URL used in printed hints; defaults to http://HOST:PORT */
  publicUrl: Type.Optional(Type.String()),
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
  '/idempotencyTtlHours': 'IDEMPOTENCY_TTL_HOURS',
  '/rateLimit/max': 'RATE_LIMIT_MAX',
  '/rateLimit/windowSeconds': 'RATE_LIMIT_WINDOW_SECONDS',
  '/heapGrowthPercent': 'HEAP_GROWTH_PERCENT',
  '/publicUrl': 'PUBLIC_URL',
  '/attachments/maxFileBytes': 'ATTACHMENT_MAX_BYTES',
  '/attachments/orgQuotaBytes': 'ATTACHMENT_ORG_QUOTA_BYTES',
  '/attachments/allowedTypes': 'ATTACHMENT_ALLOWED_TYPES',
  '/attachments/uploadTtlHours': 'ATTACHMENT_UPLOAD_TTL_HOURS',
  '/workers': 'WORKERS',
  '/api': 'API',
  '/jobsPollIntervalSeconds': 'JOBS_POLL_INTERVAL_SECONDS'
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
      clockToleranceSeconds: int(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 30)
    },
    idempotencyTtlHours: int(env, 'IDEMPOTENCY_TTL_HOURS', 24),
    rateLimit: {
      max: int(env, 'RATE_LIMIT_MAX', 6000),
      windowSeconds: int(env, 'RATE_LIMIT_WINDOW_SECONDS', 60)
    },
    heapGrowthPercent: int(env, 'HEAP_GROWTH_PERCENT', 50),
    publicUrl: str(env, 'PUBLIC_URL'),
    attachments: {
      maxFileBytes: int(env, 'ATTACHMENT_MAX_BYTES', 25 * 1024 * 1024),
      orgQuotaBytes: int(env, 'ATTACHMENT_ORG_QUOTA_BYTES', 1024 * 1024 * 1024),
      allowedTypes: (str(env, 'ATTACHMENT_ALLOWED_TYPES')?.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '')) ?? DEFAULT_ATTACHMENT_TYPES,
      uploadTtlHours: int(env, 'ATTACHMENT_UPLOAD_TTL_HOURS', 24)
    },
    workers: bool(env, 'WORKERS', true),
    api: bool(env, 'API', true),
    jobsPollIntervalSeconds: num(env, 'JOBS_POLL_INTERVAL_SECONDS', 1)
  }
  // drop undefined optionals so the validator sees them as absent
  const cleaned = JSON.parse(JSON.stringify(candidate)) as unknown
  const firstError = Value.Errors(ConfigSchema, cleaned).First()
  if (firstError !== undefined) {
    const variable = VARIABLE_FOR_PATH[firstError.path] ?? firstError.path
    throw new ConfigError(variable, `is invalid: ${firstError.message}`)
  }
  const config = cleaned as Config
  const keySources = [config.jwt.jwksUrl, config.jwt.publicKey, config.jwt.devKeysDir].filter((v) => v !== undefined)
  if (!config.api && !config.workers) throw new ConfigError('API', 'and WORKERS are both false: this replica would do nothing')
  if (keySources.length === 0) {
    throw new ConfigError('JWT_JWKS_URL', 'or JWT_PUBLIC_KEY (or AUTH_DEV_KEYS for local development) must be set: the API cannot verify tokens without a key')
  }
  if (keySources.length > 1) {
    throw new ConfigError('JWT_JWKS_URL', 'JWT_JWKS_URL, JWT_PUBLIC_KEY and AUTH_DEV_KEYS are exclusive: set exactly one')
  }
  return config
}
