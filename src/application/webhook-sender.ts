import { lookup } from 'node:dns/promises'
import type { LookupFunction } from 'node:net'
import { Agent, request } from 'undici'
import ipaddr from 'ipaddr.js'
import { DomainError } from '../domain/errors.js'
import { checkUrl, refusedRange } from '../domain/webhooks/address.js'
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
 * every address its host resolves to must be public. Returns the address to connect to, so the connection goes to
 * the address that was checked (a second DNS answer cannot rebind it to an internal one).
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
 * One attempt: POST the body with the headers to the pinned address, 10 s for everything, redirects not followed
 * (a 3xx is a failure), at most the first 1 KB of the response kept.
 */
export async function send (net: WebhookNetwork, target: Target, headers: Record<string, string>, body: string): Promise<SendResult> {
  const started = performance.now()
  const timeoutMs = net.timeoutMs ?? DELIVERY_TIMEOUT_MS
  const pinned: LookupFunction | undefined = target.address === null
    ? undefined
    : (_hostname, options, callback) => {
        if ((options as { all?: boolean }).all === true) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: target.address, family: target.family }])
        else callback(null, target.address, target.family)
      }
  const agent = new Agent({ connect: { timeout: timeoutMs, ...(pinned === undefined ? {} : { lookup: pinned }) }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, pipelining: 0 })
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    const res = await request(target.url, { method: 'POST', headers, body, dispatcher: agent, signal, maxRedirections: 0 })
    let excerpt = Buffer.alloc(0)
    try {
      for await (const chunk of res.body) {
        excerpt = Buffer.concat([excerpt, chunk as Buffer])
        if (excerpt.length >= RESPONSE_EXCERPT_BYTES) break
      }
    } catch {
      // a body cut short still leaves the status code
    }
    res.body.destroy()
    const text = excerpt.subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8')
    return { statusCode: res.statusCode, durationMs: Math.round(performance.now() - started), error: null, responseExcerpt: text === '' ? null : text }
  } catch (error) {
    const e = error as { name?: string; code?: string; message?: string }
    const timedOut = signal.aborted || e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT'
    const message = timedOut ? `timeout after ${timeoutMs} ms` : `${e.code ?? e.name ?? 'error'}: ${e.message ?? ''}`.slice(0, 500)
    return { statusCode: null, durationMs: Math.round(performance.now() - started), error: message, responseExcerpt: null }
  } finally {
    void agent.destroy().catch(() => {})
  }
}
