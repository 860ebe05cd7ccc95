import { createRemoteJWKSet, errors as joseErrors, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type CryptoKey } from 'jose'
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
  if (options.publicKeyPem !== undefined) {
    const alg = algorithmOfPublicKey(options.publicKeyPem)
    key = await importSPKI(options.publicKeyPem, alg)
    algorithms = [alg]
  } else if (options.jwksUrl !== undefined) {
    key = createRemoteJWKSet(new URL(options.jwksUrl))
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
    const expMs = (payload.exp ?? 0) * 1000
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
