import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { applyFormatBounds } from '../../src/http/schemas/bounds.js'

const KEY = { AUTH_DEV_KEYS: '/tmp/unused-dev-keys' }

t.test('format-derived bounds: strings by format, integer formats by limits; explicit bounds win', async (t) => {
  const schema = applyFormatBounds({
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      at: { type: 'string', format: 'date-time' },
      day: { type: 'string', format: 'date' },
      mail: { type: 'string', format: 'email', maxLength: 100 },
      kind: { type: 'string', format: 'uuid', enum: ['x'] },
      small: { type: 'integer', minimum: 0, maximum: 100 },
      big: { type: 'integer', minimum: 0, maximum: 2 ** 40 },
      open: { type: 'integer' },
      given: { type: 'integer', format: 'int64', minimum: 0, maximum: 1 },
      list: { type: 'array', items: { type: 'string', format: 'uri' } }
    }
  }) as { properties: Record<string, Record<string, unknown>> }
  const p = schema.properties
  t.equal(p.id?.maxLength, 36)
  t.equal(p.at?.maxLength, 64)
  t.equal(p.day?.maxLength, 10)
  t.equal(p.mail?.maxLength, 100)
  t.equal(p.kind?.maxLength, undefined)
  t.equal(p.small?.format, 'int32')
  t.equal(p.big?.format, 'int64')
  t.equal(p.open?.format, 'int64')
  t.equal(p.given?.format, 'int64')
  t.equal((p.list?.items as Record<string, unknown>).maxLength, 2048)
})

t.test('CORS_ORIGINS: comma-separated exact origins; empty means none; anything else names the variable', async (t) => {
  t.same(loadConfig(KEY).corsOrigins, [])
  t.same(loadConfig({ ...KEY, CORS_ORIGINS: ' https://console.example.com , http://localhost:5173 ' }).corsOrigins, ['https://console.example.com', 'http://localhost:5173'])
  for (const bad of ['*', 'console.example.com', 'https://console.example.com/', 'https://a.example.com/path', 'ftp://x']) {
    let variable: string | undefined
    try { loadConfig({ ...KEY, CORS_ORIGINS: bad }) } catch (err) { variable = err instanceof ConfigError ? err.variable : 'not a ConfigError' }
    t.equal(variable, 'CORS_ORIGINS', bad)
  }
})
