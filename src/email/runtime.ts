/**
 * The email channel's runtime: SMTP transport, support address, reply-token key, templates and the DNS resolver used
 * by the SPF/DKIM/DMARC checks. Built once per app from the config (src/app.ts).
 */
import { randomUUID } from 'node:crypto'
import nodemailer, { type Transporter } from 'nodemailer'
import type { DNSResolver } from 'mailauth'
import type { Config } from '../config.js'
import { domainOf, parseMailbox, replyAddress, replyToken, type MailAddress } from '../domain/email/addresses.js'
import { EmailTemplates } from './templates.js'

export interface EmailRuntime {
  /** outbound mail is sent (SMTP_URL and MAIL_FROM set) */
  outbound: boolean
  transport: Transporter | undefined
  from: MailAddress
  supportDomain: string
  tokenSecret: string
  templates: EmailTemplates
  maxMessageBytes: number
  /** DNS for mailauth; undefined = the system resolver */
  resolver: DNSResolver | undefined
  /** the address replies to this ticket go to */
  replyAddressFor: (ticketId: string) => string
  newMessageId: () => string
}

export function buildEmailRuntime (config: Config, deps: { resolver?: DNSResolver } = {}): EmailRuntime | undefined {
  const mail = config.email
  if (mail.mailFrom === undefined || mail.tokenSecret === undefined) return undefined
  const from = parseMailbox(mail.mailFrom)
  if (from === undefined) throw new Error('MAIL_FROM has no address')
  const supportDomain = domainOf(from.address)
  const tokenSecret = mail.tokenSecret
  return {
    outbound: mail.smtpUrl !== undefined,
    transport: mail.smtpUrl === undefined ? undefined : nodemailer.createTransport(mail.smtpUrl),
    from,
    supportDomain,
    tokenSecret,
    templates: new EmailTemplates(mail.templatesDir),
    maxMessageBytes: mail.maxMessageBytes,
    resolver: deps.resolver,
    replyAddressFor: (ticketId) => replyAddress(from.address, replyToken(tokenSecret, ticketId)),
    newMessageId: () => `${randomUUID()}@${supportDomain}`
  }
}
