import t, { type Test } from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'

const PEM = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----'
const base = { JWT_PUBLIC_KEY: PEM }

const expectVariable = (t: Test, env: Record<string, string>, variable: string) => {
  let caught: unknown
  try { loadConfig(env) } catch (err) { caught = err }
  t.ok(caught instanceof ConfigError, `${variable}: throws a ConfigError`)
  t.equal((caught as ConfigError).variable, variable)
  t.match((caught as ConfigError).message, variable)
}

t.test('defaults', async (t) => {
  const c = loadConfig(base)
  t.equal(c.port, 3000)
  t.equal(c.host, '127.0.0.1')
  t.equal(c.databaseUrl, undefined)
  t.equal(c.pgliteDir, '.data/pglite')
  t.equal(c.logLevel, 'info')
  t.equal(c.idempotencyTtlHours, 24)
  t.equal(c.heapGrowthPercent, 50)
})

t.test('reads every documented variable', async (t) => {
  const c = loadConfig({ ...base, PORT: '4000', HOST: '0.0.0.0', DATABASE_URL: 'postgres://u@h:5432/db', PGLITE_DIR: '/tmp/x', LOG_LEVEL: 'warn', JWT_ISSUER: 'iss', JWT_AUDIENCE: 'aud', DB_POOL_MAX: '7', HEAP_GROWTH_PERCENT: '0' })
  t.match(c, { heapGrowthPercent: 0, port: 4000, host: '0.0.0.0', databaseUrl: 'postgres://u@h:5432/db', pgliteDir: '/tmp/x', logLevel: 'warn', dbPoolMax: 7, jwt: { issuer: 'iss', audience: 'aud', publicKey: PEM } })
})

t.test('invalid values name the variable', async (t) => {
  expectVariable(t, { ...base, PORT: 'eighty' }, 'PORT')
  expectVariable(t, { ...base, PORT: '70000' }, 'PORT')
  expectVariable(t, { ...base, LOG_LEVEL: 'loud' }, 'LOG_LEVEL')
  expectVariable(t, { ...base, DATABASE_URL: 'mysql://x' }, 'DATABASE_URL')
  expectVariable(t, { ...base, MIGRATE_ON_START: 'maybe' }, 'MIGRATE_ON_START')
  expectVariable(t, { ...base, HEAP_GROWTH_PERCENT: '-5' }, 'HEAP_GROWTH_PERCENT')
  expectVariable(t, { ...base, HEAP_GROWTH_PERCENT: '1000' }, 'HEAP_GROWTH_PERCENT')
  expectVariable(t, { JWT_PUBLIC_KEY: 'not a pem' }, 'JWT_PUBLIC_KEY')
  expectVariable(t, { JWT_JWKS_URL: 'ftp://keys' }, 'JWT_JWKS_URL')
})

t.test('a key source is required, and only one', async (t) => {
  expectVariable(t, {}, 'JWT_JWKS_URL')
  expectVariable(t, { ...base, AUTH_DEV_KEYS: '.data/dev-keys' }, 'JWT_JWKS_URL')
  t.equal(loadConfig({ AUTH_DEV_KEYS: '.data/dev-keys' }).jwt.devKeysDir, '.data/dev-keys')
})

t.test('reliability variables (issue 11): defaults, reading, and invalid values name the variable', async (t) => {
  const d = loadConfig(base)
  t.same(d.http, { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 72_000, maxRequestsPerSocket: 0, maxConnections: 10_000 })
  t.same(d.dbHealth, { intervalMs: 500, timeoutMs: 1_000, connectTimeoutMs: 2_000 })
  t.match(d.rateLimit, { redisUrl: undefined, redisPrefix: 'support-desk:rate-limit:' })
  t.match(d.jwt, { jwksCacheSeconds: 600, jwksCooldownSeconds: 30, jwksTimeoutMs: 2_000 })
  const c = loadConfig({
    ...base,
    HTTP_REQUEST_TIMEOUT_MS: '5000',
    HTTP_HEADERS_TIMEOUT_MS: '4000',
    HTTP_KEEP_ALIVE_TIMEOUT_MS: '6000',
    HTTP_MAX_REQUESTS_PER_SOCKET: '100',
    HTTP_MAX_CONNECTIONS: '50',
    DB_HEALTH_INTERVAL_MS: '250',
    DB_HEALTH_TIMEOUT_MS: '750',
    DB_CONNECT_TIMEOUT_MS: '1500',
    RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:6379',
    RATE_LIMIT_REDIS_PREFIX: 'x:',
    JWT_JWKS_CACHE_SECONDS: '60',
    JWT_JWKS_COOLDOWN_SECONDS: '5',
    JWT_JWKS_TIMEOUT_MS: '900'
  })
  t.same(c.http, { requestTimeoutMs: 5000, headersTimeoutMs: 4000, keepAliveTimeoutMs: 6000, maxRequestsPerSocket: 100, maxConnections: 50 })
  t.same(c.dbHealth, { intervalMs: 250, timeoutMs: 750, connectTimeoutMs: 1500 })
  t.match(c.rateLimit, { redisUrl: 'redis://127.0.0.1:6379', redisPrefix: 'x:' })
  t.match(c.jwt, { jwksCacheSeconds: 60, jwksCooldownSeconds: 5, jwksTimeoutMs: 900 })
  expectVariable(t, { ...base, HTTP_REQUEST_TIMEOUT_MS: '0' }, 'HTTP_REQUEST_TIMEOUT_MS')
  expectVariable(t, { ...base, HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' }, 'HTTP_HEADERS_TIMEOUT_MS')
  expectVariable(t, { ...base, HTTP_MAX_CONNECTIONS: '-1' }, 'HTTP_MAX_CONNECTIONS')
  expectVariable(t, { ...base, DB_HEALTH_TIMEOUT_MS: '10' }, 'DB_HEALTH_TIMEOUT_MS')
  expectVariable(t, { ...base, RATE_LIMIT_REDIS_URL: 'http://redis' }, 'RATE_LIMIT_REDIS_URL')
  expectVariable(t, { ...base, JWT_JWKS_CACHE_SECONDS: '0' }, 'JWT_JWKS_CACHE_SECONDS')
})

t.test('webhook delivery and job recovery variables (issue 13): defaults, reading, and invalid values name the variable', async (t) => {
  const d = loadConfig(base)
  t.match(d.webhooks, { concurrency: 64, leaseSeconds: 30, jobExpireSeconds: 60 })
  t.equal(d.jobsSuperviseIntervalSeconds, 10)
  const c = loadConfig({ ...base, WEBHOOK_CONCURRENCY: '8', WEBHOOK_LEASE_SECONDS: '15', WEBHOOK_JOB_EXPIRE_SECONDS: '5', JOBS_SUPERVISE_INTERVAL_SECONDS: '1' })
  t.match(c.webhooks, { concurrency: 8, leaseSeconds: 15, jobExpireSeconds: 5 })
  t.equal(c.jobsSuperviseIntervalSeconds, 1)
  // the lease must outlive the 10 s attempt timeout, or a slow attempt could be sent twice at once
  expectVariable(t, { ...base, WEBHOOK_LEASE_SECONDS: '10' }, 'WEBHOOK_LEASE_SECONDS')
  expectVariable(t, { ...base, WEBHOOK_JOB_EXPIRE_SECONDS: '0' }, 'WEBHOOK_JOB_EXPIRE_SECONDS')
  expectVariable(t, { ...base, JOBS_SUPERVISE_INTERVAL_SECONDS: '0' }, 'JOBS_SUPERVISE_INTERVAL_SECONDS')
})
