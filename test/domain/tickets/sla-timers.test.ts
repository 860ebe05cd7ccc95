import t from 'tap'
import fc from 'fast-check'
import { PLAN_IDS, type PlanId, type Severity } from '../../../src/domain/policy/policy.js'
import { decideSlaTimer, slaTimers, splitTimers, sweepTimers, timersToSchedule, type SlaTimer } from '../../../src/domain/tickets/sla-timers.js'
import { slaView, storedSlaStatus } from '../../../src/domain/tickets/sla.js'
import { recomputeCycle } from '../../../src/domain/tickets/severity.js'
import type { Ticket } from '../../../src/domain/tickets/ticket.js'
import { calendarFor, newTicket } from './fixtures.js'

const SEVERITY_OF = { P1: 'urgent', P2: 'high', P3: 'low' } as const
const moments = (plan: PlanId, severity: Severity, at: string): { atRisk: string; breached: string; dueAt: string } => {
  const tk = newTicket(plan, severity, at)
  const [risk, breach] = slaTimers(tk)
  if (risk === undefined || breach === undefined) throw new Error('no timers')
  return { atRisk: risk.fireAt.toISOString(), breached: breach.fireAt.toISOString(), dueAt: breach.moment.toISOString() }
}

t.test('every plan × priority from Monday 09:00 PDT: at risk with < 25 % left, breached 1 ms after dueAt', async (t) => {
  const at = '2026-03-09T16:00:00Z'
  const expected: Record<PlanId, Record<'P1' | 'P2' | 'P3', [string, string]>> = {
    // 24 business hours on Mon–Fri 06–18 PT: Mon 9 h + Tue 12 h + Wed 3 h; at risk with 6 h left (Tue 15:00 PDT)
    basic: { P1: ['2026-03-10T22:00:00.001Z', '2026-03-11T16:00:00.000Z'], P2: ['2026-03-10T22:00:00.001Z', '2026-03-11T16:00:00.000Z'], P3: ['2026-03-10T22:00:00.001Z', '2026-03-11T16:00:00.000Z'] },
    enhanced: { P1: ['2026-03-09T16:45:00.001Z', '2026-03-09T17:00:00.000Z'], P2: ['2026-03-09T20:30:00.001Z', '2026-03-09T22:00:00.000Z'], P3: ['2026-03-10T22:00:00.001Z', '2026-03-11T16:00:00.000Z'] },
    premier: { P1: ['2026-03-09T16:45:00.001Z', '2026-03-09T17:00:00.000Z'], P2: ['2026-03-09T19:00:00.001Z', '2026-03-09T20:00:00.000Z'], P3: ['2026-03-10T22:00:00.001Z', '2026-03-11T16:00:00.000Z'] }
  }
  for (const plan of PLAN_IDS) {
    for (const priority of ['P1', 'P2', 'P3'] as const) {
      const m = moments(plan, SEVERITY_OF[priority], at)
      const [risk, due] = expected[plan][priority]
      t.same([m.atRisk, m.dueAt], [risk, due], `${plan} ${priority}`)
      t.equal(m.breached, new Date(new Date(due).getTime() + 1).toISOString(), `${plan} ${priority}: breached 1 ms after dueAt`)
    }
  }
})

t.test('a weekend: Enhanced P2 opened Friday 17:00 PT is at risk on Monday, not on Saturday (and across the March DST change)', async (t) => {
  // Friday 2026-03-06 17:00 PST; DST starts Sunday 03-08: Monday 06:00 is PDT
  const m = moments('enhanced', 'high', '2026-03-07T01:00:00Z')
  t.same(m, { atRisk: '2026-03-09T16:30:00.001Z', breached: '2026-03-09T18:00:00.001Z', dueAt: '2026-03-09T18:00:00.000Z' }, '1 h Friday + 5 h Monday: due 11:00 PDT, at risk 09:30 PDT')
  const premier = moments('premier', 'high', '2026-03-07T01:00:00Z')
  t.same(premier.dueAt, '2026-03-09T16:00:00.000Z', 'Premier P2: 1 h Friday + 3 h Monday → 09:00 PDT')
})

t.test('a holiday (Basic only): Independence Day observed Friday 2026-07-03', async (t) => {
  const at = '2026-07-02T16:00:00Z' // Thursday 09:00 PDT
  t.same(moments('basic', 'urgent', at), { atRisk: '2026-07-06T22:00:00.001Z', breached: '2026-07-07T16:00:00.001Z', dueAt: '2026-07-07T16:00:00.000Z' },
    'Thu 9 h, Fri holiday, weekend, Mon 12 h, Tue 3 h: due Tue 09:00 PDT; at risk Mon 15:00 PDT')
  t.same(moments('enhanced', 'low', at).dueAt, '2026-07-06T16:00:00.000Z', 'Enhanced P3 counts the holiday (open on holidays): due Mon 09:00 PDT')
})

t.test('both DST changes', async (t) => {
  // 24/7 (Premier P1): one real hour, whatever the wall clock does
  t.same(moments('premier', 'urgent', '2026-03-08T09:30:00Z'), { atRisk: '2026-03-08T10:15:00.001Z', breached: '2026-03-08T10:30:00.001Z', dueAt: '2026-03-08T10:30:00.000Z' }, 'spring: 01:30 PST → 03:30 PDT')
  t.same(moments('premier', 'urgent', '2026-11-01T08:30:00Z'), { atRisk: '2026-11-01T09:15:00.001Z', breached: '2026-11-01T09:30:00.001Z', dueAt: '2026-11-01T09:30:00.000Z' }, 'fall: 01:30 PDT → 01:30 PST')
  // business hours across the fall change: Friday 17:00 PDT → Monday in PST
  t.same(moments('enhanced', 'high', '2026-10-31T00:00:00Z'), { atRisk: '2026-11-02T17:30:00.001Z', breached: '2026-11-02T19:00:00.001Z', dueAt: '2026-11-02T19:00:00.000Z' }, 'due Monday 11:00 PST, at risk 09:30 PST')
})

t.test('what a write schedules', async (t) => {
  const tk = newTicket('enhanced', 'low', '2026-03-09T16:00:00Z')
  t.same(timersToSchedule(null, tk).map((x) => x.kind), ['at_risk', 'breached'], 'a new ticket: both')
  const edited: Ticket = { ...tk, version: 2, subject: 'x' }
  t.same(timersToSchedule(tk, edited), [], 'an unrelated edit: none')
  const answered = { ...tk, sla: { ...tk.sla, firstRespondedAt: new Date('2026-03-09T17:00:00Z') } }
  t.same(timersToSchedule(tk, answered), [], 'a first response: none (the pending ones no-op)')
  t.same(slaTimers({ ...tk, status: 'closed' }), [], 'a closed ticket owes nothing')
  const now = new Date('2026-03-09T16:30:00Z')
  const { cycle } = recomputeCycle(tk.sla, { plan: 'enhanced', severity: 'urgent', direction: 'upgrade', now, calendar: calendarFor('enhanced', 'urgent') })
  const moved = timersToSchedule(tk, { ...tk, sla: cycle })
  t.same(moved.map((x) => [x.kind, x.moment.toISOString()]), [['at_risk', '2026-03-09T17:15:00.001Z'], ['breached', '2026-03-09T17:30:00.000Z']], 'an upgrade: the new pair')
  const reopened = { ...tk, sla: { ...tk.sla, cycle: 2 } }
  t.same(timersToSchedule(tk, reopened).map((x) => x.cycle), [2, 2], 'a new cycle: its own pair')
})

t.test('what a firing timer decides (re-reading the ticket)', async (t) => {
  const tk = newTicket('enhanced', 'high', '2026-03-09T16:00:00Z')
  const [risk, breach] = slaTimers(tk)
  if (risk === undefined || breach === undefined) throw new Error('no timers')
  t.same(decideSlaTimer(tk, risk, new Date(risk.fireAt.getTime() - 1)), { action: 'wait', until: risk.fireAt }, 'early: waits')
  t.same(decideSlaTimer(tk, risk, risk.fireAt), { action: 'fire' }, 'at the moment')
  t.same(decideSlaTimer(tk, breach, new Date('2026-03-20T00:00:00Z')), { action: 'fire' }, 'long after (catch-up): fires')
  t.same(decideSlaTimer({ ...tk, sla: { ...tk.sla, cycle: 2 } }, breach, breach.fireAt), { action: 'stale', reason: 'other_cycle' })
  t.same(decideSlaTimer({ ...tk, sla: { ...tk.sla, firstRespondedAt: risk.fireAt } }, breach, breach.fireAt), { action: 'stale', reason: 'answered_or_closed' })
  t.same(decideSlaTimer({ ...tk, status: 'closed' }, breach, breach.fireAt), { action: 'stale', reason: 'answered_or_closed' })
  t.same(decideSlaTimer({ ...tk, sla: { ...tk.sla, dueAt: new Date('2026-03-10T00:00:00Z') } }, breach, breach.fireAt), { action: 'stale', reason: 'moved' })
})

t.test('property: the timers flip exactly when the stored and the derived status flip (any plan, severity, start)', async (t) => {
  const severities: Severity[] = ['urgent', 'high', 'medium', 'low']
  fc.assert(fc.property(
    fc.constantFrom(...PLAN_IDS), fc.constantFrom(...severities),
    fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
    (plan, severity, start) => {
      const tk = newTicket(plan, severity, new Date(start))
      const cal = calendarFor(plan, severity)
      for (const timer of slaTimers(tk)) {
        const before = new Date(timer.fireAt.getTime() - 1)
        const kindStatus = timer.kind
        if (storedSlaStatus(tk.sla, before) === kindStatus) return false
        if (storedSlaStatus(tk.sla, timer.fireAt) !== kindStatus) return false
        if (slaView(tk.sla, cal, timer.fireAt).status !== kindStatus) return false
      }
      return true
    }), { numRuns: 300 })
  t.pass('300 random tickets')
})

t.test('splitTimers and sweepTimers: near timers now, the earliest far one as the pointer', async (t) => {
  const tk = newTicket('enhanced', 'high', '2026-03-09T16:00:00Z') // at risk 20:30:00.001Z, breached 22:00:00.001Z
  const [risk, breach] = slaTimers(tk) as [SlaTimer, SlaTimer]
  t.same(splitTimers([risk, breach], new Date('2026-03-09T16:01:00Z')), { now: [], later: risk.fireAt }, 'both far: the at-risk instant waits')
  t.same(splitTimers([risk, breach], risk.fireAt), { now: [risk], later: breach.fireAt }, 'the horizon is inclusive')
  t.same(splitTimers([breach, risk], new Date('2026-03-10T00:00:00Z')), { now: [breach, risk], later: null })
  t.same(splitTimers([], new Date(0)), { now: [], later: null })
  t.same(sweepTimers(tk, breach.fireAt, new Date('2026-03-10T00:00:00Z')), { now: [breach], later: null }, 'before the pointer: handed on already')
  t.same(sweepTimers({ ...tk, status: 'closed' }, risk.fireAt, new Date('2026-03-10T00:00:00Z')), { now: [], later: null }, 'owed nothing: the pointer clears')
})

t.test('property: the timer pointer protocol hands every timer of the current state to the engine by the time a sweep reaches it', async (t) => {
  const severities: Severity[] = ['urgent', 'high', 'medium', 'low']
  const H = 60_000
  type Op = { kind: 'severity'; severity: Severity } | { kind: 'answer' } | { kind: 'reopen'; severity: Severity } | { kind: 'sweep' }
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constantFrom(...severities).map((severity): Op => ({ kind: 'severity', severity })),
    fc.constant<Op>({ kind: 'answer' }),
    fc.constantFrom(...severities).map((severity): Op => ({ kind: 'reopen', severity })),
    fc.constant<Op>({ kind: 'sweep' }), fc.constant<Op>({ kind: 'sweep' }))
  const same = (a: SlaTimer, b: SlaTimer): boolean => a.cycle === b.cycle && a.kind === b.kind && a.moment.getTime() === b.moment.getTime()
  fc.assert(fc.property(
    fc.constantFrom(...PLAN_IDS), fc.constantFrom(...severities),
    fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
    fc.array(fc.tuple(op, fc.integer({ min: 0, max: 6 * 3_600_000 })), { maxLength: 25 }),
    (plan, severity, start, ops) => {
      let now = new Date(start)
      let tk: Ticket = newTicket(plan, severity, now)
      const sent: SlaTimer[] = []
      // the create: near timers are jobs, the earliest far one is the pointer
      const created = splitTimers(timersToSchedule(null, tk), new Date(now.getTime() + H))
      sent.push(...created.now)
      let pointer = created.later
      const handedOn = (timer: SlaTimer): boolean => sent.some((s) => same(s, timer))
      for (const [o, step] of ops) {
        now = new Date(now.getTime() + step)
        const horizon = new Date(now.getTime() + H)
        if (o.kind === 'sweep') {
          if (pointer !== null && pointer.getTime() <= horizon.getTime()) {
            const swept = sweepTimers(tk, pointer, horizon)
            sent.push(...swept.now)
            pointer = swept.later
          }
          // after a sweep, every timer of the current state due by the horizon is a job
          if (!slaTimers(tk).every((x) => x.fireAt.getTime() > horizon.getTime() || handedOn(x))) return false
          continue
        }
        const before = tk
        if (o.kind === 'answer') tk = { ...tk, sla: { ...tk.sla, firstRespondedAt: now } }
        else if (o.kind === 'severity') tk = { ...tk, sla: recomputeCycle(tk.sla, { plan, severity: o.severity, direction: 'upgrade', now, calendar: calendarFor(plan, o.severity) }).cycle }
        else tk = { ...tk, sla: { ...newTicket(plan, o.severity, now).sla, cycle: tk.sla.cycle + 1 } }
        // a write: near new timers are jobs; the pointer moves to the earliest far one when that is sooner (LEAST)
        const split = splitTimers(timersToSchedule(before, tk), horizon)
        sent.push(...split.now)
        if (split.later !== null && (pointer === null || split.later.getTime() < pointer.getTime())) pointer = split.later
      }
      // at any point: every timer of the current state before the pointer (all of them when there is none) is a job
      return slaTimers(tk).every((x) => (pointer !== null && x.fireAt.getTime() >= pointer.getTime()) || handedOn(x))
    }), { numRuns: 400 })
  t.pass('400 random histories')
})
