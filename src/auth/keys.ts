import { createPublicKey } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT, type CryptoKey } from 'jose'

export type SigningAlg = 'ES256' | 'EdDSA' | 'RS256'

/** the one algorithm a PEM public key may verify: pinned from the key itself, never from the token header */
export function algorithmOfPublicKey (pem: string): SigningAlg {
  const key = createPublicKey(pem)
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve
      if (curve !== 'prime256v1') throw new Error(`EC public key must be P-256 for ES256 (got ${String(curve)})`)
      return 'ES256'
    }
    case 'ed25519': return 'EdDSA'
    case 'rsa': return 'RS256'
    default: throw new Error(`unsupported public key type ${String(key.asymmetricKeyType)} (use ES256, EdDSA or RS256)`)
  }
}

export interface DevKeys { privateKey: CryptoKey; publicKeyPem: string; alg: 'ES256' }

/**
 * Local development only (AUTH_DEV_KEYS): an ES256 key pair kept in a folder, generated on first use.
 * `make token` signs with the private key; the server trusts the public key.
 */
export async function loadOrCreateDevKeys (dir: string): Promise<DevKeys> {
  const privPath = join(dir, 'dev-private.pem')
  const pubPath = join(dir, 'dev-public.pem')
  try {
    const [priv, pub] = await Promise.all([readFile(privPath, 'utf8'), readFile(pubPath, 'utf8')])
    return { privateKey: await importPKCS8(priv, 'ES256'), publicKeyPem: pub, alg: 'ES256' }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const publicKeyPem = await exportSPKI(publicKey)
  await mkdir(dir, { recursive: true })
  await writeFile(privPath, await exportPKCS8(privateKey), { mode: 0o600 })
  await writeFile(pubPath, publicKeyPem)
  return { privateKey, publicKeyPem, alg: 'ES256' }
}

export interface TokenClaims {
  sub: string
  roles: string[]
  org_id?: string
  [claim: string]: unknown
}

export interface MintOptions {
  issuer: string
  audience: string
  alg?: SigningAlg
  expiresIn?: string | number
  notBefore?: string | number
}

/** signs a token (development tooling and tests; production tokens come from the identity provider) */
export async function mintToken (privateKey: CryptoKey, claims: TokenClaims, options: MintOptions): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'ES256', typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore)
  return await jwt.sign(privateKey)
}
