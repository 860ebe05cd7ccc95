import { Type } from '@sinclair/typebox'
import { Nullable, Timestamp, Uuid, ref, Count, IsoDuration } from './common.js'
import { CalendarIdSchema, PlanIdSchema, PrioritySchema, SeveritySchema } from './policy.js'

const LocalTimestamp = Type.String({
  format: 'date-time',
  description: 'The same instant as ISO 8601 local time with the calendar\'s UTC offset',
  examples: ['2026-03-06T17:30:00.000-08:00']
})

export const SlaPreviewRequestSchema = Type.Object({
  plan: Type.Optional(ref(PlanIdSchema)),
  organizationId: Type.Optional({ ...Uuid, description: 'Use this organization\'s current plan (customers: their own organization only)' }),
  severity: ref(SeveritySchema),
  at: Type.Optional({ ...Timestamp, description: 'When the clock would start (ticket creation); default now' })
}, {
  $id: 'SlaPreviewRequest',
  description: 'Exactly one of `plan` or `organizationId`.',
  additionalProperties: false,
  examples: [{ plan: 'basic', severity: 'high', at: '2026-03-06T17:30:00.000-08:00' }, { organizationId: '3f0e9a43-8f64-4f55-9d43-5cf2cbd3a0a1', severity: 'urgent' }]
})

export const SlaSegmentSchema = Type.Object({
  start: Timestamp,
  end: Timestamp,
  startLocal: LocalTimestamp,
  endLocal: LocalTimestamp,
  seconds: Type.Number({ minimum: 0, description: 'Business seconds counted in this segment (end − start)' })
}, { $id: 'SlaSegment', description: 'A stretch of business time the deadline was counted through', additionalProperties: false })

export const SlaPreviewSchema = Type.Object({
  organizationId: Nullable(Uuid),
  plan: ref(PlanIdSchema),
  severity: ref(SeveritySchema),
  priority: ref(PrioritySchema),
  targetSeconds: Count({ description: 'Seconds of the calendar\'s time (business seconds on business calendars)' }),
  targetDuration: IsoDuration({ description: 'ISO 8601 duration of targetSeconds', examples: ['PT24H'] }),
  label: Type.String({ maxLength: 200, description: 'Wording of the support terms', examples: ['24 Business Hours'] }),
  calendarId: ref(CalendarIdSchema),
  timeZone: Type.String({ maxLength: 64, description: 'IANA time zone of the calendar (of the *Local fields)', examples: ['America/Los_Angeles'] }),
  businessHours: Type.Boolean({ description: 'true when counted in business hours (not 24/7)' }),
  startAt: { ...Timestamp, description: 'When the clock starts (the given `at`, or now); counting begins at the first segment' },
  dueAt: Timestamp,
  dueAtLocal: LocalTimestamp,
  segments: Type.Array(ref(SlaSegmentSchema), { maxItems: 1000, description: 'The business windows counted, in order; their seconds sum to targetSeconds and the last ends at dueAt' })
}, {
  $id: 'SlaPreview',
  additionalProperties: false,
  examples: [{
    organizationId: null,
    plan: 'enhanced',
    severity: 'urgent',
    priority: 'P1',
    targetSeconds: 3600,
    targetDuration: 'PT1H',
    label: '1 Business Hour',
    calendarId: 'business-hours',
    timeZone: 'America/Los_Angeles',
    businessHours: true,
    startAt: '2026-03-07T01:30:00.000Z',
    dueAt: '2026-03-09T13:30:00.000Z',
    dueAtLocal: '2026-03-09T06:30:00.000-07:00',
    segments: [
      { start: '2026-03-07T01:30:00.000Z', end: '2026-03-07T02:00:00.000Z', startLocal: '2026-03-06T17:30:00.000-08:00', endLocal: '2026-03-06T18:00:00.000-08:00', seconds: 1800 },
      { start: '2026-03-09T13:00:00.000Z', end: '2026-03-09T13:30:00.000Z', startLocal: '2026-03-09T06:00:00.000-07:00', endLocal: '2026-03-09T06:30:00.000-07:00', seconds: 1800 }
    ]
  }]
})

export const slaSchemas = [SlaPreviewRequestSchema, SlaSegmentSchema, SlaPreviewSchema]
