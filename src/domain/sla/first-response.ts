/**
 * First-response SLA state of a ticket (pure; `now` is an argument).
 */
import { TICKET_POLICY } from '../policy/policy.js'
import { businessTimeBetween, type BusinessCalendar } from './calendar.js'

export const SLA_STATUSES = ['on_track', 'at_risk', 'breached', 'met'] as const
export type SlaStatus = (typeof SLA_STATUSES)[number]

export interface SlaStateInput {
  targetSeconds: number
  calendar: BusinessCalendar
  /** when the clock started (ticket creation); the deadline was computed from it */
  clockStartedAt: Date
  /** the deadline issued when the clock started (never recomputed here: holiday edits do not move issued deadlines) */
  dueAt: Date
  firstRespondedAt: Date | null
  now: Date
}

export interface SlaState {
  status: SlaStatus
  /** business seconds left until dueAt; 0 once answered or past due */
  remainingBusinessSeconds: number
}

/**
 * - `met`: a first response at or before dueAt;
 * - `breached`: a first response after dueAt, or none and now > dueAt;
 * - `at_risk`: no response yet and less than 25 % of the target (TICKET_POLICY.atRiskFraction) is left in business
 *   time (so at exactly dueAt, with 0 left, the ticket is at risk, not yet breached);
 * - `on_track`: otherwise.
 * remainingBusinessSeconds = businessTimeBetween(max(now, clockStartedAt), dueAt): it does not run down outside
 * business hours, never exceeds the target when `now` is before the clock start, and is 0 once answered (the clock
 * has stopped) or past due.
 */
export function slaState (input: SlaStateInput): SlaState {
  const { targetSeconds, calendar, clockStartedAt, dueAt, firstRespondedAt, now } = input
  if (firstRespondedAt !== null) {
    return { status: firstRespondedAt.getTime() <= dueAt.getTime() ? 'met' : 'breached', remainingBusinessSeconds: 0 }
  }
  if (now.getTime() > dueAt.getTime()) return { status: 'breached', remainingBusinessSeconds: 0 }
  const from = now.getTime() < clockStartedAt.getTime() ? clockStartedAt : now
  const remaining = businessTimeBetween(from, dueAt, calendar)
  const status: SlaStatus = remaining < targetSeconds * TICKET_POLICY.atRiskFraction ? 'at_risk' : 'on_track'
  return { status, remainingBusinessSeconds: remaining }
}

/**
 * ISO 8601 duration of a target, in hours/minutes/seconds only (business hours are not days): 3600 -> 'PT1H',
 * 86400 -> 'PT24H', 5400 -> 'PT1H30M', 0 -> 'PT0S', 1.5 -> 'PT1.5S'.
 */
export function isoDuration (seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`duration must be finite and >= 0, got ${seconds}`)
  const ms = Math.round(seconds * 1000)
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const sMs = ms % 60_000
  let out = 'PT'
  if (h > 0) out += `${h}H`
  if (m > 0) out += `${m}M`
  if (sMs > 0 || out === 'PT') out += sMs % 1000 === 0 ? `${sMs / 1000}S` : `${(sMs / 1000).toFixed(3).replace(/0+$/, '')}S`
  return out
}
