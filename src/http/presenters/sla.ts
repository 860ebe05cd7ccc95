import { type SlaPreview } from '../../application/sla.js'
import { localIso } from '../../domain/sla/calendar.js'
import { isoDuration } from '../../domain/sla/first-response.js'
import { iso } from '../../domain/time.js'

export const presentSlaPreview = (p: SlaPreview) => {
  const zone = p.calendar.timeZone
  return {
    organizationId: p.organizationId,
    plan: p.plan,
    severity: p.severity,
    priority: p.priority,
    targetSeconds: p.targetSeconds,
    targetDuration: isoDuration(p.targetSeconds),
    label: p.target.label,
    calendarId: p.calendarId,
    timeZone: zone,
    businessHours: p.businessHours,
    startAt: iso(p.startAt),
    dueAt: iso(p.dueAt),
    dueAtLocal: localIso(p.dueAt, zone),
    segments: p.segments.map((s) => ({
      start: iso(s.start),
      end: iso(s.end),
      startLocal: localIso(s.start, zone),
      endLocal: localIso(s.end, zone),
      seconds: (s.end.getTime() - s.start.getTime()) / 1000
    }))
  }
}
