import ipaddr from 'ipaddr.js'

/**
 * SSRF guard (issue 13): a webhook URL must be https and every address its host resolves to must be a public unicast
 * address. Loopback, private (RFC 1918), link-local (169.254/16, where cloud metadata lives, and fe80::/10),
 * unique-local (fc00::/7, e.g. fd00:ec2::254), carrier-grade NAT (100.64/10, e.g. 100.100.100.200), multicast,
 * reserved, unspecified and the IPv6 ranges that embed IPv4 addresses are refused; ipaddr.js names the ranges.
 * The allow-list (WEBHOOK_ALLOWED_HOSTS, `host` or `host:port`, for local development and tests only) lifts both rules
 * for the hosts it names.
 */
export type UrlCheck = { ok: true; url: URL; allowListed: boolean } | { ok: false; reason: string }

const MAX_URL_LENGTH = 2000

export function isAllowListed (url: URL, allowedHosts: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80'
  return allowedHosts.some((entry) => {
    const e = entry.trim().toLowerCase()
    return e === host || e === `${host}:${port}` || e === `[${host}]:${port}`
  })
}

/** the syntactic part of the check (scheme, credentials, literal addresses); DNS answers go through checkAddress */
export function checkUrl (raw: string, allowedHosts: readonly string[]): UrlCheck {
  if (raw.length > MAX_URL_LENGTH) return { ok: false, reason: `The URL is longer than ${MAX_URL_LENGTH} characters` }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { ok: false, reason: 'The URL is not a valid absolute URL' }
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'The URL must not carry credentials' }
  const allowListed = isAllowListed(url, allowedHosts)
  if (url.protocol !== 'https:' && !(allowListed && url.protocol === 'http:')) return { ok: false, reason: 'The URL must use https' }
  if (url.hash !== '') return { ok: false, reason: 'The URL must not have a fragment' }
  if (!allowListed) {
    const host = url.hostname.replace(/^\[|\]$/g, '')
    if (ipaddr.isValid(host)) {
      const refused = refusedRange(host)
      if (refused !== null) return { ok: false, reason: `The URL's address is in a refused range (${refused})` }
    } else if (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.')) {
      return { ok: false, reason: 'The URL must name a public host' }
    }
  }
  return { ok: true, url, allowListed }
}

/** null when the address is a public unicast address; otherwise the name of its range */
export function refusedRange (address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6
  try {
    parsed = ipaddr.parse(address)
  } catch {
    return 'invalid'
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address()
  const range = parsed.range()
  return range === 'unicast' ? null : range
}
