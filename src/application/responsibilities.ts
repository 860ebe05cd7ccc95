/**
 * The customer-responsibilities checklist and the technical representative. Writes lock the row they change (items
 * are created lazily on their first write), compare If-Match with the locked version, and record the event in the
 * same transaction. Lock order: representative, then item — the item-only PATCH takes one lock, so no cycle exists.
 *
 * The subscription need not be current here: restoring DNS records at the end of the term is itself a duty of the
 * checklist, so customers can keep recording it after the term has ended.
 */
import { actorOf, assertOrgAccess, isStaff, type Principal } from '../domain/access.js'
import { DomainError } from '../domain/errors.js'
import {
  assertNotApplicableAllowed,
  assertStatusChangeAllowed,
  buildChecklist,
  checklistItem,
  representativeItemStatus,
  type Checklist,
  type ChecklistItem,
  type ResponsibilityStatus
} from '../domain/checklists/checklist.js'
import type { Organization } from '../domain/organizations/organization.js'
import { isResponsibilityKey, responsibility, type ResponsibilityKey } from '../domain/policy/responsibilities.js'
import type { Actor } from '../db/events.js'
import { recordEvent } from '../db/events.js'
import type { Tx } from '../db/client.js'
import * as repo from '../db/repositories/responsibilities.js'
import type { TechnicalRepresentative } from '../db/repositories/responsibilities.js'

export type { TechnicalRepresentative }
import type { AppContext } from './context.js'
import { checkVersion, requireOrganization, savedOrStale } from './guards.js'

export interface UpdateResponsibilityInput {
  status?: ResponsibilityStatus
  note?: string | null
  evidenceUrl?: string | null
}

export interface RepresentativeInput { name: string; email: string; phone?: string | null; userId?: string | null }

async function visibleOrganization (ctx: AppContext, p: Principal, organizationId: string, on: Tx | undefined = undefined): Promise<Organization> {
  assertOrgAccess(p, organizationId, 'Organization')
  return await requireOrganization(on ?? ctx.database.db, organizationId)
}

function knownKey (key: string): ResponsibilityKey {
  if (!isResponsibilityKey(key)) throw new DomainError('not-found', `Responsibility ${key} not found`)
  return key
}

const itemSnapshot = (i: { status: ResponsibilityStatus; note: string | null; evidenceUrl: string | null }) =>
  ({ status: i.status, note: i.note, evidenceUrl: i.evidenceUrl })

const repSnapshot = (r: TechnicalRepresentative) =>
  r.isSet ? { name: r.name, email: r.email, phone: r.phone, userId: r.userId } : null

export async function getChecklist (ctx: AppContext, p: Principal, organizationId: string): Promise<Checklist> {
  const org = await visibleOrganization(ctx, p, organizationId)
  const items = await repo.listItems(ctx.database.db, organizationId)
  return buildChecklist(items, org.subscription, ctx.now())
}

export async function getResponsibility (ctx: AppContext, p: Principal, organizationId: string, key: string): Promise<ChecklistItem> {
  const org = await visibleOrganization(ctx, p, organizationId)
  const k = knownKey(key)
  return checklistItem(responsibility(k), await repo.findItem(ctx.database.db, organizationId, k), org.subscription, ctx.now())
}

/** moves an item to a status decided by the system (the representative record), with its event */
async function setItemStatus (tx: Tx, organizationId: string, key: ResponsibilityKey, status: ResponsibilityStatus, actor: Actor, now: Date, cause: string): Promise<void> {
  const item = await repo.lockItem(tx, organizationId, key)
  if (item.status === status) return
  const saved = await repo.updateItem(tx, { ...item, status }, item.version, actor, now)
  if (saved === undefined) throw new Error('locked item changed')
  await recordEvent(tx, {
    type: 'responsibility.updated', organizationId, resourceType: 'responsibility_item', resourceId: saved.id,
    resourceVersion: saved.version, actor, occurredAt: now, data: { key, cause, before: itemSnapshot(item), after: itemSnapshot(saved) }
  })
}

export async function updateResponsibility (ctx: AppContext, p: Principal, organizationId: string, key: string, input: UpdateResponsibilityInput, expectedVersion: number | undefined): Promise<ChecklistItem> {
  assertOrgAccess(p, organizationId, 'Organization')
  const now = ctx.now()
  const actor = actorOf(p)
  return await ctx.transaction(async (tx) => {
    const org = await visibleOrganization(ctx, p, organizationId, tx)
    const k = knownKey(key)
    const def = responsibility(k)
    const item = await repo.lockItem(tx, organizationId, k)
    checkVersion('item', expectedVersion, item.version, 'short')
    if (input.status !== undefined) {
      assertStatusChangeAllowed(def, item.status, input.status)
      assertNotApplicableAllowed(def, { from: item.status, to: input.status, by: isStaff(p) ? 'staff' : 'customer' })
    }
    const next = {
      ...item,
      status: input.status ?? item.status,
      note: input.note === undefined ? item.note : input.note,
      evidenceUrl: input.evidenceUrl === undefined ? item.evidenceUrl : input.evidenceUrl
    }
    if (next.status === item.status && next.note === item.note && next.evidenceUrl === item.evidenceUrl) {
      return checklistItem(def, item, org.subscription, now) // nothing changes
    }
    const saved = savedOrStale(await repo.updateItem(tx, next, item.version, actor, now), 'item', 'short')
    await recordEvent(tx, {
      type: 'responsibility.updated', organizationId, resourceType: 'responsibility_item', resourceId: saved.id,
      resourceVersion: saved.version, actor, occurredAt: now, data: { key: k, before: itemSnapshot(item), after: itemSnapshot(saved) }
    })
    return checklistItem(def, saved, org.subscription, now)
  })
}

export async function getRepresentative (ctx: AppContext, p: Principal, organizationId: string): Promise<TechnicalRepresentative> {
  await visibleOrganization(ctx, p, organizationId)
  const rep = await repo.findRepresentative(ctx.database.db, organizationId)
  if (rep === undefined || !rep.isSet) throw new DomainError('not-found', 'No technical representative is set for this organization')
  return rep
}

/** records the representative and marks `technical-representative` done; `created` when none was set before */
export async function setRepresentative (ctx: AppContext, p: Principal, organizationId: string, input: RepresentativeInput, expectedVersion: number | undefined): Promise<{ representative: TechnicalRepresentative; created: boolean }> {
  assertOrgAccess(p, organizationId, 'Organization')
  const now = ctx.now()
  const actor = actorOf(p)
  const fields = { name: input.name, email: input.email, phone: input.phone ?? null, userId: input.userId ?? null }
  return await ctx.transaction(async (tx) => {
    await visibleOrganization(ctx, p, organizationId, tx)
    let current = await repo.findRepresentative(tx, organizationId, { forUpdate: true })
    let saved: TechnicalRepresentative | undefined
    if (current === undefined) {
      // never set: there is no representation an If-Match could name
      if (expectedVersion !== undefined) throw new DomainError('precondition-failed', 'No technical representative exists yet; send the PUT without If-Match', { currentVersion: null })
      saved = await repo.insertRepresentative(tx, organizationId, fields, actor, now)
      if (saved === undefined) current = await repo.findRepresentative(tx, organizationId, { forUpdate: true }) // a concurrent first PUT won
    }
    if (saved === undefined) {
      if (current === undefined) throw new Error('representative row vanished')
      checkVersion('representative', expectedVersion, current.version, 'short')
      saved = savedOrStale(await repo.updateRepresentative(tx, current.id, fields, current.version, actor, now), 'representative', 'short')
    }
    await recordEvent(tx, {
      type: 'technical_representative.set', organizationId, resourceType: 'technical_representative', resourceId: saved.id,
      resourceVersion: saved.version, actor, occurredAt: now,
      data: { before: current === undefined ? null : repSnapshot(current), after: repSnapshot(saved) }
    })
    await setItemStatus(tx, organizationId, 'technical-representative', representativeItemStatus(true), actor, now, 'technical_representative.set')
    return { representative: saved, created: current === undefined || !current.isSet }
  })
}

/** clears the representative and sets `technical-representative` back to pending */
export async function clearRepresentative (ctx: AppContext, p: Principal, organizationId: string, expectedVersion: number | undefined): Promise<void> {
  assertOrgAccess(p, organizationId, 'Organization')
  const now = ctx.now()
  const actor = actorOf(p)
  await ctx.transaction(async (tx) => {
    await visibleOrganization(ctx, p, organizationId, tx)
    const current = await repo.findRepresentative(tx, organizationId, { forUpdate: true })
    if (current === undefined || !current.isSet) throw new DomainError('not-found', 'No technical representative is set for this organization')
    checkVersion('representative', expectedVersion, current.version, 'short')
    const saved = savedOrStale(await repo.updateRepresentative(tx, current.id, null, current.version, actor, now), 'representative', 'short')
    await recordEvent(tx, {
      type: 'technical_representative.cleared', organizationId, resourceType: 'technical_representative', resourceId: saved.id,
      resourceVersion: saved.version, actor, occurredAt: now, data: { before: repSnapshot(current), after: null }
    })
    await setItemStatus(tx, organizationId, 'technical-representative', representativeItemStatus(false), actor, now, 'technical_representative.cleared')
  })
}
