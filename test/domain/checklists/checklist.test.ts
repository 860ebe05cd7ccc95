import t from 'tap'
import fc from 'fast-check'
import type { DomainError } from '../../../src/domain/errors.js'
import {
  assertNotApplicableAllowed,
  assertStatusChangeAllowed,
  buildChecklist,
  dueAtFor,
  isOverdue,
  RESPONSIBILITY_STATUSES,
  type ResponsibilityState,
  type ResponsibilityStatus
} from '../../../src/domain/checklists/checklist.js'
import { RESPONSIBILITIES, RESPONSIBILITY_KEYS, responsibility, type ResponsibilityKey } from '../../../src/domain/policy/responsibilities.js'

const term = { termStart: new Date('2026-01-01T00:00:00Z'), termEnd: new Date('2027-01-01T00:00:00Z') }
const state = (key: ResponsibilityKey, status: ResponsibilityStatus): ResponsibilityState =>
  ({ key, status, note: null, evidenceUrl: null, version: 2, updatedBy: { id: 'u', role: 'customer' }, updatedAt: new Date('2026-02-01T00:00:00Z') })

t.test('the five responsibilities of the terms, with stable keys, in order', async (t) => {
  t.same(RESPONSIBILITIES.map((r) => r.key), ['dns-records', 'dns-restore-at-term-end', 'technical-representative', 'saml-sso', 'unalignable-senders'])
  t.same([...RESPONSIBILITY_KEYS], RESPONSIBILITIES.map((r) => r.key))
  for (const r of RESPONSIBILITIES) {
    t.ok(r.title.length > 0 && r.description.length > 0, `${r.key} has title and description`)
    t.ok(Object.isFrozen(r), `${r.key} is frozen policy data`)
  }
  t.match(responsibility('dns-records').description, /DNS records/)
  t.match(responsibility('dns-restore-at-term-end').description, /original state at the end of the Subscription Term/)
  t.match(responsibility('technical-representative').description, /authority to approve or deny sending services/)
  t.match(responsibility('saml-sso').description, /SAML\/SSO/)
  t.equal(responsibility('unalignable-senders').ongoing, true)
  t.same(RESPONSIBILITIES.filter((r) => r.due !== null).map((r) => r.key), ['dns-restore-at-term-end'], 'only the restore has a due date')
})

t.test('dns-restore-at-term-end is due at termEnd and overdue strictly after it unless done/not_applicable', async (t) => {
  const def = responsibility('dns-restore-at-term-end')
  const due = dueAtFor(def, term)
  t.same(due, term.termEnd)
  const justBefore = new Date(term.termEnd.getTime() - 1)
  const at = term.termEnd
  const after = new Date(term.termEnd.getTime() + 1)
  t.equal(isOverdue(due, 'pending', justBefore), false)
  t.equal(isOverdue(due, 'pending', at), false, 'not at the due instant itself')
  t.equal(isOverdue(due, 'pending', after), true)
  t.equal(isOverdue(due, 'in_progress', after), true)
  t.equal(isOverdue(due, 'done', after), false)
  t.equal(isOverdue(due, 'not_applicable', after), false)
  t.equal(isOverdue(dueAtFor(responsibility('dns-records'), term), 'pending', after), false, 'no due date, never overdue')
})

t.test('checklist: untouched items are pending v1; summary done/total/overdue/notApplicable', async (t) => {
  const fresh = buildChecklist([], term, new Date('2026-06-01T00:00:00Z'))
  t.equal(fresh.items.length, 5)
  t.ok(fresh.items.every((i) => i.status === 'pending' && i.version === 1 && i.updatedBy === null && i.updatedAt === null))
  t.same(fresh.summary, { done: 0, total: 5, overdue: 0, notApplicable: 0 })
  t.same(fresh.items.find((i) => i.key === 'dns-restore-at-term-end')?.dueAt, term.termEnd)

  const states = [state('dns-records', 'done'), state('saml-sso', 'not_applicable'), state('technical-representative', 'done')]
  const later = buildChecklist(states, term, new Date('2027-01-02T00:00:00Z'))
  t.same(later.summary, { done: 2, total: 4, overdue: 1, notApplicable: 1 })
  t.equal(later.items.find((i) => i.key === 'dns-restore-at-term-end')?.overdue, true)
  const restored = buildChecklist([...states, state('dns-restore-at-term-end', 'done')], term, new Date('2027-01-02T00:00:00Z'))
  t.same(restored.summary, { done: 3, total: 4, overdue: 0, notApplicable: 1 })
  // a renewed term moves the due date
  const renewed = buildChecklist(states, { termEnd: new Date('2028-01-01T00:00:00Z') }, new Date('2027-01-02T00:00:00Z'))
  t.equal(renewed.summary.overdue, 0)
})

t.test('technical-representative status follows the representative record', async (t) => {
  const def = responsibility('technical-representative')
  const err = t.throws(() => assertStatusChangeAllowed(def, 'pending', 'done')) as DomainError
  t.equal(err.code, 'responsibility-status-managed')
  t.equal(err.status, 409)
  t.doesNotThrow(() => assertStatusChangeAllowed(def, 'done', 'done'), 'same status is no change')
  for (const from of RESPONSIBILITY_STATUSES) {
    for (const to of RESPONSIBILITY_STATUSES) t.doesNotThrow(() => assertStatusChangeAllowed(responsibility('dns-records'), from, to))
  }
})

t.test('property: overdue ⇔ has due date ∧ now > dueAt ∧ not settled; summary is consistent', async (t) => {
  const arbStates = fc.array(fc.record({ key: fc.constantFrom(...RESPONSIBILITY_KEYS), status: fc.constantFrom(...RESPONSIBILITY_STATUSES) }), { maxLength: 8 })
  fc.assert(fc.property(arbStates, fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-01-01T00:00:00Z'), noInvalidDate: true }), (raw, now) => {
    const list = buildChecklist(raw.map((r) => state(r.key, r.status)), term, now)
    for (const i of list.items) {
      const expect = i.key === 'dns-restore-at-term-end' && now.getTime() > term.termEnd.getTime() && i.status !== 'done' && i.status !== 'not_applicable'
      if (i.overdue !== expect) return false
    }
    const s = list.summary
    return s.total + s.notApplicable === 5 && s.done <= s.total && s.overdue <= 1 &&
      s.done === list.items.filter((i) => i.status === 'done').length
  }), { numRuns: 2000 })
  t.pass('holds')
})

t.test('not_applicable: mandatory items never; the others only when staff say so (policy data)', async (t) => {
  t.same(Object.fromEntries(RESPONSIBILITIES.map((r) => [r.key, r.notApplicable])), {
    'dns-records': 'never',
    'dns-restore-at-term-end': 'never',
    'technical-representative': 'never',
    'saml-sso': 'staff',
    'unalignable-senders': 'staff'
  })
  for (const def of RESPONSIBILITIES) {
    for (const by of ['customer', 'staff'] as const) {
      for (const from of RESPONSIBILITY_STATUSES) {
        for (const to of RESPONSIBILITY_STATUSES) {
          const run = (): void => { assertNotApplicableAllowed(def, { from, to, by }) }
          const what = `${by}: ${def.key} ${from} → ${to}`
          const allowed = to !== 'not_applicable' || from === 'not_applicable' || (def.notApplicable === 'staff' && by === 'staff')
          if (allowed) { t.doesNotThrow(run, what); continue }
          const err = t.throws(run, what) as DomainError
          if (def.notApplicable === 'never') {
            t.match(err, { code: 'responsibility-mandatory', status: 422 }, what)
            t.match(err.extras, { key: def.key, currentStatus: from, requestedStatus: to })
          } else {
            t.match(err, { code: 'field-not-allowed', status: 403 }, what)
            t.match(err.extras, { key: def.key, field: 'status', requestedStatus: 'not_applicable' })
          }
        }
      }
    }
  }
  t.doesNotThrow(() => { assertNotApplicableAllowed(responsibility('saml-sso'), { from: 'pending', to: 'not_applicable', by: 'staff' }) })
})
