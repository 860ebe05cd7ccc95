import net from 'node:net'

/**
 * A minimal PostgreSQL wire-protocol server for driver fault tests that need no real database: it accepts any
 * start-up (AuthenticationOk, BackendKeyData, ReadyForQuery), answers the first `answer` queries (sync points) of
 * each connection with an empty result, and on the next one resets the connection (RST; `mode: 'close'`: closes it
 * with a FIN) — as a proxy, a pooler or a failover does it.
 */
export interface FakePostgres { port: number; readonly connections: number; readonly resets: number; close: () => Promise<void> }

const msg = (type: string, body: Buffer = Buffer.alloc(0)): Buffer => {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}
const i16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b }

export async function startFakePostgres (options: { answer: number; mode?: 'reset' | 'close' }): Promise<FakePostgres> {
  const sockets = new Set<net.Socket>()
  const state = { connections: 0, resets: 0 }
  const server = net.createServer((socket) => {
    sockets.add(socket)
    state.connections++
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let started = false
    let answered = 0
    let buffer = Buffer.alloc(0)
    socket.on('data', (data) => {
      buffer = Buffer.concat([buffer, data])
      if (!started) {
        if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return
        buffer = buffer.subarray(buffer.readInt32BE(0))
        started = true
        const key = Buffer.alloc(8)
        key.writeInt32BE(4242, 0)
        socket.write(Buffer.concat([msg('R', Buffer.alloc(4)), msg('K', key), msg('Z', Buffer.from('I'))]))
      }
      const out: Buffer[] = []
      while (buffer.length >= 5 && buffer.length >= buffer.readInt32BE(1) + 1) {
        const type = String.fromCharCode(buffer[0] ?? 0)
        const body = buffer.subarray(5, buffer.readInt32BE(1) + 1)
        buffer = buffer.subarray(buffer.readInt32BE(1) + 1)
        if (type === 'S' || type === 'Q') {
          if (answered >= options.answer) {
            state.resets++
            if (options.mode === 'close') socket.destroy()
            else socket.resetAndDestroy()
            return
          }
          answered++
        }
        if (type === 'P') out.push(msg('1'))
        else if (type === 'B') out.push(msg('2'))
        else if (type === 'D') out.push(...(body[0] === 83 ? [msg('t', i16(0)), msg('n')] : [msg('n')]))
        else if (type === 'E') out.push(msg('C', Buffer.from('SELECT 0\0')))
        else if (type === 'S') out.push(msg('Z', Buffer.from('I')))
        else if (type === 'Q') out.push(msg('C', Buffer.from('SELECT 0\0')), msg('Z', Buffer.from('I')))
      }
      if (out.length > 0) socket.write(Buffer.concat(out))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  return {
    port: address.port,
    get connections () { return state.connections },
    get resets () { return state.resets },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
