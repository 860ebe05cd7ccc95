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

/** the status a managed item takes when its record is set or cleared */
export const representativeItemStatus = (isSet: boolean): ResponsibilityStatus => isSet ? 'done' : 'pending'
