import { callEndsAt, type OnboardingCall } from '../../domain/onboarding/calls.js'
import { iso } from '../../domain/time.js'

export const presentCall = (c: OnboardingCall) => ({
  id: c.id,
  organizationId: c.organizationId,
  scheduledAt: iso(c.scheduledAt),
  endsAt: callEndsAt(c).toISOString(),
  durationMinutes: c.durationMinutes,
  attendees: c.attendees.map((a) => ({ name: a.name, email: a.email })),
  agenda: c.agenda,
  status: c.status,
  calendarId: c.calendarId as 'business-hours',
  createdBy: c.createdBy,
  updatedBy: c.updatedBy,
  version: c.version,
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt)
})
