/**
 * The support terms as typed data. Everything a vendor may tune (targets, calendars, entitlements, closing rules)
 * lives here; the engines read it and never hard-code a number of their own.
 */
export const PLAN_IDS = ['basic', 'enhanced', 'premier'] as const
export type PlanId = (typeof PLAN_IDS)[number]

export const CHANNELS = ['portal', 'web_form', 'email', 'video_call', 'phone'] as const
export type Channel = (typeof CHANNELS)[number]

export const SEVERITIES = ['urgent', 'high', 'medium', 'low'] as const
export type Severity = (typeof SEVERITIES)[number]

export const PRIORITIES = ['P1', 'P2', 'P3'] as const
export type Priority = (typeof PRIORITIES)[number]

export const CALENDAR_IDS = ['business-hours-with-holidays', 'business-hours', 'always'] as const
export type CalendarId = (typeof CALENDAR_IDS)[number]

export interface SeverityLevel {
  id: Severity
  name: string
  priority: Priority
  /** lower rank = more severe; used to tell an upgrade from a downgrade */
  rank: number
  definition: string
}

export const SEVERITY_LEVELS: readonly SeverityLevel[] = [
  { id: 'urgent', name: 'Urgent', priority: 'P1', rank: 0, definition: 'The platform is completely or partially down.' },
  { id: 'high', name: 'High', priority: 'P2', rank: 1, definition: 'Any critical condition which prevents the use of core platform functionality.' },
  { id: 'medium', name: 'Medium', priority: 'P2', rank: 2, definition: 'Any minor problem or error which can easily be circumvented or avoided with minimal effort.' },
  { id: 'low', name: 'Low', priority: 'P3', rank: 3, definition: 'General question or feedback regarding the products.' }
]

export interface ResponseTarget {
  priority: Priority
  /** the target in seconds of the calendar's time (business seconds on business calendars, real seconds on `always`) */
  targetSeconds: number
  calendarId: CalendarId
  /** the wording of the terms */
  label: string
}

export interface SupportPlan {
  id: PlanId
  name: string
  channels: readonly Channel[]
  onboardingCalls: number
  workingHours: string
  responseTargets: Readonly<Record<Priority, ResponseTarget>>
}

const HOUR = 3600

const businessTarget = (priority: Priority, hours: number, calendarId: CalendarId): ResponseTarget => ({
  priority,
  targetSeconds: hours * HOUR,
  calendarId,
  label: `${hours} Business Hour${hours === 1 ? '' : 's'}`
})

export const SUPPORT_PLANS: Readonly<Record<PlanId, SupportPlan>> = {
  basic: {
    id: 'basic',
    name: 'Basic',
    channels: ['portal', 'web_form', 'email'],
    onboardingCalls: 0,
    workingHours: 'Business Hours – M-F 6am-6pm PT, excluding holidays',
    responseTargets: {
      P1: businessTarget('P1', 24, 'business-hours-with-holidays'),
      P2: businessTarget('P2', 24, 'business-hours-with-holidays'),
      P3: businessTarget('P3', 24, 'business-hours-with-holidays')
    }
  },
  enhanced: {
    id: 'enhanced',
    name: 'Enhanced',
    channels: ['portal', 'web_form', 'email', 'video_call'],
    onboardingCalls: 2,
    workingHours: 'Business Hours – M-F 6am-6pm PT',
    responseTargets: {
      P1: businessTarget('P1', 1, 'business-hours'),
      P2: businessTarget('P2', 6, 'business-hours'),
      P3: businessTarget('P3', 24, 'business-hours')
    }
  },
  premier: {
    id: 'premier',
    name: 'Premier',
    channels: ['portal', 'web_form', 'email', 'video_call', 'phone'],
    onboardingCalls: 5,
    workingHours: '24/7/365 for P1 incidents; Business Hours – M-F 6am-6pm PT otherwise',
    responseTargets: {
      P1: { priority: 'P1', targetSeconds: 1 * HOUR, calendarId: 'always', label: '1 Hour' },
      P2: { priority: 'P2', targetSeconds: 4 * HOUR, calendarId: 'business-hours', label: '4 Hours' },
      P3: { priority: 'P3', targetSeconds: 24 * HOUR, calendarId: 'business-hours', label: '24 Hours' }
    }
  }
}

/** Rules of the terms that are numbers a vendor may tune. */
export const TICKET_POLICY = {
  /** "multiple attempts to contact the Customer ... have gone unanswered" */
  minContactAttemptsForNoResponse: 3,
  /** how long after a no-response closure the customer may ask to reopen */
  reopenWindowDays: 30,
  /** an open first-response clock is `at_risk` when less than this fraction of the target is left */
  atRiskFraction: 0.25
} as const

export const ONBOARDING_POLICY = {
  minDurationMinutes: 30,
  maxDurationMinutes: 120,
  /** onboarding calls are booked inside the business calendar of the plan's P3 target (never the 24/7 one) */
  calendarFor: (plan: PlanId): CalendarId => plan === 'basic' ? 'business-hours-with-holidays' : 'business-hours'
} as const

export function severityLevel (severity: Severity): SeverityLevel {
  const level = SEVERITY_LEVELS.find((s) => s.id === severity)
  if (level === undefined) throw new Error(`unknown severity ${severity}`)
  return level
}

export const priorityOf = (severity: Severity): Priority => severityLevel(severity).priority

export const responseTarget = (plan: PlanId, severity: Severity): ResponseTarget =>
  SUPPORT_PLANS[plan].responseTargets[priorityOf(severity)]

export const planAllowsChannel = (plan: PlanId, channel: Channel): boolean =>
  SUPPORT_PLANS[plan].channels.includes(channel)

/** the cheapest plans that include a channel, for error messages ("video call needs Enhanced or Premier") */
export const plansWithChannel = (channel: Channel): PlanId[] =>
  PLAN_IDS.filter((p) => SUPPORT_PLANS[p].channels.includes(channel))
