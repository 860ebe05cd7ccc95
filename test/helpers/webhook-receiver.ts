import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import type { TestLike } from './app.js'

export interface Received {
  webhookId: string
  headers: IncomingHttpHeaders
  body: string
  event: Record<string, any>
  /** which of the receiver's secrets verified the signature (indexes into secrets) */
  verifiedWith: number[]
}

/** what the receiver does with the n-th request (0-based): a status code, or 'hang' (never answers) */
export type Behaviour = (n: number, webhookId: string) => number | 'hang'

/**
 * A real HTTP server on loopback, port 0, that verifies every delivery with the `standardwebhooks` reference
 * library against each secret it was given (both must verify during a rotation overlap). Requests that fail
 * verification are recorded in `rejected` and answered 400.
 */
export class WebhookReceiver {
  readonly received: Received[] = []
  readonly rejected: Array<{ headers: IncomingHttpHeaders; reason: string }> = []
  secrets: string[] = []
  behaviour: Behaviour = () => 200
  requests = 0
  /** requests being answered right now (a 'hang' stays open until its client goes away) */
  openNow = 0
  /** the most requests of one webhook-id that were open at the same time (1 = never in flight twice) */
  maxOpenPerId = 0
  private readonly openById = new Map<string, number>()
  /** the requests open right now, with the client's port (which process sent it: see the replica-kill test) */
  readonly open = new Set<{ webhookId: string; remotePort: number }>()
  private server: Server | undefined
  private readonly hanging = new Set<() => void>()
  port = 0

  get url (): string { return `http://127.0.0.1:${this.port}/hook` }

  async start (t: TestLike, port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const n = this.requests++
        const body = Buffer.concat(chunks).toString('utf8')
        const headers = req.headers
        const verifiedWith: number[] = []
        let reason = 'no secret'
        this.secrets.forEach((secret, i) => {
          try {
            new Webhook(secret).verify(body, headers as Record<string, string>)
            verifiedWith.push(i)
          } catch (error) {
            reason = (error as Error).message
          }
        })
        if (verifiedWith.length === 0) {
          this.rejected.push({ headers, reason })
          res.writeHead(400).end('signature')
          return
        }
        const webhookId = String(headers['webhook-id'])
        this.openNow++
        const open = (this.openById.get(webhookId) ?? 0) + 1
        this.openById.set(webhookId, open)
        this.maxOpenPerId = Math.max(this.maxOpenPerId, open)
        const entry = { webhookId, remotePort: req.socket.remotePort ?? 0 }
        this.open.add(entry)
        res.on('close', () => { this.openNow--; this.open.delete(entry); this.openById.set(webhookId, (this.openById.get(webhookId) ?? 1) - 1) })
        const outcome = this.behaviour(n, webhookId)
        if (outcome === 'hang') {
          this.hanging.add(() => res.destroy())
          return
        }
        if (outcome >= 200 && outcome < 300) this.received.push({ webhookId, headers, body, event: JSON.parse(body), verifiedWith })
        res.writeHead(outcome, { 'content-type': 'text/plain' }).end(`status ${outcome} ${'x'.repeat(3000)}`)
      })
    })
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve))
    this.port = (this.server.address() as AddressInfo).port
    t.teardown(async () => { await this.stop() })
    return this
  }

  async stop (): Promise<void> {
    for (const close of this.hanging) close()
    this.hanging.clear()
    const s = this.server
    this.server = undefined
    if (s === undefined) return
    s.closeAllConnections()
    await new Promise<void>((resolve) => s.close(() => { resolve() }))
  }

  /** distinct webhook-ids received with a 2xx */
  ids (): Set<string> { return new Set(this.received.map((r) => r.webhookId)) }
}
