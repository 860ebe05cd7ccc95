import { lookup } from 'node:dns/promises'
import type { LookupFunction } from 'node:net'
import { Agent, buildConnector, request } from 'undici'
import ipaddr from 'ipaddr.js'
import { DomainError } from '../domain/errors.js'
import { checkUrl, isAllowListed, refusedRange } from '../domain/webhooks/address.js'
import { DELIVERY_TIMEOUT_MS, RESPONSE_EXCERPT_BYTES } from '../domain/webhooks/schedule.js'

/** DNS resolution, injectable so tests can make a public-looking name resolve to 127.0.0.1 */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>
export const systemResolver: Resolver = async (hostname) => await lookup(hostname, { all: true, verbatim: true })

export interface WebhookNetwork {
  allowedHosts: readonly string[]
  resolve: Resolver
  /** per attempt (default 10 s) */
  timeoutMs?: number
  userAgent?: string
}

export type Target = { url: URL; address: string; family: number } | { url: URL; address: null; family: 0 }

/**
 * The SSRF guard at registration and before every attempt: the URL's rules (src/domain/webhooks/address.ts), then
 * every address its host resolves to must be public. Before an attempt this refuses it without any connection; the
 * connection itself (WebhookSender) is checked again when it is opened, against the address it really goes to.
 */
export async function resolveTarget (net: WebhookNetwork, raw: string): Promise<Target> {
  const checked = checkUrl(raw, net.allowedHosts)
  if (!checked.ok) throw new DomainError('webhook-url-refused', checked.reason)
  const url = checked.url
  if (checked.allowListed) return { url, address: null, family: 0 }
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (ipaddr.isValid(host)) return { url, address: host, family: host.includes(':') ? 6 : 4 }
  let answers: Array<{ address: string; family: number }>
  try {
    answers = await net.resolve(host)
  } catch (error) {
    throw new DomainError('webhook-url-refused', `The host ${host} does not resolve (${(error as { code?: string }).code ?? 'error'})`)
  }
  if (answers.length === 0) throw new DomainError('webhook-url-refused', `The host ${host} does not resolve`)
  for (const a of answers) {
    const refused = refusedRange(a.address)
    if (refused !== null) throw new DomainError('webhook-url-refused', `The host ${host} resolves to an address in a refused range (${refused})`)
  }
  const first = answers[0] as { address: string; family: number }
  return { url, address: first.address, family: first.family }
}

export interface SendResult {
  statusCode: number | null
  durationMs: number
  error: string | null
  responseExcerpt: string | null
}

/**
 * The SSRF guard at connection time: a `lookup` for net/tls.connect that resolves with the network's resolver and
 * refuses the connection unless every answer is a public unicast address. The connection goes to an address that
 * was checked in the same step, so a DNS answer that changes later (rebinding) never reaches an internal address.
 */
export function guardedLookup (net: WebhookNetwork): LookupFunction {
  return (hostname, options, callback) => {
    const cb = callback as unknown as (err: Error | null, address?: string | Array<{ address: string; family: number }>, family?: number) => void
    net.resolve(hostname).then((answers) => {
      if (answers.length === 0) { cb(Object.assign(new Error(`The host ${hostname} does not resolve`), { code: 'ENOTFOUND' })); return }
      for (const a of answers) {
        const refused = refusedRange(a.address)
        if (refused !== null) { cb(Object.assign(new Error(`The host ${hostname} resolves to an address in a refused range (${refused})`), { code: 'EWEBHOOKREFUSED' })); return }
      }
      const wanted = (options as { family?: number | string }).family
      const fam = wanted === 4 || wanted === 'IPv4' ? 4 : wanted === 6 || wanted === 'IPv6' ? 6 : 0
      const usable = fam === 0 ? answers : answers.filter((a) => a.family === fam)
      if (usable.length === 0) { cb(Object.assign(new Error(`The host ${hostname} has no IPv${fam} address`), { code: 'ENOTFOUND' })); return }
      if ((options as { all?: boolean }).all === true) cb(null, usable)
      else cb(null, (usable[0] as { address: string }).address, (usable[0] as { family: number }).family)
    }, (error: unknown) => { cb(error as Error) })
  }
}

/**
 * Sends webhook attempts through ONE keep-alive connection pool per process (undici Agent: a pool per origin), with
 * the SSRF guard in its `connect`: every new connection re-resolves the host and checks every address (guardedLookup);
 * a literal address is checked as such; only allow-listed hosts (WEBHOOK_ALLOWED_HOSTS) skip the check. Together with
 * resolveTarget before every attempt, the address is checked at every delivery and at every connection. A fresh Agent
 * per attempt (the first version) cost a TCP (and TLS) handshake per delivery.
 */
export class WebhookSender {
  readonly agent: Agent
  private readonly timeoutMs: number

  constructor (private readonly net: WebhookNetwork) {
    this.timeoutMs = net.timeoutMs ?? DELIVERY_TIMEOUT_MS
    const plain = buildConnector({ timeout: this.timeoutMs })
    const guarded = buildConnector({ timeout: this.timeoutMs, lookup: guardedLookup(net) })
    this.agent = new Agent({
      connect: (opts, callback) => {
        const host = opts.hostname.replace(/^\[|\]$/g, '')
        const url = new URL(`${opts.protocol}//${host.includes(':') ? `[${host}]` : host}${opts.port === '' ? '' : `:${opts.port}`}/`)
        if (isAllowListed(url, net.allowedHosts)) { plain(opts, callback); return }
        if (ipaddr.isValid(host)) {
          const refused = refusedRange(host)
          if (refused !== null) { callback(Object.assign(new Error(`The address ${host} is in a refused range (${refused})`), { code: 'EWEBHOOKREFUSED' }), null); return }
          plain(opts, callback)
          return
        }
        guarded(opts, callback)
      },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 4_000,
      pipelining: 1
    })
  }

  /**
   * One attempt: POST the body with the headers, 10 s for everything, redirects not followed (a 3xx is a failure), at
   * most the first 1 KB of the response kept (a longer response closes its connection instead of being drained).
   */
  async send (target: Target, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now()
    const timeoutMs = this.timeoutMs
    const signal = AbortSignal.timeout(timeoutMs)
    try {
      const res = await request(target.url, { method: 'POST', headers, body, dispatcher: this.agent, signal, maxRedirections: 0 })
      let excerpt = Buffer.alloc(0)
      let complete = true
      try {
        for await (const chunk of res.body) {
          excerpt = Buffer.concat([excerpt, chunk as Buffer])
          if (excerpt.length >= RESPONSE_EXCERPT_BYTES) { complete = false; break }
        }
      } catch {
        // a body cut short still leaves the status code
      }
      if (!complete) res.body.destroy()
      const text = excerpt.subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8')
      return { statusCode: res.statusCode, durationMs: Math.round(performance.now() - started), error: null, responseExcerpt: text === '' ? null : text }
    } catch (error) {
      const e = error as { name?: string; code?: string; message?: string }
      const timedOut = signal.aborted || e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT'
      const message = timedOut ? `timeout after ${timeoutMs} ms` : `${e.code ?? e.name ?? 'error'}: ${e.message ?? ''}`.slice(0, 500)
      return { statusCode: null, durationMs: Math.round(performance.now() - started), error: message, responseExcerpt: null }
    }
  }

  async close (): Promise<void> {
    await this.agent.close().catch(async () => { await this.agent.destroy() })
  }
}
