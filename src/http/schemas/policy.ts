import { Type } from '@sinclair/typebox'
import { CALENDAR_IDS, CHANNELS, PLAN_IDS, PRIORITIES, SEVERITIES } from '../../domain/policy/policy.js'
import { ref, Count, IsoDuration } from './common.js'

export const literalUnion = <T extends string>(values: readonly T[], $id: string, description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { $id, description })

export const PlanIdSchema = literalUnion(PLAN_IDS, 'PlanId', 'Support plan')
export const ChannelSchema = literalUnion(CHANNELS, 'Channel', 'Support channel')
export const SeveritySchema = literalUnion(SEVERITIES, 'Severity', 'Severity level (urgent→P1, high→P2, medium→P2, low→P3)')
export const PrioritySchema = literalUnion(PRIORITIES, 'Priority', 'Incident priority derived from severity')
export const CalendarIdSchema = literalUnion(CALENDAR_IDS, 'CalendarId', 'Business calendar id')

export const ResponseTargetSchema = Type.Object({
  priority: ref(PrioritySchema),
  severities: Type.Array(ref(SeveritySchema), { maxItems: 10 }),
  targetSeconds: Count({ description: 'Seconds of the calendar\'s time (business seconds on business calendars)' }),
  targetDuration: IsoDuration({ description: 'ISO 8601 duration of targetSeconds', examples: ['PT24H'] }),
  calendarId: ref(CalendarIdSchema),
  businessHours: Type.Boolean({ description: 'true when counted in business hours (not 24/7)' }),
  label: Type.String({ maxLength: 200, description: 'Wording of the support terms', examples: ['1 Business Hour'] })
}, { $id: 'ResponseTarget', additionalProperties: false })

export const SupportPlanSchema = Type.Object({
  id: ref(PlanIdSchema),
  name: Type.String({ maxLength: 200 }),
  channels: Type.Array(ref(ChannelSchema), { maxItems: 10 }),
  onboardingCalls: Count(),
  workingHours: Type.String({ maxLength: 2000 }),
  responseTargets: Type.Array(ref(ResponseTargetSchema), { maxItems: 50 })
}, {
  $id: 'SupportPlan',
  additionalProperties: false,
  examples: [{ id: 'enhanced', name: 'Enhanced', channels: ['portal', 'web_form', 'email', 'video_call'], onboardingCalls: 2, workingHours: 'Business Hours – M-F 6am-6pm PT', responseTargets: [{ priority: 'P1', severities: ['urgent'], targetSeconds: 3600, targetDuration: 'PT1H', calendarId: 'business-hours', businessHours: true, label: '1 Business Hour' }] }]
})

export const SupportPlanList = Type.Object({ items: Type.Array(ref(SupportPlanSchema), { maxItems: 20 }) }, { $id: 'SupportPlanList', additionalProperties: false })

export const SeverityLevelSchema = Type.Object({
  id: ref(SeveritySchema),
  name: Type.String({ maxLength: 200 }),
  priority: ref(PrioritySchema),
  definition: Type.String({ maxLength: 5000 })
}, { $id: 'SeverityLevel', additionalProperties: false, examples: [{ id: 'urgent', name: 'Urgent', priority: 'P1', definition: 'The platform is completely or partially down.' }] })

export const SeverityLevelList = Type.Object({ items: Type.Array(ref(SeverityLevelSchema), { maxItems: 10 }) }, { $id: 'SeverityLevelList', additionalProperties: false })

export const policySchemas = [PlanIdSchema, ChannelSchema, SeveritySchema, PrioritySchema, CalendarIdSchema, ResponseTargetSchema, SupportPlanSchema, SupportPlanList, SeverityLevelSchema, SeverityLevelList]
