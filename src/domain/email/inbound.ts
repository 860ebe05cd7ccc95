/**
 * What an inbound message may do (pure): auto-replies and loops never create anything, the subject may set the
 * severity of a new ticket, and the authentication verdict decides between acceptance and quarantine.
 */
import type { Severity } from '../policy/policy.js'

/** header names lower case; values as strings */
export type HeaderMap = Map<string, string>

/**
 * Auto-replies, bulk mail and loops (RFC 3834 Auto-Submitted, Precedence, the common vendor headers, out-of-office
 * subjects) and our own messages coming back: never a comment, never a ticket, never a notification.
 */
export function autoReplyReason (headers: HeaderMap, subject: string, fromAddress: string, supportDomain: string): string | undefined {
  const auto = headers.get('auto-submitted')?.trim().toLowerCase()
  if (auto !== undefined && auto !== '' && auto !== 'no') return `auto-submitted: ${auto}`
  const precedence = headers.get('precedence')?.trim().toLowerCase()
  if (precedence !== undefined && ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `precedence: ${precedence}`
  for (const h of ['x-autoreply', 'x-autorespond', 'x-auto-response-suppress']) {
    const v = headers.get(h)?.trim().toLowerCase()
    if (v !== undefined && v !== '' && !(h === 'x-auto-response-suppress' && v === 'none')) return `${h}: ${v}`
  }
  if (headers.has('list-id') || headers.has('list-unsubscribe')) return 'mailing list'
  if (/^(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|autoreply|auto:|abwesenheitsnotiz|absence)/i.test(subject.trim())) return 'out-of-office subject'
  if (/^(mailer-daemon|postmaster)@/i.test(fromAddress)) return 'delivery status notification'
  if (fromAddress.toLowerCase().endsWith(`@${supportDomain.toLowerCase()}`)) return 'loop: from the support domain'
  return undefined
}

/**
 * Severity of a ticket opened by email: `medium` unless the subject starts with a tag in square brackets:
 * [urgent], [high], [medium], [low] (also [P1]→urgent, [P2]→high, [P3]→low); case-insensitive. The tag is removed.
 */
export function severityFromSubject (subject: string): { severity: Severity; subject: string } {
  const m = /^\s*\[(urgent|high|medium|low|p1|p2|p3)\]\s*/i.exec(subject)
  if (m === null) return { severity: 'medium', subject: subject.trim() }
  const tag = (m[1] ?? '').toLowerCase()
  const severity: Severity = tag === 'p1' ? 'urgent' : tag === 'p2' ? 'high' : tag === 'p3' ? 'low' : tag as Severity
  return { severity, subject: subject.slice(m[0].length).trim() }
}

export interface AuthVerdict {
  spf: string
  dkim: string
  dmarc: string
  /** the From domain's published DMARC policy (none | quarantine | reject), null without a record */
  dmarcPolicy: string | null
  fromDomain: string
}

/** DMARC failed for a domain whose owner asked receivers to reject or quarantine such mail */
export const failsEnforcedDmarc = (v: AuthVerdict): boolean =>
  v.dmarc === 'fail' && (v.dmarcPolicy === 'reject' || v.dmarcPolicy === 'quarantine')

/** strips the quoted history of a reply: everything from the first "On … wrote:" line or "> " block */
export function replyText (text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  const out: string[] = []
  for (const line of lines) {
    if (/^On .+wrote:\s*$/.test(line) || /^-{2,}\s*Original Message\s*-{2,}/i.test(line) || line.startsWith('>')) break
    out.push(line)
  }
  const body = out.join('\n').trim()
  return body === '' ? text.trim() : body
}
