/**
 * Loopback email fixtures: a capturing SMTP server (what the service sends), fixed DNS answers for SPF/DKIM/DMARC,
 * DKIM keys generated per run, and nodemailer senders into the service's own SMTP listener.
 */
import { generateKeyPairSync } from 'node:crypto'
import nodemailer from 'nodemailer'
import { SMTPServer } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'
import { dkimSign } from 'mailauth'
import type { TestLike } from '../helpers/app.js'

export interface Captured { parsed: ParsedMail; raw: Buffer; rcptTo: string[] }

/** an SMTP server on 127.0.0.1:0 that keeps every message; `failNext` makes the next RCPT TO fail with that code */
export async function captureSmtp (t: TestLike): Promise<{ port: number; messages: Captured[]; failNext: (code: 451 | 550, times?: number) => void }> {
  const messages: Captured[] = []
  let failures: Array<451 | 550> = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo (address, _session, callback) {
      const code = failures.shift()
      if (code !== undefined) {
        callback(Object.assign(new Error(code === 550 ? 'No such mailbox' : 'Try again later'), { responseCode: code })); return
      }
      callback()
    },
    onData (stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks)
        simpleParser(raw).then((parsed) => {
          messages.push({ parsed, raw, rcptTo: session.envelope.rcptTo.map((r) => r.address) })
          callback()
        }, callback)
      })
    }
  })
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', () => { resolve() }) })
  t.teardown(async () => { await new Promise<void>((resolve) => { server.close(() => { resolve() }) }) })
  const address = server.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { port, messages, failNext: (code, times = 1) => { failures = [...failures, ...Array<451 | 550>(times).fill(code)] } }
}

export interface DkimKey { selector: string; domain: string; privateKey: string; txt: string }

export function dkimKey (domain: string, selector = 'sel1'): DkimKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
  return { selector, domain, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), txt: `v=DKIM1; k=rsa; p=${p}` }
}

/** fixed DNS: TXT records by name; everything else does not exist */
export function fixedDns (txt: Record<string, string[]>) {
  return async (name: string, rrtype: string): Promise<string[][] | string[]> => {
    const key = name.toLowerCase().replace(/\.$/, '')
    if (rrtype === 'TXT' && txt[key] !== undefined) return txt[key].map((r) => [r])
    throw Object.assign(new Error(`${rrtype} ${name} not found`), { code: 'ENOTFOUND' })
  }
}

export interface SendOptions {
  from: string
  to: string
  subject: string
  text: string
  inReplyTo?: string
  references?: string[]
  headers?: Record<string, string>
  /** sign with this key (d= its domain) */
  dkim?: DkimKey
  /** SMTP MAIL FROM (default: the From address) */
  envelopeFrom?: string
  messageId?: string
}

/** nodemailer into the service's SMTP listener; resolves with the server's reply line */
export async function sendInto (port: number, m: SendOptions): Promise<string> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1', port, secure: false, ignoreTLS: true,
    ...(m.dkim === undefined ? {} : { dkim: { domainName: m.dkim.domain, keySelector: m.dkim.selector, privateKey: m.dkim.privateKey } })
  })
  try {
    const info = await transport.sendMail({
      from: m.from, to: m.to, subject: m.subject, text: m.text,
      ...(m.messageId === undefined ? {} : { messageId: m.messageId }),
      ...(m.inReplyTo === undefined ? {} : { inReplyTo: m.inReplyTo }),
      ...(m.references === undefined ? {} : { references: m.references }),
      headers: m.headers ?? {},
      envelope: { from: m.envelopeFrom ?? m.from, to: [m.to] }
    })
    return info.response
  } finally {
    transport.close()
  }
}

/** a raw RFC 822 message as a provider would post it (with its Received header), DKIM-signed with mailauth when a key is given */
export async function rawMessage (m: SendOptions & { clientIp?: string }): Promise<Buffer> {
  const lines = [
    `Received: from mx.sender.example (mx.sender.example [${m.clientIp ?? '192.0.2.10'}]) by inbound.provider.example with ESMTPS; Mon, 9 Mar 2026 16:30:00 +0000`,
    `Return-Path: <${m.envelopeFrom ?? m.from}>`,
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${m.subject}`,
    `Message-ID: <${m.messageId ?? `${Math.random().toString(36).slice(2)}@sender.example`}>`,
    'Date: Mon, 9 Mar 2026 16:30:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(m.inReplyTo === undefined ? [] : [`In-Reply-To: ${m.inReplyTo}`]),
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    '',
    m.text,
    ''
  ]
  const raw = Buffer.from(lines.join('\r\n'))
  if (m.dkim === undefined) return raw
  const signed = await dkimSign(raw, { signatureData: [{ signingDomain: m.dkim.domain, selector: m.dkim.selector, privateKey: m.dkim.privateKey }] } as never)
  return Buffer.concat([Buffer.from(signed.signatures), raw])
}
