import net from 'node:net'

export type ProxyMode = 'pass' | 'reset' | 'refuse' | 'drop'

/**
 * A TCP proxy on loopback for fault tests, between the service and PostgreSQL (issue 11). Modes:
 * - pass:   forward both ways
 * - reset:  reset (RST) every open connection and every new one — a proxy, pooler or failover cutting connections
 * - refuse: close every open connection and stop listening (connection refused) — the database stopped
 * - drop:   keep connections open but swallow every byte both ways, new ones included — a network partition
 * Back to `pass`, the connections that were swallowed are dropped (their byte streams lost data).
 */
export class TcpProxy {
  mode: ProxyMode = 'pass'
  port = 0
  private readonly pairs = new Set<{ client: net.Socket; upstream?: net.Socket; dropped: boolean }>()
  private server: net.Server

  constructor (private readonly target: { host: string; port: number }) {
    this.server = this.createServer()
  }

  private createServer (): net.Server {
    return net.createServer((client) => {
      client.on('error', () => {})
      if (this.mode === 'reset') { client.resetAndDestroy(); return }
      const pair: { client: net.Socket; upstream?: net.Socket; dropped: boolean } = { client, dropped: this.mode === 'drop' }
      this.pairs.add(pair)
      client.on('close', () => { this.pairs.delete(pair); pair.upstream?.destroy() })
      if (pair.dropped) { client.on('data', () => {}); return }
      const upstream = net.connect(this.target)
      pair.upstream = upstream
      upstream.on('error', () => {})
      upstream.on('close', () => { if (!pair.dropped) client.destroy() })
      client.on('data', (d) => { if (!pair.dropped) upstream.write(d) })
      upstream.on('data', (d) => { if (!pair.dropped) client.write(d) })
    })
  }

  async start (): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    const address = this.server.address()
    if (address === null || typeof address === 'string') throw new Error('no address')
    this.port = address.port
    return this.port
  }

  get connections (): number { return this.pairs.size }

  async setMode (mode: ProxyMode): Promise<void> {
    const previous = this.mode
    this.mode = mode
    if (mode === 'reset' || mode === 'refuse') {
      for (const p of this.pairs) { p.client.resetAndDestroy(); p.upstream?.destroy() }
    }
    if (mode === 'drop') for (const p of this.pairs) p.dropped = true
    if (mode === 'refuse' && this.server.listening) {
      await new Promise<void>((resolve) => this.server.close(() => resolve()))
      this.server = this.createServer()
    }
    if (mode === 'pass') {
      if (previous === 'drop') for (const p of this.pairs) if (p.dropped) { p.client.destroy(); p.upstream?.destroy() }
      if (!this.server.listening) await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve))
    }
  }

  async close (): Promise<void> {
    for (const p of this.pairs) { p.client.destroy(); p.upstream?.destroy() }
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
