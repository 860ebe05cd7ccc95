import { Type } from '@sinclair/typebox'
import { CALL_STATUSES } from '../../domain/onboarding/entitlement.js'
import { CALL_STATUS_CHANGES } from '../../domain/onboarding/calls.js'
import { ONBOARDING_POLICY } from '../../domain/policy/policy.js'
import { Nullable, Page, Timestamp, Uuid, ref, Count, Subject, Role } from './common.js'
import { CalendarIdSchema, PlanIdSchema } from './policy.js'

const ORG_ID = '3f0e9a43-8f64-4f55-9d43-5cf2cbd3a0a1'
const CALL_ID = '9b2d7c1e-4a5f-4e8b-9c3d-2f1a0b9e8d7c'

export const OnboardingCallStatusSchema = Type.Union(CALL_STATUSES.map((s) => Type.Literal(s)), {
  $id: 'OnboardingCallStatus',
  description: 'scheduled → canceled | completed | no_show; the last three are final'
})

export const OnboardingCallAttendeeSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Type.String({ format: 'email', maxLength: 320 })
}, { $id: 'OnboardingCallAttendee', additionalProperties: false, examples: [{ name: 'Dana Ops', email: 'dana@acme.example' }] })

const ActorRef = Type.Object({
  id: Subject({ description: 'token subject' }),
  role: Role
}, { additionalProperties: false })

export const OnboardingEntitlementSchema = Type.Object({
  organizationId: Uuid,
  plan: ref(PlanIdSchema),
  entitled: Count({ description: 'Onboarding calls the current plan includes per subscription term' }),
  scheduled: Count({ description: 'Calls of this term still scheduled (they hold a credit)' }),
  used: Count({ description: 'completed + noShow: calls of this term that used a credit' }),
  completed: Count(),
  noShow: Count(),
  remaining: Count({ description: 'max(0, entitled − scheduled − used)' }),
  termStart: Timestamp,
  termEnd: Timestamp,
  calendarId: ref(CalendarIdSchema)
}, {
  $id: 'OnboardingEntitlement',
  additionalProperties: false,
  description: 'Counts of the current subscription term [termStart, termEnd); a call counts in the term its scheduledAt falls in. Canceled calls count for nothing.',
  examples: [{ organizationId: ORG_ID, plan: 'enhanced', entitled: 2, scheduled: 1, used: 0, completed: 0, noShow: 0, remaining: 1, termStart: '2026-01-01T00:00:00.000Z', termEnd: '2027-01-01T00:00:00.000Z', calendarId: 'business-hours' }]
})

const CALL_EXAMPLE = {
  id: CALL_ID,
  organizationId: ORG_ID,
  scheduledAt: '2026-11-02T17:00:00.000Z',
  endsAt: '2026-11-02T18:00:00.000Z',
  durationMinutes: 60,
  attendees: [{ name: 'Dana Ops', email: 'dana@acme.example' }],
  agenda: 'DMARC rollout plan and DNS delegation',
  status: 'scheduled',
  calendarId: 'business-hours',
  createdBy: { id: 'customer-1', role: 'customer' },
  updatedBy: { id: 'customer-1', role: 'customer' },
  version: 1,
  createdAt: '2026-10-20T16:00:00.000Z',
  updatedAt: '2026-10-20T16:00:00.000Z'
}

export const OnboardingCallSchema = Type.Object({
  id: Uuid,
  organizationId: Uuid,
  scheduledAt: Timestamp,
  endsAt: Timestamp,
  durationMinutes: Type.Integer({ minimum: ONBOARDING_POLICY.minDurationMinutes, maximum: ONBOARDING_POLICY.maxDurationMinutes }),
  attendees: Type.Array(ref(OnboardingCallAttendeeSchema), { maxItems: 10 }),
  agenda: Nullable(Type.String({ maxLength: 5000 })),
  status: ref(OnboardingCallStatusSchema),
  calendarId: ref(CalendarIdSchema),
  createdBy: ActorRef,
  updatedBy: ActorRef,
  version: Count({ minimum: 1 }),
  createdAt: Timestamp,
  updatedAt: Timestamp
}, { $id: 'OnboardingCall', additionalProperties: false, examples: [CALL_EXAMPLE] })

export const OnboardingCallPage = Page(ref(OnboardingCallSchema), 'OnboardingCallPage')

const Duration = Type.Integer({
  minimum: ONBOARDING_POLICY.minDurationMinutes,
  maximum: ONBOARDING_POLICY.maxDurationMinutes,
  description: `Length of the call in minutes (${ONBOARDING_POLICY.minDurationMinutes}–${ONBOARDING_POLICY.maxDurationMinutes}); the whole call must lie in business hours`
})
const Attendees = Type.Array(ref(OnboardingCallAttendeeSchema), { minItems: 1, maxItems: 10 })
const Agenda = Type.String({ minLength: 1, maxLength: 4000 })

export const CreateOnboardingCallBody = Type.Object({
  scheduledAt: Type.String({ format: 'date-time', description: 'Start of the call: in the future, in the current term, within the plan\'s business hours' }),
  durationMinutes: Duration,
  attendees: Attendees,
  agenda: Type.Optional(Agenda)
}, {
  $id: 'CreateOnboardingCall',
  additionalProperties: false,
  examples: [{ scheduledAt: '2026-11-02T17:00:00.000Z', durationMinutes: 60, attendees: [{ name: 'Dana Ops', email: 'dana@acme.example' }], agenda: 'DMARC rollout plan and DNS delegation' }]
})

export const UpdateOnboardingCallBody = Type.Object({
  scheduledAt: Type.Optional(Type.String({ format: 'date-time', description: 'Reschedule: the same checks as a booking' })),
  durationMinutes: Type.Optional(Duration),
  attendees: Type.Optional(Attendees),
  agenda: Type.Optional(Nullable(Agenda)),
  status: Type.Optional(Type.Union(CALL_STATUS_CHANGES.map((s) => Type.Literal(s)), {
    description: 'canceled (customer before the start, or staff; gives the credit back), completed or no_show (staff, once the call has started; both use the credit). Send it on its own.'
  }))
}, {
  $id: 'UpdateOnboardingCall',
  additionalProperties: false,
  minProperties: 1,
  examples: [{ scheduledAt: '2026-11-03T17:00:00.000Z' }, { status: 'canceled' }, { status: 'completed' }]
})

export const onboardingSchemas = [
  OnboardingCallStatusSchema, OnboardingCallAttendeeSchema, OnboardingEntitlementSchema, OnboardingCallSchema,
  OnboardingCallPage, CreateOnboardingCallBody, UpdateOnboardingCallBody
]
