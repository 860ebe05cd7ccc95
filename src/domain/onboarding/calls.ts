/**
 * Onboarding calls: the status machine and the rules for a bookable time (pure; `now` is an argument).
 *
 *   scheduled ──► canceled   (customer before the call starts, or staff; gives the credit back)
 *             ├─► completed  (staff, once the call has started; uses the credit)
 *             └─► no_show    (staff, once the call has started; uses the credit)
 *
 * canceled, completed and no_show are final: every change from them (status, reschedule, details) is refused with
 * 409 invalid-call-transition.
 *
 * Moving a call (a new scheduledAt or durationMinutes) is, for customers, only possible before it starts
 * (now < scheduledAt; 409 call-already-started from the start instant on): otherwise a customer could move a call
 * they missed (or held) into the future and so turn a no-show back into an unused credit. Staff may move a call at any
 * time while it is scheduled, to fix a mistake. Attendees and agenda stay editable while the call is scheduled.
 *
 * A bookable time (booking and rescheduling alike):
 * - durationMinutes within ONBOARDING_POLICY (30–120);
 * - strictly after `now` (422 scheduled-in-past);
 * - inside the current subscription term [termStart, termEnd) by its start (422 outside-subscription-term), so that a
 *   call counts in the term it takes place in and cannot be parked beyond the term's end to dodge the entitlement;
 * - the whole call [scheduledAt, scheduledAt + duration) inside one continuous opening of the plan's business calendar
 *   (ONBOARDING_POLICY.calendarFor(plan)); ending exactly at closing time is fine (422 outside-business-hours, naming
 *   the local time and that day's windows).
 */
import { DateTime } from 'luxon'
import { DomainError } from '../errors.js'
import { ONBOARDING_POLICY } from '../policy/policy.js'
import { isOpenDuring, localIso, windowsOnLocalDate, type BusinessCalendar } from '../sla/calendar.js'
import { inTerm, type CallStatus, type Term } from './entitlement.js'
import { iso } from '../time.js'

export const FINAL_CALL_STATUSES: readonly CallStatus[] = ['canceled', 'completed', 'no_show']
export const CALL_STATUS_CHANGES = ['canceled', 'completed', 'no_show'] as const
export type CallStatusChange = (typeof CALL_STATUS_CHANGES)[number]

export const isFinalCallStatus = (s: CallStatus): boolean => FINAL_CALL_STATUSES.includes(s)

/** the statuses that hold or use a credit of the term */
export const countsAgainstEntitlement = (s: CallStatus): boolean => s === 'scheduled' || s === 'completed' || s === 'no_show'

const MINUTE_MS = 60_000

/** refuses any change to a call in a final status (reschedule, details, status) */
export function assertCallModifiable (status: CallStatus): void {
  if (isFinalCallStatus(status)) {
    throw new DomainError('invalid-call-transition', `The call is ${status}; a ${status} call cannot be changed`, { currentStatus: status })
  }
}

/**
 * The status machine. `by` is who asks: role rules (only staff may complete or mark no-show) are checked by the use
 * case; the timing rules live here.
 */
export function assertCallTransition (input: { from: CallStatus; to: CallStatusChange; by: 'customer' | 'staff'; scheduledAt: Date; now: Date }): void {
  const { from, to, by, scheduledAt, now } = input
  if (from !== 'scheduled') {
    throw new DomainError('invalid-call-transition', `The call is ${from}; it cannot become ${to}`, { currentStatus: from, requestedStatus: to })
  }
  const started = now.getTime() >= scheduledAt.getTime()
  if ((to === 'completed' || to === 'no_show') && !started) {
    throw new DomainError('invalid-call-transition', `The call starts ${iso(scheduledAt)}; it cannot be ${to} before it has started`, { currentStatus: from, requestedStatus: to })
  }
  if (to === 'canceled' && by === 'customer' && started) {
    throw new DomainError('invalid-call-transition', `The call started ${iso(scheduledAt)}; after its start only support staff can cancel it`, { currentStatus: from, requestedStatus: to })
  }
}

/**
 * A reschedule (new time or duration) of `call` by `by` at `now`: refused for final calls (409 invalid-call-transition)
 * and, for customers, from the call's start on (409 call-already-started). The new time itself is checked by
 * assertBookableTime.
 */
export function assertReschedulable (input: { call: { status: CallStatus; scheduledAt: Date }; by: 'customer' | 'staff'; now: Date }): void {
  const { call, by, now } = input
  assertCallModifiable(call.status)
  if (by === 'customer' && now.getTime() >= call.scheduledAt.getTime()) {
    throw new DomainError('call-already-started',
      `The call started ${iso(call.scheduledAt)}; once it has started only support staff can move it`,
      { currentStatus: call.status, scheduledAt: iso(call.scheduledAt), now: iso(now) })
  }
}

export interface WindowDescription { start: string; end: string; localStart: string; localEnd: string }

/** the opening windows of the local date of `at` in the calendar, for messages */
export function describeDay (at: Date, cal: BusinessCalendar): { localDate: string; weekday: string; windows: WindowDescription[] } {
  const local = DateTime.fromJSDate(at, { zone: cal.timeZone })
  const localDate = local.toISODate() ?? localIso(at, cal.timeZone).slice(0, 10)
  const windows = windowsOnLocalDate(localDate, cal).map((w) => ({
    start: iso(w.start),
    end: iso(w.end),
    localStart: localIso(w.start, cal.timeZone).slice(11, 16),
    localEnd: localEnd(w.end, localDate, cal.timeZone)
  }))
  return { localDate, weekday: local.setLocale('en-US').toFormat('cccc'), windows }
}

/** a window's end as local HH:MM; the following midnight is '24:00' */
function localEnd (end: Date, localDate: string, zone: string): string {
  const iso = localIso(end, zone)
  return iso.slice(0, 10) !== localDate && iso.slice(11, 16) === '00:00' ? '24:00' : iso.slice(11, 16)
}

export function assertDuration (durationMinutes: number): void {
  const { minDurationMinutes: min, maxDurationMinutes: max } = ONBOARDING_POLICY
  if (!Number.isInteger(durationMinutes) || durationMinutes < min || durationMinutes > max) {
    throw new DomainError('validation-failed', `durationMinutes must be an integer from ${min} to ${max}`, {
      errors: [{ path: '/durationMinutes', message: `must be an integer from ${min} to ${max}` }]
    })
  }
}

/** all rules of a bookable time (see the module comment); throws the first that fails */
export function assertBookableTime (input: { scheduledAt: Date; durationMinutes: number; now: Date; term: Term; calendar: BusinessCalendar }): void {
  const { scheduledAt, durationMinutes, now, term, calendar } = input
  assertDuration(durationMinutes)
  if (!Number.isFinite(scheduledAt.getTime())) throw new RangeError('scheduledAt is not a valid Date')
  if (scheduledAt.getTime() <= now.getTime()) {
    throw new DomainError('scheduled-in-past', `The call must start after now (${iso(now)}); ${iso(scheduledAt)} is not in the future`, {
      scheduledAt: iso(scheduledAt), now: iso(now)
    })
  }
  if (!inTerm(scheduledAt, term)) {
    throw new DomainError('outside-subscription-term', `Onboarding calls take place within the current subscription term [${iso(term.termStart)}, ${iso(term.termEnd)})`, {
      scheduledAt: iso(scheduledAt), termStart: iso(term.termStart), termEnd: iso(term.termEnd)
    })
  }
  const end = new Date(scheduledAt.getTime() + durationMinutes * MINUTE_MS)
  if (!isOpenDuring(scheduledAt, end, calendar)) throw outsideBusinessHours(scheduledAt, end, calendar)
}

function outsideBusinessHours (start: Date, end: Date, cal: BusinessCalendar): DomainError {
  const localStart = localIso(start, cal.timeZone)
  const localEndIso = localIso(end, cal.timeZone)
  const day = describeDay(start, cal)
  const offset = localStart.endsWith('Z') ? '+00:00' : localStart.slice(23)
  const span = `${day.localDate} ${localStart.slice(11, 16)}–${localEndIso.slice(11, 16)}${localEndIso.slice(0, 10) !== day.localDate ? ` (${localEndIso.slice(0, 10)})` : ''}`
  const opening = day.windows.length === 0
    ? `${day.weekday} ${day.localDate} is closed`
    : `on ${day.weekday} ${day.localDate} it is open ${day.windows.map((w) => `${w.localStart}–${w.localEnd}`).join(', ')}`
  return new DomainError('outside-business-hours',
    `The call ${span} (${cal.timeZone}, UTC${offset}) is outside the business hours of the ${cal.id} calendar: ${opening}`, {
      calendarId: cal.id,
      timeZone: cal.timeZone,
      localStart,
      localEnd: localEndIso,
      localDate: day.localDate,
      windows: day.windows
    })
}

export interface Attendee { name: string; email: string }
export interface CallActor { id: string; role: string }

export interface OnboardingCall {
  id: string
  organizationId: string
  scheduledAt: Date
  durationMinutes: number
  attendees: Attendee[]
  agenda: string | null
  status: CallStatus
  calendarId: string
  createdBy: CallActor
  updatedBy: CallActor
  version: number
  createdAt: Date
  updatedAt: Date
}

export const callEndsAt = (c: Pick<OnboardingCall, 'scheduledAt' | 'durationMinutes'>): Date =>
  new Date(c.scheduledAt.getTime() + c.durationMinutes * MINUTE_MS)
