/**
 * Upsert of a ticket by its reference in an integrator's system (issue 6):
 * PUT /v1/organizations/{organizationId}/external-tickets/{system}/{externalId}.
 *
 * One transaction: look the reference up; absent → open the ticket (the same rules as POST /v1/tickets: current
 * subscription, channel in plan, SLA clock) and link the reference; present → lock the ticket, honour If-Match, apply
 * the fields an integrator may set (subject, description, category, the reference's url) and write `ticket.updated`
 * only when something changed (a repeated PUT with the same body changes nothing: no new version, no event).
 *
 * Never two tickets for one reference: the link is INSERT … ON CONFLICT DO NOTHING on the unique
 * (organization_id, system, external_id). Of two concurrent creators the second's insert waits for the first to
 * commit and then sees the conflict; it rolls back its whole transaction (its ticket and event vanish with it) and
 * runs again, now finding the reference — and takes the update path.
 */
import { isStaff, type Principal } from '../domain/access.js'
import { DomainError } from '../domain/errors.js'
import { editTicket, type TicketPatch } from '../domain/tickets/editing.js'
import { slaView } from '../domain/tickets/sla.js'
import { sameTags } from '../domain/tickets/tags.js'
import type { Ticket } from '../domain/tickets/ticket.js'
import type { DbOrTx } from '../db/client.js'
import * as refs from '../db/repositories/external-refs.js'
import * as ticketsRepo from '../db/repositories/tickets.js'
import type { AppContext } from './context.js'
import { insertNewTicket, loadTicket, recordTicketEvent, ticketSnapshot, viewOf, type CreateTicketInput, type TicketView } from './tickets.js'
import { assertSubscriptionFor, checkVersion, organizationFor, requireOrganization, staleWrite } from './guards.js'
import { scheduleSlaTimers } from './sla-timers.js'

export interface ExternalTicketKey { organizationId: string; system: string; externalId: string }

/** what opens a ticket (category absent: unchanged on update; null: none), plus its address in the external system */
export type ExternalTicketInput = Omit<CreateTicketInput, 'organizationId'> & {
  /** the ticket's address in the external system; absent: unchanged on update; null: none */
  url?: string | null
}

export interface UpsertPreconditions {
  /** If-Match with a version: the existing ticket must be at it (412 otherwise) */
  version?: number
  /** any If-Match (also `*`): the ticket must already exist (412 otherwise) */
  mustExist: boolean
  /** If-None-Match: * — create only (412 when the reference already names a ticket) */
  mustNotExist: boolean
}

export interface UpsertResult { view: TicketView; created: boolean }

/** a concurrent transaction linked the reference first: roll back and run again */
class ReferenceTaken extends Error {}

const MAX_ATTEMPTS = 5

export async function upsertExternalTicket (ctx: AppContext, p: Principal, key: ExternalTicketKey, input: ExternalTicketInput, pre: UpsertPreconditions): Promise<UpsertResult> {
  const organizationId = organizationFor(p, key.organizationId)
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.database.db.transaction(async (tx) => {
        const now = ctx.now()
        const existing = await refs.findRef(tx, organizationId, key.system, key.externalId)
        if (existing === undefined) {
          if (pre.mustExist) throw new DomainError('precondition-failed', 'If-Match was sent but no ticket has this external reference yet')
          return await create(ctx, tx, p, { ...key, organizationId }, input, now)
        }
        if (pre.mustNotExist) throw new DomainError('precondition-failed', 'If-None-Match: * was sent but a ticket already has this external reference', { ticketId: existing.ticketId })
        return await update(ctx, tx, p, key, existing, input, pre.version, now)
      })
    } catch (err) {
      if (err instanceof ReferenceTaken && attempt < MAX_ATTEMPTS) continue
      if (err instanceof ReferenceTaken) throw new DomainError('conflict', 'The external reference is being written concurrently; retry')
      throw err
    }
  }
}

async function create (ctx: AppContext, tx: DbOrTx, p: Principal, key: ExternalTicketKey, input: ExternalTicketInput, now: Date): Promise<UpsertResult> {
  const { ticket, calendar } = await insertNewTicket(ctx, tx, p, key.organizationId, input, now)
  const linked = await refs.insertRef(tx, { ticketId: ticket.id, organizationId: key.organizationId, system: key.system, externalId: key.externalId, url: input.url ?? null }, now)
  if (linked === undefined) throw new ReferenceTaken()
  const saved: Ticket = { ...ticket, externalRefs: await refs.syncTicketRefs(tx, ticket.id) }
  await recordTicketEvent(tx, p, saved, 'ticket.created', now, {
    after: { ...ticketSnapshot(saved), externalRefs: saved.externalRefs },
    externalRef: { system: key.system, externalId: key.externalId }
  })
  return { view: { ticket: saved, sla: slaView(saved.sla, calendar, now) }, created: true }
}

async function update (ctx: AppContext, tx: DbOrTx, p: Principal, key: ExternalTicketKey, existing: refs.RefRow, input: ExternalTicketInput, version: number | undefined, now: Date): Promise<UpsertResult> {
  const current = await loadTicket(tx, p, existing.ticketId, { forUpdate: true })
  checkVersion('ticket', version, current.version)
  await assertSubscriptionFor(tx, p, 'edit', current.organizationId, now)
  // re-read the reference now that the ticket is locked: concurrent upserts of one reference serialise on the
  // ticket row, so the URL compared below is the committed one, not the one read before the lock
  const ref = await refs.findRef(tx, current.organizationId, key.system, key.externalId) ?? existing
  // only what differs counts as a change (so a customer re-sending the category it cannot change is not refused)
  const patch: TicketPatch = {}
  if (input.subject !== current.subject) patch.subject = input.subject
  if (input.description !== current.description) patch.description = input.description
  if (input.category !== undefined && input.category !== current.category) patch.category = input.category
  if (input.tags !== undefined && !sameTags(input.tags, current.tags ?? [])) patch.tags = input.tags
  const { ticket: next, changes } = editTicket(current, patch, { staff: isStaff(p) })
  const urlChanged = input.url !== undefined && input.url !== ref.url
  const fields: string[] = Object.keys(changes)
  if (fields.length === 0 && !urlChanged) return { view: await viewOf(ctx, current, now, tx), created: false }
  const before: Record<string, unknown> = {}
  const after: Record<string, unknown> = {}
  for (const [f, c] of Object.entries(changes)) { before[f] = c.before; after[f] = c.after }
  if (urlChanged) {
    await refs.updateRefUrl(tx, ref.id, input.url ?? null, now)
    fields.push('externalRefs')
    before.externalRefs = current.externalRefs ?? []
  }
  const updated = await ticketsRepo.updateTicket(tx, next, current.version, now)
  if (updated === undefined) throw staleWrite('ticket')
  await scheduleSlaTimers(ctx, tx, current, updated)
  const saved: Ticket = urlChanged ? { ...updated, externalRefs: await refs.syncTicketRefs(tx, updated.id) } : updated
  if (urlChanged) after.externalRefs = saved.externalRefs
  await recordTicketEvent(tx, p, saved, 'ticket.updated', now, {
    changedFields: fields, before, after, externalRef: { system: key.system, externalId: key.externalId }
  })
  return { view: await viewOf(ctx, saved, now, tx), created: false }
}

export interface BatchItem { system: string; externalId: string; input: ExternalTicketInput; pre: UpsertPreconditions }

export type BatchOutcome = { ok: true; result: UpsertResult } | { ok: false; error: DomainError }

/**
 * The batch upsert (issue 15): each item exactly as upsertExternalTicket does it, in its own transaction, in order
 * (so a reference named twice is created by the first item and updated by the second). A refused item leaves
 * nothing behind and does not stop the others; items the HTTP layer already found invalid arrive as their error.
 * The organization is checked once for the whole request (another organization's: 404 for the request).
 * An unexpected failure (the database gone) ends the request: what committed stays, and re-sending the same items
 * is safe because an upsert by reference that changes nothing writes nothing.
 */
export async function upsertExternalTicketBatch (ctx: AppContext, p: Principal, organizationId: string, items: Array<BatchItem | DomainError>): Promise<BatchOutcome[]> {
  const orgId = organizationFor(p, organizationId)
  await requireOrganization(ctx.database.db, orgId)
  const outcomes: BatchOutcome[] = []
  for (const item of items) {
    if (item instanceof DomainError) { outcomes.push({ ok: false, error: item }); continue }
    try {
      outcomes.push({ ok: true, result: await upsertExternalTicket(ctx, p, { organizationId: orgId, system: item.system, externalId: item.externalId }, item.input, item.pre) })
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      outcomes.push({ ok: false, error: err })
    }
  }
  return outcomes
}
