import { and, asc, eq, sql } from 'drizzle-orm'
import type { ExternalRef } from '../../domain/tickets/ticket.js'
import type { DbOrTx } from '../client.js'
import { ticketExternalRefs } from '../schema/external-refs.js'
import { tickets } from '../schema/tickets.js'

export interface RefRow { id: string; ticketId: string; url: string | null }

/** the reference's row (and its ticket) in an organization, if any */
export async function findRef (db: DbOrTx, organizationId: string, system: string, externalId: string): Promise<RefRow | undefined> {
  const rows = await db.select({ id: ticketExternalRefs.id, ticketId: ticketExternalRefs.ticketId, url: ticketExternalRefs.url })
    .from(ticketExternalRefs)
    .where(and(eq(ticketExternalRefs.organizationId, organizationId), eq(ticketExternalRefs.system, system), eq(ticketExternalRefs.externalId, externalId)))
  return rows[0]
}

/**
 * Links a ticket to a reference: INSERT … ON CONFLICT DO NOTHING on the unique (organization_id, system,
 * external_id). Undefined when the reference already names a ticket — also one inserted by a concurrent transaction
 * (the insert waits for that transaction and then sees the conflict), which is what keeps two tickets from ever
 * sharing a reference.
 */
export async function insertRef (tx: DbOrTx, ref: { id?: string; ticketId: string; organizationId: string; system: string; externalId: string; url: string | null }, now: Date): Promise<RefRow | undefined> {
  const rows = await tx.insert(ticketExternalRefs).values({ ...ref, createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: [ticketExternalRefs.organizationId, ticketExternalRefs.system, ticketExternalRefs.externalId] })
    .returning({ id: ticketExternalRefs.id, ticketId: ticketExternalRefs.ticketId, url: ticketExternalRefs.url })
  return rows[0]
}

export interface NewRef { id: string; ticketId: string; organizationId: string; system: string; externalId: string; url: string | null }

/** links many references in one statement (the batch upsert); returns how many were linked (a taken one is skipped) */
export async function insertRefs (tx: DbOrTx, list: readonly NewRef[], now: Date): Promise<number> {
  if (list.length === 0) return 0
  const rows = list.map((r) => ({ id: r.id, ticket_id: r.ticketId, organization_id: r.organizationId, system: r.system, external_id: r.externalId, url: r.url }))
  const linked = await tx.execute(sql`insert into ${ticketExternalRefs} (id, ticket_id, organization_id, system, external_id, url, created_at, updated_at)
    select id, ticket_id, organization_id, system, external_id, url, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, ticket_id uuid, organization_id uuid, system text, external_id text, url text)
    on conflict (organization_id, system, external_id) do nothing returning id`)
  return (Array.isArray(linked) ? linked : (linked as { rows: unknown[] }).rows).length
}

export async function updateRefUrl (tx: DbOrTx, id: string, url: string | null, now: Date): Promise<void> {
  await tx.update(ticketExternalRefs).set({ url, updatedAt: now }).where(eq(ticketExternalRefs.id, id))
}

export interface RefKey { system: string; externalId: string }

/**
 * Serialises the batch writers of these references for the rest of the transaction:
 * transaction-scoped advisory locks, taken in one order (sorted by key), so two writers of overlapping references
 * never deadlock and the second reads the references after the first committed.
 */
export async function lockRefs (tx: DbOrTx, organizationId: string, keys: readonly RefKey[]): Promise<void> {
  if (keys.length === 0) return
  const names = keys.map((k) => sql`(${JSON.stringify(['external-ref', organizationId, k.system, k.externalId])}::text)`)
  await tx.execute(sql`select pg_advisory_xact_lock(h) from (select distinct hashtextextended(k, 0) as h from (values ${sql.join(names, sql`, `)}) as v(k) order by h) as s`)
}

/** the references among `keys` that exist in the organization */
export async function findRefs (db: DbOrTx, organizationId: string, keys: readonly RefKey[]): Promise<Array<RefRow & RefKey>> {
  if (keys.length === 0) return []
  const pairs = keys.map((k) => sql`(${k.system}, ${k.externalId})`)
  return await db.select({ id: ticketExternalRefs.id, ticketId: ticketExternalRefs.ticketId, url: ticketExternalRefs.url, system: ticketExternalRefs.system, externalId: ticketExternalRefs.externalId })
    .from(ticketExternalRefs)
    .where(and(eq(ticketExternalRefs.organizationId, organizationId), sql`(${ticketExternalRefs.system}, ${ticketExternalRefs.externalId}) in (${sql.join(pairs, sql`, `)})`))
}

/** sets the ticket's read copy of its references (the caller computed it from the locked ticket) */
export async function setTicketRefs (tx: DbOrTx, ticketId: string, refs: readonly ExternalRef[]): Promise<void> {
  await tx.update(tickets).set({ externalRefs: [...refs] }).where(eq(tickets.id, ticketId))
}

/** rewrites the ticket's read copy (tickets.external_refs) from the reference rows, in the caller's transaction */
export async function syncTicketRefs (tx: DbOrTx, ticketId: string): Promise<ExternalRef[]> {
  const refs = await tx.select({ system: ticketExternalRefs.system, externalId: ticketExternalRefs.externalId, url: ticketExternalRefs.url })
    .from(ticketExternalRefs).where(eq(ticketExternalRefs.ticketId, ticketId))
    .orderBy(asc(ticketExternalRefs.system), asc(ticketExternalRefs.externalId))
  await tx.update(tickets).set({ externalRefs: refs }).where(eq(tickets.id, ticketId))
  return refs
}

/** SQL condition for ticket lists: the ticket has this reference (served by the (system, external_id) index) */
export const hasRefCondition = (system: unknown, externalId: unknown) =>
  sql`${tickets.id} in (select r.ticket_id from ${ticketExternalRefs} r where r.system = ${system} and r.external_id = ${externalId})`
