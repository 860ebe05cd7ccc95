import type { Test } from 'tap'
import { BUILT_IN_CALENDARS, toBusinessCalendar, usFederalHolidays } from '../../../src/domain/sla/calendars.js'
import type { BusinessCalendar } from '../../../src/domain/sla/calendar.js'
import { responseTarget, type CalendarId, type PlanId, type Severity } from '../../../src/domain/policy/policy.js'
import { openTicket } from '../../../src/domain/tickets/opening.js'
import type { Organization } from '../../../src/domain/organizations/organization.js'
import type { ActorRef, Ticket } from '../../../src/domain/tickets/ticket.js'

const federal = usFederalHolidays([2025, 2026, 2027, 2028, 2029]).map((h) => h.date)
export const CALENDARS: Record<CalendarId, BusinessCalendar> = {
  'business-hours-with-holidays': toBusinessCalendar(BUILT_IN_CALENDARS['business-hours-with-holidays'], federal),
  'business-hours': toBusinessCalendar(BUILT_IN_CALENDARS['business-hours']),
  always: toBusinessCalendar(BUILT_IN_CALENDARS.always)
}
export const calendarFor = (plan: PlanId, severity: Severity): BusinessCalendar => CALENDARS[responseTarget(plan, severity).calendarId]

export const AGENT: ActorRef = { id: 'agent-1', role: 'agent' }
export const CUSTOMER: ActorRef = { id: 'customer-1', role: 'customer' }

export const org = (plan: PlanId, overrides: Partial<Organization> = {}): Organization => ({
  id: '00000000-0000-4000-8000-00000000000a',
  name: 'Acme',
  plan,
  subscription: { status: 'active', termStart: new Date('2025-01-01T00:00:00Z'), termEnd: new Date('2030-01-01T00:00:00Z') },
  version: 1,
  createdAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-01-01T00:00:00Z'),
  ...overrides
})

export function newTicket (plan: PlanId, severity: Severity, at: Date | string, overrides: Partial<Ticket> = {}): Ticket {
  const now = new Date(at)
  const draft = openTicket({
    organization: org(plan),
    subject: 'DMARC reports missing',
    description: 'Nothing since this morning',
    severity,
    channel: 'portal',
    requester: { name: 'Dana', email: 'dana@acme.example' },
    category: null,
    createdBy: CUSTOMER,
    calendar: calendarFor(plan, severity),
    now
  })
  return { ...draft, id: '00000000-0000-4000-8000-000000000001', version: 1, ...overrides }
}

/** asserts that fn throws a DomainError with this code (and these extras, when given) */
export function throwsCode (t: Pick<Test, 'match' | 'fail'>, fn: () => unknown, code: string, extras?: Record<string, unknown>, msg?: string): void {
  try {
    fn()
  } catch (e) {
    const err = e as { code?: string; extras?: Record<string, unknown> }
    t.match({ code: err.code }, { code }, msg ?? `throws ${code}`)
    if (extras !== undefined) t.match(err.extras, extras, `${msg ?? code}: extras`)
    return
  }
  t.fail(`${msg ?? code}: did not throw`)
}
