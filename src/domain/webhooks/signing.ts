import { createHmac, randomBytes } from 'node:crypto'

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the secret is `whsec_` + base64 of random bytes; the
 * signature is `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)), several space-separated while more than
 * one secret is active (rotation). Tests verify it with the `standardwebhooks` reference library.
 */
export const SECRET_PREFIX = 'whsec_'
export const SECRET_BYTES = 32

export const generateSecret = (): string => SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64')

const keyOf = (secret: string): Buffer => Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64')

export function sign (secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64')
  return `v1,${mac}`
}

/** the webhook-signature header for every active secret */
export const signatureHeader = (secrets: readonly string[], messageId: string, timestampSeconds: number, body: string): string =>
  secrets.map((s) => sign(s, messageId, timestampSeconds, body)).join(' ')

/** the secrets that sign now: the current one, plus the previous one during its 24-hour overlap after a rotation */
export function activeSecrets (e: { secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null }, now: Date): string[] {
  return e.previousSecret !== null && e.previousSecretExpiresAt !== null && e.previousSecretExpiresAt.getTime() > now.getTime()
    ? [e.secret, e.previousSecret]
    : [e.secret]
}

export const ROTATION_OVERLAP_MS = 24 * 3_600_000

/** webhook-id: the same for every attempt (and replay) of one event to one endpoint */
export const messageIdFor = (eventId: number | string): string => `msg_evt_${eventId}`
