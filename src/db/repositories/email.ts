import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../client.js'
import { inboundEmails, organizationEmailDomains, outboundEmails } from '../schema/email.js'
import { organizations } from '../schema/organizations.js'
import { ticketComments } from '../schema/tickets.js'

export type OutboundEmailRow = typeof outboundEmails.$inferSelect
export type InboundEmailRow = typeof inboundEmails.$inferSelect

export async function insertOutbound (db: DbOrTx, row: typeof outboundEmails.$inferInsert): Promise<OutboundEmailRow> {
  const [r] = await db.insert(outboundEmails).values(row).returning()
  if (r === undefined) throw new Error('insert returned no row')
  return r
}

/** the first message of the ticket's thread (the acknowledgement, when there was one) */
export async function threadRoot (db: DbOrTx, ticketId: string): Promise<string | undefined> {
  const rows = await db.select({ messageId: outboundEmails.messageId }).from(outboundEmails)
    .where(eq(outboundEmails.ticketId, ticketId)).orderBy(asc(outboundEmails.createdAt), asc(outboundEmails.id)).limit(1)
  return rows[0]?.messageId
}

export async function findOutbound (db: DbOrTx, id: string): Promise<OutboundEmailRow | undefined> {
  const rows = await db.select().from(outboundEmails).where(eq(outboundEmails.id, id))
  return rows[0]
}

export async function updateOutbound (db: DbOrTx, id: string, set: Partial<typeof outboundEmails.$inferInsert>): Promise<void> {
  await db.update(outboundEmails).set(set).where(eq(outboundEmails.id, id))
}

export async function setCommentEmail (db: DbOrTx, commentId: string, email: Record<string, unknown>): Promise<void> {
  await db.update(ticketComments).set({ email }).where(eq(ticketComments.id, commentId))
}

/** a customer comment on the ticket after `after` (answers the attempts made before it) */
export async function customerCommentSince (db: DbOrTx, ticketId: string, after: Date): Promise<boolean> {
  const rows = await db.select({ id: ticketComments.id }).from(ticketComments)
    .where(and(eq(ticketComments.ticketId, ticketId), eq(ticketComments.authorRole, 'customer'), gt(ticketComments.createdAt, after))).limit(1)
  return rows.length > 0
}

export async function commentCreatedAt (db: DbOrTx, commentId: string): Promise<Date | undefined> {
  const rows = await db.select({ createdAt: ticketComments.createdAt }).from(ticketComments).where(eq(ticketComments.id, commentId))
  return rows[0]?.createdAt
}

/** the ticket a message id belongs to (one we sent, or one we received and filed) */
export async function ticketByMessageIds (db: DbOrTx, ids: string[]): Promise<string | undefined> {
  if (ids.length === 0) return undefined
  const out = await db.select({ ticketId: outboundEmails.ticketId }).from(outboundEmails).where(inArray(outboundEmails.messageId, ids)).limit(1)
  if (out[0] !== undefined) return out[0].ticketId
  const inb = await db.select({ ticketId: inboundEmails.ticketId }).from(inboundEmails)
    .where(and(inArray(inboundEmails.messageId, ids), sql`${inboundEmails.ticketId} is not null`)).limit(1)
  return inb[0]?.ticketId ?? undefined
}

export async function organizationByDomain (db: DbOrTx, domain: string): Promise<string | undefined> {
  const rows = await db.select({ id: organizationEmailDomains.organizationId }).from(organizationEmailDomains).where(eq(organizationEmailDomains.domain, domain))
  return rows[0]?.id
}

/** replaces an organization's domains (table + read copy); a domain of another organization → the conflicting one */
export async function replaceOrganizationDomains (db: DbOrTx, organizationId: string, domains: string[]): Promise<{ taken: string; by: string } | undefined> {
  if (domains.length > 0) {
    const clash = await db.select().from(organizationEmailDomains)
      .where(and(inArray(organizationEmailDomains.domain, domains), sql`${organizationEmailDomains.organizationId} <> ${organizationId}`)).limit(1)
    if (clash[0] !== undefined) return { taken: clash[0].domain, by: clash[0].organizationId }
  }
  await db.delete(organizationEmailDomains).where(eq(organizationEmailDomains.organizationId, organizationId))
  if (domains.length > 0) {
    await db.insert(organizationEmailDomains).values(domains.map((domain) => ({ domain, organizationId })))
  }
  await db.update(organizations).set({ emailDomains: domains }).where(eq(organizations.id, organizationId))
  return undefined
}

export async function findInboundByMessageId (db: DbOrTx, messageId: string): Promise<InboundEmailRow | undefined> {
  const rows = await db.select().from(inboundEmails).where(eq(inboundEmails.messageId, messageId))
  return rows[0]
}

export async function findInbound (db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<InboundEmailRow | undefined> {
  const q = db.select().from(inboundEmails).where(eq(inboundEmails.id, id))
  const rows = opts.forUpdate === true ? await q.for('update') : await q
  return rows[0]
}

export async function insertInbound (db: DbOrTx, row: typeof inboundEmails.$inferInsert): Promise<InboundEmailRow> {
  const [r] = await db.insert(inboundEmails).values(row).returning()
  if (r === undefined) throw new Error('insert returned no row')
  return r
}

export async function updateInbound (db: DbOrTx, id: string, set: Partial<typeof inboundEmails.$inferInsert>): Promise<InboundEmailRow | undefined> {
  const [r] = await db.update(inboundEmails).set(set).where(eq(inboundEmails.id, id)).returning()
  return r
}

export async function listQuarantine (db: DbOrTx, opts: { limit: number; after?: { receivedAt: Date; id: string } }): Promise<InboundEmailRow[]> {
  const conds = [eq(inboundEmails.outcome, 'quarantined')]
  if (opts.after !== undefined) {
    const a = opts.after
    const c = or(gt(inboundEmails.receivedAt, a.receivedAt), and(eq(inboundEmails.receivedAt, a.receivedAt), gt(inboundEmails.id, a.id)))
    if (c !== undefined) conds.push(c)
  }
  return await db.select().from(inboundEmails).where(and(...conds))
    .orderBy(asc(inboundEmails.receivedAt), asc(inboundEmails.id)).limit(opts.limit)
}
