/**
 * Addresses, ticket references and signed reply tokens of the email channel (pure; the HMAC key is an argument).
 *
 * Every message the service sends carries the reply address `support+<token>@<support domain>`, where the token is the
 * ticket id (32 hex digits) followed by the first 16 hex digits of HMAC-SHA256(key, ticket id). A reply from any mail
 * client, even one that drops In-Reply-To, lands on the right ticket; a forged token is ignored.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export interface MailAddress { name: string; address: string }

/** "Support <support@desk.example>" or "support@desk.example" → parts; undefined when there is no address */
export function parseMailbox (value: string): MailAddress | undefined {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value) ?? /^\s*()([^<>\s]+@[^<>\s]+)\s*$/.exec(value)
  if (m === null) return undefined
  return { name: (m[1] ?? '').trim(), address: (m[2] ?? '').toLowerCase() }
}

export const domainOf = (address: string): string => (address.split('@').at(-1) ?? '').toLowerCase()

/** a registered email domain: at least one dot, no wildcards (stored lower case) */
export const EMAIL_DOMAIN_PATTERN = '^(?=.{3,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$'
export const normalizeDomain = (d: string): string => d.trim().toLowerCase().replace(/\.$/, '')

/** the short ticket reference used in subjects: SD- and the first 8 hex digits of the id, upper case */
export const ticketRef = (ticketId: string): string => `SD-${ticketId.replace(/-/g, '').slice(0, 8).toUpperCase()}`

const hexId = (ticketId: string): string => ticketId.replace(/-/g, '').toLowerCase()
const mac = (key: string, hex: string): string => createHmac('sha256', key).update(`reply-token:${hex}`).digest('hex').slice(0, 16)

export function replyToken (key: string, ticketId: string): string {
  const hex = hexId(ticketId)
  return `${hex}${mac(key, hex)}`
}

/** the ticket id a token names, or undefined when it is malformed or its signature does not verify */
export function verifyReplyToken (key: string, token: string): string | undefined {
  const t = token.toLowerCase()
  if (!/^[0-9a-f]{48}$/.test(t)) return undefined
  const hex = t.slice(0, 32)
  const given = Buffer.from(t.slice(32), 'hex')
  const expected = Buffer.from(mac(key, hex), 'hex')
  if (!timingSafeEqual(given, expected)) return undefined
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** support@desk.example + token → support+<token>@desk.example */
export function replyAddress (supportAddress: string, token: string): string {
  const [local, domain] = supportAddress.split('@')
  return `${local ?? ''}+${token}@${domain ?? ''}`
}

/** the ticket id of a support+<token>@ address among `addresses`, if one verifies */
export function ticketFromAddresses (key: string, supportAddress: string, addresses: string[]): string | undefined {
  const [local, domain] = supportAddress.toLowerCase().split('@')
  for (const a of addresses) {
    const [l, d] = a.toLowerCase().split('@')
    if (d !== domain || l === undefined || !l.startsWith(`${local ?? ''}+`)) continue
    const id = verifyReplyToken(key, l.slice((local ?? '').length + 1))
    if (id !== undefined) return id
  }
  return undefined
}

/** Message-IDs in an In-Reply-To / References header value, without angle brackets */
export function messageIdsIn (value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  const text = Array.isArray(value) ? value.join(' ') : value
  return [...text.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] ?? '').filter((s) => s.length > 0)
}
