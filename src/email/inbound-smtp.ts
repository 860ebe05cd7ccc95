/**
 * The service's own SMTP listener for inbound mail (smtp-server; off unless INBOUND_SMTP_PORT is set). Every message
 * goes through the same use case as POST /v1/inbound-email (src/application/email-inbound.ts). Messages over the size
 * limit are refused in the SMTP dialogue (552); a failure to process is a temporary 451 so the sender retries.
 * Put it behind your MX or relay (docs/email.md): it does not do TLS or relay control itself.
 */
import { SMTPServer } from 'smtp-server'
import type { FastifyBaseLogger } from 'fastify'
import type { AppContext } from '../application/context.js'
import { receiveEmail } from '../application/email-inbound.js'

export interface InboundSmtp { port: number; close: () => Promise<void> }

export async function startInboundSmtp (ctx: AppContext, opts: { port: number; host: string; log: FastifyBaseLogger }): Promise<InboundSmtp> {
  const email = ctx.email
  if (email === undefined) throw new Error('inbound SMTP needs MAIL_FROM and EMAIL_TOKEN_SECRET')
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: email.maxMessageBytes,
    banner: 'support desk inbound',
    logger: false,
    onData (stream, session, callback) {
      const chunks: Buffer[] = []
      let size = 0
      stream.on('data', (c: Buffer) => { size += c.length; if (size <= email.maxMessageBytes) chunks.push(c) })
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          const err = Object.assign(new Error('Message exceeds the size limit'), { responseCode: 552 })
          callback(err); return
        }
        const raw = Buffer.concat(chunks)
        receiveEmail(ctx, raw, {
          via: 'smtp',
          remoteAddress: session.remoteAddress.replace(/^::ffff:/, ''),
          helo: session.hostNameAppearsAs,
          mailFrom: session.envelope.mailFrom === false ? undefined : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((r) => r.address)
        }).then((result) => {
          opts.log.info({ inboundEmailId: result.id, outcome: result.outcome, reason: result.reason }, 'inbound email')
          callback(null, `Accepted: ${result.outcome}`)
        }, (err: unknown) => {
          opts.log.error({ err }, 'inbound email failed')
          callback(Object.assign(new Error('Temporary failure, try again later'), { responseCode: 451 }))
        })
      })
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve() })
  })
  server.on('error', (err) => { opts.log.error({ err }, 'inbound SMTP error') })
  const address = server.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : opts.port
  return { port, close: async () => { await new Promise<void>((resolve) => { server.close(() => { resolve() }) }) } }
}
