import { createLocalJWKSet, errors as joseErrors, importSPKI, jwtVerify, type JSONWebKeySet, type JWSHeaderParameters, type FlattenedJWSInput, type JWTPayload, type JWTVerifyGetKey, type CryptoKey } from 'jose'
import { ROLES, type Principal, type Role } from '../domain/access.js'
import { DomainError } from '../domain/errors.js'
import { algorithmOfPublicKey, type SigningAlg } from './keys.js'

export interface VerifierOptions {
  issuer: string
  audience: string
  clockToleranceSeconds: number
  /** exactly one key source */
  jwksUrl?: string
  publicKeyPem?: string
  jwks?: JwksOptions
}

export interface JwksOptions {
  /** a fetched key set is used this long before it is fetched again (default 600 s) */
  cacheMaxAgeMs?: number
  /** at most one fetch per this period, whatever happens (unknown kid, stale set, failures) (default 30 s) */
  cooldownMs?: number
  /** a fetch not answered within this fails (default 2 s) */
  timeoutMs?: number
  onError?: (err: unknown) => void
}

/**
 * The identity provider's key set (issue 11), instead of jose's createRemoteJWKSet, whose behaviour does not fit:
 * once its cache is older than cacheMaxAge every verification waits for a refetch and fails when the endpoint is
 * unreachable (cached keys stop working), and failed fetches are retried on every request. Here:
 * - a token whose `kid` is unknown triggers a refetch, at most one per cooldown (a new key is accepted after it);
 * - after cacheMaxAge the set is fetched again (at most once per cooldown), so a removed key stops working then;
 * - when the endpoint is unreachable or answers garbage, the last good set keeps being used (logged);
 * - a fetch is bounded by timeoutMs and shared by concurrent verifications. Failures are 401s, never 5xx.
 */
export class JwksKeySource {
  private local: ReturnType<typeof createLocalJWKSet> | undefined
  private fetchedAt = -Infinity
  private attemptedAt = -Infinity
  private pending: Promise<void> | undefined
  readonly cacheMaxAgeMs: number
  private readonly cooldownMs: number
  private readonly timeoutMs: number

  constructor (private readonly url: string, private readonly options: JwksOptions = {}, private readonly now: () => number = Date.now) {
    this.cacheMaxAgeMs = options.cacheMaxAgeMs ?? 600_000
    this.cooldownMs = options.cooldownMs ?? 30_000
    this.timeoutMs = options.timeoutMs ?? 2_000
  }

  private async refresh (): Promise<void> {
    if (this.pending !== undefined) { await this.pending; return }
    if (this.now() - this.attemptedAt < this.cooldownMs) return
    this.attemptedAt = this.now()
    this.pending = (async () => {
      try {
        const res = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'manual', headers: { accept: 'application/json, application/jwk-set+json' } })
        if (res.status !== 200) throw new Error(`JWKS endpoint answered ${res.status}`)
        const json = await res.json() as JSONWebKeySet
        if (json === null || typeof json !== 'object' || !Array.isArray(json.keys)) throw new Error('JWKS endpoint answered something that is not a key set')
        this.local = createLocalJWKSet(json)
        this.fetchedAt = this.now()
      } catch (err) {
        this.options.onError?.(err) // keep the last good set
      } finally {
        this.pending = undefined
      }
    })()
    await this.pending
  }

  getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    if (this.local === undefined || this.now() - this.fetchedAt >= this.cacheMaxAgeMs) await this.refresh()
    if (this.local === undefined) throw new joseErrors.JWKSNoMatchingKey('No key set could be fetched from the JWKS endpoint')
    try {
      return await this.local(header, token)
    } catch (err) {
      if (!(err instanceof joseErrors.JWKSNoMatchingKey)) throw err
      await this.refresh() // unknown kid: the provider may have added a key (rate limited by the cooldown)
      return await this.local(header, token)
    }
  }
}

export type TokenVerifier = (token: string) => Promise<Principal>

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const CACHE_MAX = 10_000

function principalFromClaims (payload: JWTPayload): Principal {
  const sub = payload.sub
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) throw new DomainError('invalid-token', 'The token has no valid `sub` claim')
  const rawRoles = payload.roles
  const roles = (Array.isArray(rawRoles) ? rawRoles : typeof rawRoles === 'string' ? [rawRoles] : [])
  if (roles.length === 0 || !roles.every((r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r))) {
    throw new DomainError('invalid-token', `The token's \`roles\` claim must list one or more of: ${ROLES.join(', ')}`)
  }
  const orgId = payload.org_id
  if (orgId !== undefined && (typeof orgId !== 'string' || !UUID.test(orgId))) {
    throw new DomainError('invalid-token', 'The token\'s `org_id` claim must be an organization id (UUID)')
  }
  const isStaff = roles.includes('agent') || roles.includes('admin')
  if (!isStaff && orgId === undefined) throw new DomainError('invalid-token', 'A customer token must carry an `org_id` claim')
  return { subject: sub, roles: [...new Set(roles)], orgId: orgId === undefined ? null : orgId.toLowerCase() }
}

/**
 * Verifies bearer tokens with jose: pinned algorithms, `iss`, `aud`, `exp`/`nbf` with a small clock skew.
 * Verified tokens are cached (bounded) until their `exp`, so a token is never accepted after it would fail.
 */
export async function createTokenVerifier (options: VerifierOptions, now: () => number = Date.now): Promise<TokenVerifier> {
  let key: CryptoKey | JWTVerifyGetKey
  let algorithms: SigningAlg[]
  /** a verified token is trusted from cache at most this long (a removed JWKS key stops working after the cache time) */
  let trustMs = Infinity
  if (options.publicKeyPem !== undefined) {
    const alg = algorithmOfPublicKey(options.publicKeyPem)
    key = await importSPKI(options.publicKeyPem, alg)
    algorithms = [alg]
  } else if (options.jwksUrl !== undefined) {
    const source = new JwksKeySource(options.jwksUrl, options.jwks, now)
    key = source.getKey as unknown as JWTVerifyGetKey
    trustMs = source.cacheMaxAgeMs
    algorithms = ['ES256', 'EdDSA', 'RS256']
  } else {
    throw new Error('no key source for token verification')
  }
  const cache = new Map<string, { principal: Principal; expMs: number; nbfMs: number }>()

  return async (token: string) => {
    const cached = cache.get(token)
    const t = now()
    if (cached !== undefined) {
      if (t < cached.expMs && t >= cached.nbfMs) return cached.principal
      cache.delete(token)
    }
    let payload: JWTPayload
    try {
      const verified = await jwtVerify(token, key as CryptoKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms,
        clockTolerance: options.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(t)
      })
      payload = verified.payload
    } catch (err) {
      throw new DomainError('invalid-token', describeJoseError(err))
    }
    const principal = principalFromClaims(payload)
    const expMs = Math.min((payload.exp ?? 0) * 1000, t + trustMs)
    const nbfMs = (payload.nbf ?? 0) * 1000 - options.clockToleranceSeconds * 1000
    if (cache.size >= CACHE_MAX) {
      const oldest = cache.keys().next()
      if (oldest.done !== true) cache.delete(oldest.value)
    }
    cache.set(token, { principal, expMs, nbfMs })
    return principal
  }
}

function describeJoseError (err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'The token has expired'
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `The token's \`${err.claim}\` claim is not valid: ${err.reason}`
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'The token is signed with an algorithm that is not allowed'
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is not valid'
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'No key matches the token'
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid) return 'The token is malformed'
  return 'The token could not be verified'
}
