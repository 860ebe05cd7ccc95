import { iso } from '../../domain/time.js'
import type { InboundEmailRow } from '../../application/email-inbound.js'

export const presentQuarantined = (r: InboundEmailRow) => {
  const v = r.verdict as Record<string, unknown>
  return {
    id: r.id,
    messageId: r.messageId,
    from: r.fromAddress,
    subject: r.subject,
    reason: r.reason ?? '',
    authentication: {
      spf: String(v.spf ?? 'none'), dkim: String(v.dkim ?? 'none'), dmarc: String(v.dmarc ?? 'none'),
      dmarcPolicy: typeof v.dmarcPolicy === 'string' ? v.dmarcPolicy : null, fromDomain: String(v.fromDomain ?? '')
    },
    sizeBytes: r.sizeBytes,
    receivedAt: iso(r.receivedAt)
  }
}
