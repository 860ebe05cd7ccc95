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
