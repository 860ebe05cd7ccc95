import t from 'tap'
import http from 'node:http'
import net from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { createTokenVerifier } from '../../src/auth/verifier.js'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createTestDatabase } from '../helpers/app.js'

/**
 * JWKS key source (issue 11) against a local JWKS endpoint, with a moved clock: a new kid is accepted after a
 * rate-limited refetch, a removed key stops working after the cache time, an unreachable endpoint keeps the cached
 * keys working, and through the API a key source failure is a 401, never a 5xx.
 */
const ISSUER = 'jwks-test'
const AUDIENCE = 'jwks-api'

interface Key { kid: string; privateKey: CryptoKey; jwk: JWK }
async function makeKey (kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  return { kid, privateKey, jwk: { ...await exportJWK(publicKey), kid, alg: 'ES256', use: 'sig' } }
}
const sign = async (key: Key, sub = 'agent-jwks'): Promise<string> =>
  await new SignJWT({ roles: ['agent'] }).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setSubject(sub).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('1h').sign(key.privateKey)

const endpoint = { keys: [] as JWK[], mode: 'up' as 'up' | 'error' | 'hang', fetches: 0 }
const server = http.createServer((req, res) => {
  endpoint.fetches++
  if (endpoint.mode === 'hang') return
  if (endpoint.mode === 'error') { res.writeHead(503).end('down'); return }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: endpoint.keys }))
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
t.teardown(async () => { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) })
const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/.well-known/jwks.json`

const a = await makeKey('key-a')
const b = await makeKey('key-b')

t.test('new kid after a rate-limited refetch; removed key refused after the cache time; unreachable endpoint keeps cached keys', async (t) => {
  let now = Date.now()
  const errors: unknown[] = []
  const verify = await createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: 0, jwksUrl: url, jwks: { cacheMaxAgeMs: 600_000, cooldownMs: 30_000, timeoutMs: 2000, onError: (e) => errors.push(e) } }, () => now)
  const outcome = async (token: string): Promise<string> => await verify(token).then((p) => `ok:${p.subject}`, (e: { code?: string }) => `refused:${e.code ?? '?'}`)
  endpoint.keys = [a.jwk]
  endpoint.fetches = 0

  const tokenA = await sign(a)
  t.equal(await outcome(tokenA), 'ok:agent-jwks')
  t.equal(endpoint.fetches, 1)

  // the provider adds key B: within the cooldown no refetch, so B is refused; after it, one refetch and B is accepted
  endpoint.keys = [a.jwk, b.jwk]
  const tokenB = await sign(b)
  now += 10_000
  t.equal(await outcome(tokenB), 'refused:invalid-token')
  t.equal(endpoint.fetches, 1, 'no refetch within the cooldown')
  now += 25_000
  t.equal(await outcome(tokenB), 'ok:agent-jwks', 'a new kid is accepted after the refetch')
  t.equal(endpoint.fetches, 2)
  for (let i = 0; i < 5; i++) await outcome(await sign(await makeKey(`unknown-${i}`)))
  t.equal(endpoint.fetches, 2, 'a flood of unknown kids causes no refetch within the cooldown')

  // the provider removes key A: still accepted until the cache time, refused after it (also the cached verification)
  endpoint.keys = [b.jwk]
  const tokenA2 = await sign(a, 'agent-jwks-2')
  now += 60_000
  t.equal(await outcome(tokenA2), 'ok:agent-jwks-2', 'within the cache time the old set is used')
  now += 600_000
  t.equal(await outcome(tokenA), 'refused:invalid-token', 'a removed key stops working after the cache time (cached verification too)')
  t.equal(await outcome(tokenA2), 'refused:invalid-token')
  t.equal(await outcome(tokenB), 'ok:agent-jwks')

  // the endpoint fails (error status, then no answer): the cached set keeps working, fetches stay rate limited
  for (const mode of ['error', 'hang'] as const) {
    endpoint.mode = mode
    now += 700_000
    const before = endpoint.fetches
    t.equal(await outcome(await sign(b, `during-${mode}`)), `ok:during-${mode}`, `endpoint ${mode}: cached key still works`)
    t.equal(await outcome(await sign(b, `again-${mode}`)), `ok:again-${mode}`)
    t.equal(endpoint.fetches - before, 1, 'one attempt per cooldown')
  }
  t.ok(errors.length >= 2, 'failures reported')
  endpoint.mode = 'up'
})

t.test('through the API: an unreachable JWKS endpoint with nothing cached is a 401, never a 5xx', async (t) => {
  const closed = net.createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const deadPort = (closed.address() as net.AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  const { database } = await createTestDatabase(t)
  for (const jwksUrl of [`http://127.0.0.1:${deadPort}/jwks.json`, url]) {
    endpoint.mode = 'error'
    const config = loadConfig({ JWT_JWKS_URL: jwksUrl, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, LOG_LEVEL: 'silent', JWT_JWKS_TIMEOUT_MS: '300' })
    const app = await buildApp(config, { database, docsUi: false })
    t.teardown(async () => { await app.close() })
    const res = await app.inject({ method: 'GET', url: '/v1/organizations', headers: { authorization: `Bearer ${await sign(a)}` } })
    t.equal(res.statusCode, 401)
    t.match(res.json(), { code: 'invalid-token' })
  }
  endpoint.mode = 'up'
})
