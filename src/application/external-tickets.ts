import { randomUUID } from 'node:crypto'
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
import type { ExternalRef, Ticket } from '../domain/tickets/ticket.js'
import { assertSubscriptionAllows } from '../domain/tickets/subscription.js'
import type { DbOrTx } from '../db/client.js'
import { findOrganization } from '../db/repositories/organizations.js'
import { recordEvent, recordEvents, type NewEvent } from '../db/events.js'
import * as refs from '../db/repositories/external-refs.js'
import type { RefKey } from '../db/repositories/external-refs.js'
import * as ticketsRepo from '../db/repositories/tickets.js'
import type { AppContext } from './context.js'
import { loadTicket, openNewTicket, ticketEvent, ticketSnapshot, viewOf, type CreateTicketInput, type TicketView } from './tickets.js'
import { assertSubscriptionFor, checkVersion, found, organizationFor, staleWrite } from './guards.js'
import { planSlaTimers, scheduleSlaTimers, scheduleSlaTimersMany, sendSlaTimerJobs, type SlaTimerPlan } from './sla-timers.js'

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
      return await ctx.transaction(async (tx) => {
        const now = ctx.now()
        const existing = await refs.findRef(tx, organizationId, key.system, key.externalId)
        if (existing === undefined) {
          if (pre.mustExist) throw new DomainError('precondition-failed', 'If-Match was sent but no ticket has this external reference yet')
          return await create(ctx, tx, p, { ...key, organizationId }, input, now)
        }
        if (pre.mustNotExist) throw new DomainError('precondition-failed', 'If-None-Match: * was sent but a ticket already has this external reference', { ticketId: existing.ticketId })
        const current = await loadTicket(tx, p, existing.ticketId, { forUpdate: true })
        checkVersion('ticket', pre.version, current.version)
        await assertSubscriptionFor(tx, p, 'edit', current.organizationId, now)
        // re-read the reference now that the ticket is locked: concurrent upserts of one reference serialise on the
        // ticket row, so the URL compared below is the committed one, not the one read before the lock
        const ref = await refs.findRef(tx, current.organizationId, key.system, key.externalId) ?? existing
        const plan = planUpdate(p, current, key, ref, input, now)
        if (plan === null) return { view: await viewOf(ctx, current, now, tx), created: false }
        const saved = await persistUpdate(ctx, tx, p, key, ref, current, plan, now)
        return { view: await viewOf(ctx, saved, now, tx), created: false }
      })
    } catch (err) {
      if (err instanceof ReferenceTaken && attempt < MAX_ATTEMPTS) continue
      if (err instanceof ReferenceTaken) throw new DomainError('conflict', 'The external reference is being written concurrently; retry')
      throw err
    }
  }
}

/** the new ticket's one reference, as its read copy (tickets.external_refs) holds it */
const refsOfNew = (key: ExternalTicketKey, input: ExternalTicketInput): ExternalRef[] => [{ system: key.system, externalId: key.externalId, url: input.url ?? null }]

/** the statements that store a new ticket with its reference, its timers and its event: sent together, one round trip */
function createWrites (ctx: AppContext, tx: DbOrTx, p: Principal, key: ExternalTicketKey, ticket: Ticket, input: ExternalTicketInput, now: Date, refId: string = randomUUID()): [Promise<Ticket>, Promise<refs.RefRow | undefined>, ...Array<Promise<unknown>>] {
  const timers = planSlaTimers(null, ticket, now)
  return [
    ticketsRepo.insertTicket(tx, ticket, timers.pointer, createdEvent(p, key, ticket, now)),
    refs.insertRef(tx, { id: refId, ticketId: ticket.id, organizationId: key.organizationId, system: key.system, externalId: key.externalId, url: input.url ?? null }, now),
    sendSlaTimerJobs(ctx, tx, timers.jobs)
  ]
}

const createdEvent = (p: Principal, key: RefKey, ticket: Ticket, now: Date): NewEvent => ticketEvent(p, ticket, 'ticket.created', now, {
  after: { ...ticketSnapshot(ticket), externalRefs: ticket.externalRefs },
  externalRef: { system: key.system, externalId: key.externalId }
})

const updatedEvent = (p: Principal, key: RefKey, plan: UpdatePlan, now: Date): NewEvent => ticketEvent(p, plan.next, 'ticket.updated', now, {
  changedFields: plan.fields, before: plan.before, after: plan.after, externalRef: { system: key.system, externalId: key.externalId }
})

async function create (ctx: AppContext, tx: DbOrTx, p: Principal, key: ExternalTicketKey, input: ExternalTicketInput, now: Date): Promise<UpsertResult> {
  const org = found(await findOrganization(tx, key.organizationId), 'Organization')
  const { ticket: opened, calendar } = await openNewTicket(ctx, tx, p, org, input, now)
  const [saved, linked] = await Promise.all(createWrites(ctx, tx, p, key, { ...opened, externalRefs: refsOfNew(key, input) }, input, now))
  // another transaction linked the reference first (the lock makes this a safety net): roll back, run again
  if (linked === undefined) throw new ReferenceTaken()
  return { view: { ticket: saved, sla: slaView(saved.sla, calendar, now) }, created: true }
}

interface UpdatePlan {
  /** the ticket after the change, at its next version (with its references' read copy when the url changed) */
  next: Ticket
  fields: string[]
  before: Record<string, unknown>
  after: Record<string, unknown>
  /** the reference's new url, when it changes */
  url?: string | null
}

/** the references with this one's url replaced (same order as the stored read copy) */
const withUrl = (list: readonly ExternalRef[], key: RefKey, url: string | null): ExternalRef[] =>
  list.map((r) => r.system === key.system && r.externalId === key.externalId ? { ...r, url } : r)

/** decides an update by reference (the fields an integrator may set; If-Match is checked before); null: nothing changes */
function planUpdate (p: Principal, current: Ticket, key: RefKey, ref: refs.RefRow, input: ExternalTicketInput, now: Date): UpdatePlan | null {
  // only what differs counts as a change (so a customer re-sending the category it cannot change is not refused)
  const patch: TicketPatch = {}
  if (input.subject !== current.subject) patch.subject = input.subject
  if (input.description !== current.description) patch.description = input.description
  if (input.category !== undefined && input.category !== current.category) patch.category = input.category
  if (input.tags !== undefined && !sameTags(input.tags, current.tags ?? [])) patch.tags = input.tags
  const { ticket: edited, changes } = editTicket(current, patch, { staff: isStaff(p) })
  const urlChanged = input.url !== undefined && input.url !== ref.url
  const fields: string[] = Object.keys(changes)
  if (fields.length === 0 && !urlChanged) return null
  const before: Record<string, unknown> = {}
  const after: Record<string, unknown> = {}
  for (const [f, c] of Object.entries(changes)) { before[f] = c.before; after[f] = c.after }
  const next: Ticket = { ...edited, version: current.version + 1, updatedAt: now }
  if (!urlChanged) return { next, fields, before, after }
  const url = input.url ?? null
  next.externalRefs = withUrl(current.externalRefs ?? [], key, url)
  fields.push('externalRefs')
  before.externalRefs = current.externalRefs ?? []
  after.externalRefs = next.externalRefs
  return { next, fields, before, after, url }
}

/** the statements of a planned update but its timers and event: the ticket (version-checked) and the reference's url */
function updateWrites (tx: DbOrTx, ref: refs.RefRow, current: Ticket, plan: UpdatePlan, now: Date): [Promise<Ticket | undefined>, ...Array<Promise<unknown>>] {
  return [
    ticketsRepo.updateTicket(tx, plan.next, current.version, now),
    ...(plan.url === undefined ? [] : [refs.updateRefUrl(tx, ref.id, plan.url, now), refs.setTicketRefs(tx, current.id, plan.next.externalRefs ?? [])])
  ]
}

/** the stored ticket of a planned update (the two writes touch different columns: their order does not matter) */
function updatedTicket (updated: Ticket | undefined, plan: UpdatePlan): Ticket {
  // the row is locked, so the version-checked update cannot miss; if it did, nothing of this request may commit
  if (updated === undefined) throw staleWrite('ticket')
  return { ...updated, externalRefs: plan.next.externalRefs ?? [] }
}

/**
 * Stores a planned update: the ticket, the reference's url and the ticket's read copy of its references (when the url
 * changed), its timers and `ticket.updated`, sent together in one round trip.
 */
async function persistUpdate (ctx: AppContext, tx: DbOrTx, p: Principal, key: RefKey, ref: refs.RefRow, current: Ticket, plan: UpdatePlan, now: Date): Promise<Ticket> {
  const [[updated]] = await Promise.all([
    Promise.all(updateWrites(tx, ref, current, plan, now)),
    scheduleSlaTimers(ctx, tx, current, plan.next),
    recordEvent(tx, updatedEvent(p, key, plan, now))
  ])
  return updatedTicket(updated, plan)
}

export interface BatchItem { system: string; externalId: string; input: ExternalTicketInput; pre: UpsertPreconditions }

export type BatchOutcome = { ok: true; result: UpsertResult } | { ok: false; error: DomainError }

/**
 * The batch upsert (issue 15): every item decided exactly as upsertExternalTicket decides it (the same domain rules,
 * the same refusals), in order, so a reference named twice is created by the first item and updated by the second —
 * but set-based, in one transaction: the references are locked (the same advisory locks a single upsert takes, in
 * one order) and looked up together, the organization is read once, the existing tickets are locked together, each
 * item is decided in memory against the state the items before it left, and then all the writes go out pipelined.
 * A refused item is decided before anything of it is written, so it leaves nothing behind and does not stop the
 * others; items the HTTP layer already found invalid arrive as their error. An unexpected failure (the database
 * gone) rolls the whole batch back: re-sending it is safe.
 */
export async function upsertExternalTicketBatch (ctx: AppContext, p: Principal, organizationId: string, items: Array<BatchItem | DomainError>): Promise<BatchOutcome[]> {
  const orgId = organizationFor(p, organizationId)
  for (let attempt = 1; ; attempt++) {
    try {
      return await batchIn(ctx, p, orgId, items)
    } catch (err) {
      // a writer that does not take the reference locks linked one first (a safety net): run the batch again
      if (err instanceof ReferenceTaken && attempt < MAX_ATTEMPTS) continue
      if (err instanceof ReferenceTaken) throw new DomainError('conflict', 'An external reference of this batch is being written concurrently; retry')
      throw err
    }
  }
}

async function batchIn (ctx: AppContext, p: Principal, orgId: string, items: Array<BatchItem | DomainError>): Promise<BatchOutcome[]> {
  return await ctx.transaction(async (tx) => {
    const now = ctx.now()
    const valid = items.filter((i): i is BatchItem => !(i instanceof DomainError))
    const keys = [...new Map(valid.map((i) => [refKey(i), { system: i.system, externalId: i.externalId }])).values()]
    // two batches naming the same references run one after the other (a single upsert does not lock: it detects a
    // reference linked concurrently and runs again, and so does the batch, below); the references are read once the
    // locks are held, so they include what the batch before this one committed
    await refs.lockRefs(tx, orgId, keys)
    const [orgRow, existing] = await Promise.all([findOrganization(tx, orgId), refs.findRefs(tx, orgId, keys)])
    const org = found(orgRow, 'Organization')
    const refByKey = new Map(existing.map((r) => [refKey(r), r as refs.RefRow]))
    const locked = await ticketsRepo.findTicketsForUpdate(tx, [...new Set(existing.map((r) => r.ticketId))])
    const ticketById = new Map(locked.map((t) => [t.id, t]))

    // decide every item in order, against the state the items before it left; collect what to write
    const newTickets: Array<{ ticket: Ticket; slaTimerAt: Date | null }> = []
    const newRefs: refs.NewRef[] = []
    const updates: Array<{ ref: refs.RefRow; current: Ticket; plan: UpdatePlan }> = []
    // the timers of every written ticket: the new ones' near jobs go with the updates' (their pointers with the insert)
    const timers: Array<{ id: string; plan: SlaTimerPlan }> = []
    const events: NewEvent[] = []
    const outcomes: BatchOutcome[] = []
    for (const item of items) {
      if (item instanceof DomainError) { outcomes.push({ ok: false, error: item }); continue }
      const key: ExternalTicketKey = { organizationId: orgId, system: item.system, externalId: item.externalId }
      try {
        const ref = refByKey.get(refKey(item))
        if (ref === undefined) {
          if (item.pre.mustExist) throw new DomainError('precondition-failed', 'If-Match was sent but no ticket has this external reference yet')
          const { ticket: opened, calendar } = await openNewTicket(ctx, tx, p, org, item.input, now)
          const ticket: Ticket = { ...opened, externalRefs: refsOfNew(key, item.input) }
          const newRef: refs.NewRef = { id: randomUUID(), ticketId: ticket.id, organizationId: orgId, system: key.system, externalId: key.externalId, url: item.input.url ?? null }
          const plan = planSlaTimers(null, ticket, now)
          newTickets.push({ ticket, slaTimerAt: plan.pointer })
          newRefs.push(newRef)
          timers.push({ id: ticket.id, plan: { jobs: plan.jobs, pointer: null } })
          events.push(createdEvent(p, key, ticket, now))
          refByKey.set(refKey(item), newRef)
          ticketById.set(ticket.id, ticket)
          outcomes.push({ ok: true, result: { view: { ticket, sla: slaView(ticket.sla, calendar, now) }, created: true } })
          continue
        }
        if (item.pre.mustNotExist) throw new DomainError('precondition-failed', 'If-None-Match: * was sent but a ticket already has this external reference', { ticketId: ref.ticketId })
        const current = found(ticketById.get(ref.ticketId), 'Ticket')
        checkVersion('ticket', item.pre.version, current.version)
        assertSubscriptionAllows('edit', { organization: org, by: isStaff(p) ? 'staff' : 'customer', now })
        const plan = planUpdate(p, current, key, ref, item.input, now)
        if (plan !== null) {
          updates.push({ ref, current, plan })
          timers.push({ id: plan.next.id, plan: planSlaTimers(current, plan.next, now) })
          events.push(updatedEvent(p, key, plan, now))
          if (plan.url !== undefined) refByKey.set(refKey(item), { ...ref, url: plan.url })
          ticketById.set(plan.next.id, plan.next)
        }
        outcomes.push({ ok: true, result: { view: await viewOf(ctx, plan?.next ?? current, now, tx), created: false } })
      } catch (err) {
        if (!(err instanceof DomainError)) throw err
        outcomes.push({ ok: false, error: err })
      }
    }

    // write it all: the new tickets (one statement), then their references (they name the tickets), then the updates
    // in item order (a ticket created above may be updated by a later item), the timers and the events (one statement
    // each, events in item order)
    await ticketsRepo.insertTickets(tx, newTickets)
    const linked = await refs.insertRefs(tx, newRefs, now)
    if (linked !== newRefs.length) throw new ReferenceTaken()
    await Promise.all([
      // updatedTicket refuses a missed version-checked update (the rows are locked, so it cannot happen)
      ...updates.map(async (u) => { const [row] = await Promise.all(updateWrites(tx, u.ref, u.current, u.plan, now)); updatedTicket(row, u.plan) }),
      scheduleSlaTimersMany(ctx, tx, timers),
      recordEvents(tx, events)
    ])
    return outcomes
  })
}

const refKey = (k: RefKey): string => JSON.stringify([k.system, k.externalId])
