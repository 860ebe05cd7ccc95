/**
 * The customer-responsibilities checklist of one organization (pure; `now` is an argument).
 *
 * Items are the policy definitions (src/domain/policy/responsibilities.ts) merged with what the organization recorded.
 * An item nobody has touched yet is `pending` at version 1 with no updatedBy/updatedAt.
 *
 * Due dates and overdue:
 * - `dns-restore-at-term-end` is due at the subscription's termEnd;
 * - an item is overdue when it has a due date, `now` is strictly after it, and its status is neither `done` nor
 *   `not_applicable` (at the due instant itself it is not yet overdue);
 * - items without a due date are never overdue.
 *
 * not_applicable (policy data `notApplicable` of each definition): items the terms make mandatory can never be
 * not_applicable (422 responsibility-mandatory, for everyone); the others only when support staff say so (customers
 * 403 field-not-allowed). Taking an obligation back on (leaving not_applicable) is open to everyone.
 *
 * Summary: `total` counts the applicable items (all but not_applicable), `done` those done, `overdue` those overdue,
 * `notApplicable` those marked not applicable, so "done of total" reaches 100 % once every applicable item is done.
 */
import { DomainError } from '../errors.js'
import {
  RESPONSIBILITIES,
  type ResponsibilityDefinition,
  type ResponsibilityKey
} from '../policy/responsibilities.js'

export const RESPONSIBILITY_STATUSES = ['pending', 'in_progress', 'done', 'not_applicable'] as const
export type ResponsibilityStatus = (typeof RESPONSIBILITY_STATUSES)[number]

export interface ChecklistActor { id: string; role: string }

/** what an organization recorded about one item */
export interface ResponsibilityState {
  key: ResponsibilityKey
  status: ResponsibilityStatus
  note: string | null
  evidenceUrl: string | null
  version: number
  updatedBy: ChecklistActor | null
  updatedAt: Date | null
}

export interface ChecklistItem extends ResponsibilityState {
  definition: ResponsibilityDefinition
  dueAt: Date | null
  overdue: boolean
}

export interface ChecklistSummary { done: number; total: number; overdue: number; notApplicable: number }

export interface Checklist { items: ChecklistItem[]; summary: ChecklistSummary }

export const untouchedState = (key: ResponsibilityKey): ResponsibilityState => ({
  key, status: 'pending', note: null, evidenceUrl: null, version: 1, updatedBy: null, updatedAt: null
})

export function dueAtFor (def: ResponsibilityDefinition, term: { termEnd: Date }): Date | null {
  return def.due === 'term-end' ? new Date(term.termEnd) : null
}

export const isSettled = (status: ResponsibilityStatus): boolean => status === 'done' || status === 'not_applicable'

export function isOverdue (dueAt: Date | null, status: ResponsibilityStatus, now: Date): boolean {
  return dueAt !== null && now.getTime() > dueAt.getTime() && !isSettled(status)
}

export function checklistItem (def: ResponsibilityDefinition, state: ResponsibilityState | undefined, term: { termEnd: Date }, now: Date): ChecklistItem {
  const s = state ?? untouchedState(def.key)
  const dueAt = dueAtFor(def, term)
  return { ...s, definition: def, dueAt, overdue: isOverdue(dueAt, s.status, now) }
}

export function summarize (items: readonly ChecklistItem[]): ChecklistSummary {
  let done = 0; let total = 0; let overdue = 0; let notApplicable = 0
  for (const i of items) {
    if (i.status === 'not_applicable') notApplicable++
    else total++
    if (i.status === 'done') done++
    if (i.overdue) overdue++
  }
  return { done, total, overdue, notApplicable }
}

/** the whole checklist in policy order; states of unknown keys are ignored */
export function buildChecklist (states: Iterable<ResponsibilityState>, term: { termEnd: Date }, now: Date): Checklist {
  const byKey = new Map<string, ResponsibilityState>()
  for (const s of states) byKey.set(s.key, s)
  const items = RESPONSIBILITIES.map((def) => checklistItem(def, byKey.get(def.key), term, now))
  return { items, summary: summarize(items) }
}

/**
 * A status change requested through the checklist. Items managed by another record (the technical representative)
 * only follow that record: asking for another status than the current one is 409 responsibility-status-managed.
 */
export function assertStatusChangeAllowed (def: ResponsibilityDefinition, from: ResponsibilityStatus, to: ResponsibilityStatus): void {
  if (def.managedBy === 'technical-representative' && from !== to) {
    throw new DomainError('responsibility-status-managed',
      `The status of ${def.key} follows the technical representative: PUT /technical-representative marks it done, DELETE sets it back to pending`,
      { key: def.key, currentStatus: from, requestedStatus: to })
  }
}

/**
 * Who may mark an item not_applicable (see the module comment): a change to not_applicable is refused with 422
 * responsibility-mandatory for mandatory items and with 403 field-not-allowed for customers; keeping it (from =
 * not_applicable) or any other status is no concern of this rule.
 */
export function assertNotApplicableAllowed (def: ResponsibilityDefinition, input: { from: ResponsibilityStatus; to: ResponsibilityStatus; by: 'customer' | 'staff' }): void {
  const { from, to, by } = input
  if (to !== 'not_applicable' || from === 'not_applicable') return
  if (def.notApplicable === 'never') {
    throw new DomainError('responsibility-mandatory',
      `The support terms make ${def.key} mandatory for every customer: it cannot be marked not_applicable`,
      { key: def.key, currentStatus: from, requestedStatus: to })
  }
  if (by !== 'staff') {
    throw new DomainError('field-not-allowed',
      `Only support staff can mark ${def.key} not_applicable (when it does not apply to your organization); ask your support contact`,
      { key: def.key, field: 'status', currentStatus: from, requestedStatus: to })
  }
}

/** the status a managed item takes when its record is set or cleared */
export const representativeItemStatus = (isSet: boolean): ResponsibilityStatus => isSet ? 'done' : 'pending'
