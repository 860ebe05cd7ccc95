import t from 'tap'
import fc from 'fast-check'
import { PLAN_IDS, SEVERITIES, priorityOf, responseTarget, severityLevel, type PlanId, type Severity } from '../../../src/domain/policy/policy.js'
import { addBusinessTime } from '../../../src/domain/sla/calendar.js'
import { changeSeverity, severityDirection } from '../../../src/domain/tickets/severity.js'
import { recordFirstResponse, slaView, storedSlaStatus } from '../../../src/domain/tickets/sla.js'
import { closeTicket } from '../../../src/domain/tickets/closing.js'
import { AGENT, CALENDARS, calendarFor, newTicket, throwsCode } from './fixtures.js'

const d = (s: string): Date => new Date(s)
const change = (plan: PlanId, from: Severity, to: Severity, createdAt: string, at: string) => {
  const ticket = newTicket(plan, from, createdAt)
  return { before: ticket, out: changeSeverity(ticket, { to, plan, now: d(at), calendar: calendarFor(plan, to) }) }
}

t.test('direction by severity rank; the same severity is severity-unchanged', async (t) => {
  t.equal(severityDirection('low', 'urgent'), 'upgrade')
  t.equal(severityDirection('medium', 'high'), 'upgrade', 'same priority (P2), more severe')
  t.equal(severityDirection('urgent', 'low'), 'downgrade')
  t.equal(severityDirection('high', 'medium'), 'downgrade')
  for (const s of SEVERITIES) throwsCode(t, () => severityDirection(s, s), 'severity-unchanged', { severity: s })
})

t.test('while the first response is owed the deadline is recomputed from the change', async (t) => {
  // Enhanced, business-hours (Mon–Fri 06–18 PT). 2026-03-09 is a Monday (PDT, UTC−7).
  const a = change('enhanced', 'urgent', 'high', '2026-03-09T09:00:00-07:00', '2026-03-09T09:30:00-07:00')
  t.equal(a.before.sla.dueAt.toISOString(), d('2026-03-09T10:00:00-07:00').toISOString(), 'P1: 1 BH')
  t.equal(a.out.direction, 'downgrade')
  t.equal(a.out.slaEffect, 'recomputed')
  t.equal(a.out.ticket.sla.dueAt.toISOString(), d('2026-03-09T15:30:00-07:00').toISOString(), 'downgrade: 09:30 + 6 BH, later than before')
  t.equal(a.out.ticket.priority, 'P2')
  t.equal(a.out.ticket.sla.priority, 'P2')
  t.equal(a.out.ticket.sla.targetSeconds, 6 * 3600)
  t.same(a.out.ticket.sla.clockStartedAt, a.before.sla.clockStartedAt, 'the cycle start stays')

  const b = change('enhanced', 'low', 'urgent', '2026-03-09T09:00:00-07:00', '2026-03-09T10:00:00-07:00')
  t.equal(b.before.sla.dueAt.toISOString(), d('2026-03-11T09:00:00-07:00').toISOString(), 'P3: 24 BH = two business days')
  t.equal(b.out.direction, 'upgrade')
  t.equal(b.out.slaEffect, 'recomputed')
  t.equal(b.out.ticket.sla.dueAt.toISOString(), d('2026-03-09T11:00:00-07:00').toISOString(), 'upgrade: 10:00 + 1 BH, earlier')

  // a downgrade within the same priority still restarts the target from the change
  const c = change('enhanced', 'high', 'medium', '2026-03-09T09:00:00-07:00', '2026-03-09T14:00:00-07:00')
  t.equal(c.out.ticket.sla.dueAt.toISOString(), d('2026-03-10T08:00:00-07:00').toISOString(), '14:00 + 6 BH = Tue 08:00')
})

t.test('an upgrade never moves the deadline later', async (t) => {
  // medium → high (both P2, 6 BH): recomputing at 14:30 would give Tue 08:30; the earlier 15:00 is kept
  const a = change('enhanced', 'medium', 'high', '2026-03-09T09:00:00-07:00', '2026-03-09T14:30:00-07:00')
  t.equal(a.out.direction, 'upgrade')
  t.equal(a.out.slaEffect, 'kept-earlier-deadline')
  t.equal(a.out.ticket.sla.dueAt.toISOString(), d('2026-03-09T15:00:00-07:00').toISOString())
  t.equal(a.out.ticket.severity, 'high')
  // Basic: every priority is 24 BH on the holiday calendar, so an upgrade can only keep the deadline
  const b = change('basic', 'low', 'urgent', '2026-03-09T09:00:00-07:00', '2026-03-10T09:00:00-07:00')
  t.equal(b.out.slaEffect, 'kept-earlier-deadline')
  t.same(b.out.ticket.sla.dueAt, b.before.sla.dueAt)
  t.equal(b.out.ticket.priority, 'P1')
})

t.test('Premier P2 → urgent switches to the 24/7 calendar', async (t) => {
  // Friday 17:00 PST: P2 is 4 BH on business-hours → Monday 09:00; urgent is 1 h on `always` → 18:30 the same day
  const a = change('premier', 'high', 'urgent', '2026-01-09T17:00:00-08:00', '2026-01-09T17:30:00-08:00')
  t.equal(a.before.sla.dueAt.toISOString(), d('2026-01-12T09:00:00-08:00').toISOString())
  t.equal(a.out.ticket.sla.calendarId, 'always')
  t.equal(a.out.ticket.sla.dueAt.toISOString(), d('2026-01-09T18:30:00-08:00').toISOString())
})

t.test('after the first response, or once the deadline has passed, the result stands', async (t) => {
  const ticket = newTicket('enhanced', 'medium', '2026-03-09T09:00:00-07:00')
  const answered = { ...ticket, sla: recordFirstResponse(ticket.sla, d('2026-03-09T10:00:00-07:00')) }
  const a = changeSeverity(answered, { to: 'urgent', plan: 'enhanced', now: d('2026-03-09T11:00:00-07:00'), calendar: calendarFor('enhanced', 'urgent') })
  t.equal(a.slaEffect, 'unchanged-responded')
  t.same(a.ticket.sla, answered.sla, 'cycle untouched')
  t.equal(a.ticket.priority, 'P1', 'the priority changes')
  t.equal(slaView(a.ticket.sla, CALENDARS['business-hours'], d('2026-03-09T12:00:00-07:00')).status, 'met')

  // unanswered and past due: a downgrade does not erase the breach
  const b = changeSeverity(ticket, { to: 'low', plan: 'enhanced', now: d('2026-03-09T16:00:00-07:00'), calendar: calendarFor('enhanced', 'low') })
  t.equal(b.slaEffect, 'unchanged-breached')
  t.same(b.ticket.sla, ticket.sla)
  t.equal(slaView(b.ticket.sla, CALENDARS['business-hours'], d('2026-03-09T16:00:00-07:00')).status, 'breached')
})

t.test('a closed ticket takes no severity change', async (t) => {
  const ticket = closeTicket(newTicket('enhanced', 'medium', '2026-03-09T09:00:00-07:00'), { reason: 'resolved', actor: AGENT }, d('2026-03-09T10:00:00-07:00'))
  throwsCode(t, () => changeSeverity(ticket, { to: 'urgent', plan: 'enhanced', now: d('2026-03-09T11:00:00-07:00'), calendar: calendarFor('enhanced', 'urgent') }), 'ticket-closed')
})

const FROM = Date.UTC(2025, 11, 1)
const TO = Date.UTC(2027, 1, 1)
const arbInstant = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms - (ms % 60_000)))
const arbPlan = fc.constantFrom(...PLAN_IDS)
const arbSeverity = fc.constantFrom(...SEVERITIES)

t.test('properties of severity changes (fast-check)', async (t) => {
  fc.assert(fc.property(
    arbPlan, arbSeverity, arbSeverity, arbInstant,
    fc.integer({ min: 0, max: 5 * 86_400_000 }), // change delay
    fc.option(fc.integer({ min: 0, max: 5 * 86_400_000 }), { nil: null }), // first response delay
    fc.integer({ min: 0, max: 10 * 86_400_000 }), // observation delay after the change
    (plan, from, to, createdAt, changeDelay, responseDelay, observeDelay) => {
      fc.pre(from !== to)
      let ticket = newTicket(plan, from, createdAt)
      const changeAt = new Date(createdAt.getTime() + changeDelay)
      if (responseDelay !== null && responseDelay <= changeDelay) {
        ticket = { ...ticket, sla: recordFirstResponse(ticket.sla, new Date(createdAt.getTime() + responseDelay)) }
      }
      const out = changeSeverity(ticket, { to, plan, now: changeAt, calendar: calendarFor(plan, to) })
      const before = ticket.sla
      const after = out.ticket.sla
      // direction by rank
      const expectedDirection = severityLevel(to).rank < severityLevel(from).rank ? 'upgrade' : 'downgrade'
      if (out.direction !== expectedDirection) throw new Error('direction')
      if (out.ticket.priority !== priorityOf(to) || out.ticket.severity !== to) throw new Error('priority follows severity')
      if (before.firstRespondedAt !== null) {
        if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error('answered: the cycle must stand')
      } else if (changeAt.getTime() > before.dueAt.getTime()) {
        if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error('breached: the cycle must stand')
      } else {
        const target = responseTarget(plan, to)
        const recomputed = addBusinessTime(changeAt, target.targetSeconds, CALENDARS[target.calendarId])
        if (out.direction === 'upgrade') {
          if (after.dueAt.getTime() > before.dueAt.getTime()) throw new Error('an upgrade moved the deadline later')
          if (after.dueAt.getTime() !== Math.min(before.dueAt.getTime(), recomputed.getTime())) throw new Error('upgrade: earlier of old and recomputed')
        } else if (after.dueAt.getTime() !== recomputed.getTime()) {
          throw new Error('downgrade: recomputed from the change')
        }
        if (after.calendarId !== target.calendarId || after.targetSeconds !== target.targetSeconds) throw new Error('new target and calendar')
      }
      // the stored columns give the same status as the engine at any later time
      const now = new Date(changeAt.getTime() + observeDelay)
      const view = slaView(after, CALENDARS[after.calendarId], now)
      if (storedSlaStatus(after, now) !== view.status) throw new Error(`stored status ${storedSlaStatus(after, now)} != ${view.status}`)
    }
  ), { numRuns: 3000 })
  t.pass('3000 runs')
})
