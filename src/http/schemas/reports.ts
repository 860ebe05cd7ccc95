import { Type } from '@sinclair/typebox'
import { ATTAINMENT_GROUPS } from '../../domain/sla/attainment.js'
import { MAX_REPORT_DAYS } from '../../application/reports.js'
import { DateOnly, Nullable, Timestamp, Uuid, ref } from './common.js'
import { PlanIdSchema, PrioritySchema } from './policy.js'

const Day = { ...DateOnly, maxLength: 10 }
const Id = { ...Uuid, maxLength: 36 }
const GROUP = `(${ATTAINMENT_GROUPS.join('|')})`
const Count = (description: string) => Type.Integer({ format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description })
const Seconds = (description: string) => Nullable(Type.Integer({ format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description }))

export const SlaAttainmentQuery = Type.Object({
  from: { ...Day, description: 'First day of the period (PT, inclusive); cycles whose clock started on or after 00:00 PT that day' },
  to: { ...Day, description: `Last day of the period (PT, inclusive); at most ${MAX_REPORT_DAYS} days after from` },
  groupBy: Type.Optional(Type.String({
    pattern: `^${GROUP}(,${GROUP}){0,3}$`, maxLength: 40,
    description: 'Comma-separated, any of plan, priority, organization, month (PT), in the order of the row keys; absent: only the total'
  })),
  organizationId: Type.Optional({ ...Id, description: 'Agents and admins: one organization. Customers always get only their own.' })
}, { additionalProperties: false })

const FIGURES = {
  cycles: Count('First-response cycles whose clock started in the period (a reopened ticket\'s new cycle counts on its own)'),
  tickets: Count('Distinct tickets those cycles belong to'),
  met: Count('Cycles answered at or before their deadline'),
  breached: Count('Cycles answered after their deadline, or unanswered with the deadline passed'),
  owed: Count('Cycles still waiting for their first response with the deadline ahead (not decided yet)'),
  attainmentPercent: Nullable(Type.Number({ minimum: 0, maximum: 100, description: 'met / (met + breached) × 100, two decimals; null when no cycle is decided' })),
  medianFirstResponseBusinessSeconds: Seconds('Median (nearest rank) time from clock start to the first response, in business seconds of the cycle\'s calendar, over answered cycles; null when none'),
  p90FirstResponseBusinessSeconds: Seconds('90th percentile (nearest rank) of the same')
}

export const SlaAttainmentFiguresSchema = Type.Object(FIGURES, { $id: 'SlaAttainmentFigures', additionalProperties: false, description: 'The figures of a set of first-response cycles (docs/sla.md)' })

export const SlaAttainmentRowSchema = Type.Object({
  plan: Type.Optional({ ...ref(PlanIdSchema), description: 'With groupBy plan: the plan the cycle\'s deadline was computed with' }),
  priority: Type.Optional({ ...ref(PrioritySchema), description: 'With groupBy priority: the priority in force when the cycle was decided' }),
  organizationId: Type.Optional({ ...Id, description: 'With groupBy organization' }),
  organizationName: Type.Optional(Type.String({ maxLength: 200, description: 'With groupBy organization' })),
  month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', maxLength: 7, description: 'With groupBy month: YYYY-MM of the clock start in PT' })),
  ...FIGURES
}, { $id: 'SlaAttainmentRow', additionalProperties: false, description: 'One combination of the group keys (only the grouped keys are present) and its figures' })

export const SlaAttainmentReportSchema = Type.Object({
  from: Day,
  to: Day,
  timeZone: Type.String({ maxLength: 64, description: 'Time zone of the period and of months (the vendor\'s, PT)', examples: ['America/Los_Angeles'] }),
  groupBy: Type.Array(Type.String({ enum: [...ATTAINMENT_GROUPS], maxLength: 20 }), { maxItems: 4 }),
  organizationId: Nullable({ ...Id, description: 'The one organization reported on (always the caller\'s for customers); null: all' }),
  generatedAt: { ...Timestamp, maxLength: 24, description: 'The instant `owed` and unanswered breaches were judged at' },
  rows: Type.Array(ref(SlaAttainmentRowSchema), { maxItems: 1_000_000, description: 'Sorted by the group keys in groupBy order; empty without groupBy' }),
  total: ref(SlaAttainmentFiguresSchema)
}, {
  $id: 'SlaAttainmentReport',
  additionalProperties: false,
  examples: [{
    from: '2026-01-01', to: '2026-01-31', timeZone: 'America/Los_Angeles', groupBy: ['priority'], organizationId: null, generatedAt: '2026-02-01T08:00:00.000Z',
    rows: [{ priority: 'P1', cycles: 10, tickets: 9, met: 8, breached: 1, owed: 1, attainmentPercent: 88.89, medianFirstResponseBusinessSeconds: 1500, p90FirstResponseBusinessSeconds: 3300 }],
    total: { cycles: 10, tickets: 9, met: 8, breached: 1, owed: 1, attainmentPercent: 88.89, medianFirstResponseBusinessSeconds: 1500, p90FirstResponseBusinessSeconds: 3300 }
  }]
})

export const reportSchemas = [SlaAttainmentFiguresSchema, SlaAttainmentRowSchema, SlaAttainmentReportSchema]
