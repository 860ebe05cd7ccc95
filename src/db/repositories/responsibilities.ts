import { and, eq, sql } from 'drizzle-orm'
import type { ResponsibilityState, ResponsibilityStatus } from '../../domain/checklists/checklist.js'
import type { ResponsibilityKey } from '../../domain/policy/responsibilities.js'
import type { DbOrTx } from '../client.js'
import { responsibilityItems, technicalRepresentatives } from '../schema/onboarding.js'

type ItemRow = typeof responsibilityItems.$inferSelect
type RepRow = typeof technicalRepresentatives.$inferSelect

export interface StoredItem extends ResponsibilityState { id: string; organizationId: string }

export const toItem = (row: ItemRow): StoredItem => ({
  id: row.id,
  organizationId: row.organizationId,
  key: row.key as ResponsibilityKey,
  status: row.status,
  note: row.note,
  evidenceUrl: row.evidenceUrl,
  version: row.version,
  updatedBy: row.updatedById === null || row.updatedByRole === null ? null : { id: row.updatedById, role: row.updatedByRole },
  updatedAt: row.updatedAt
})

export async function listItems (db: DbOrTx, organizationId: string): Promise<StoredItem[]> {
  const rows = await db.select().from(responsibilityItems).where(eq(responsibilityItems.organizationId, organizationId))
  return rows.map(toItem)
}

export async function findItem (db: DbOrTx, organizationId: string, key: ResponsibilityKey): Promise<StoredItem | undefined> {
  const rows = await db.select().from(responsibilityItems)
    .where(and(eq(responsibilityItems.organizationId, organizationId), eq(responsibilityItems.key, key)))
  return rows[0] === undefined ? undefined : toItem(rows[0])
}

/**
 * The item's row, created on first use (pending, version 1: the same state an untouched item is presented with) and
 * locked FOR UPDATE for the rest of the transaction.
 */
export async function lockItem (db: DbOrTx, organizationId: string, key: ResponsibilityKey): Promise<StoredItem> {
  await db.insert(responsibilityItems).values({ organizationId, key, status: 'pending', version: 1 }).onConflictDoNothing()
  const rows = await db.select().from(responsibilityItems)
    .where(and(eq(responsibilityItems.organizationId, organizationId), eq(responsibilityItems.key, key))).for('update')
  if (rows[0] === undefined) throw new Error(`responsibility item ${key} vanished`)
  return toItem(rows[0])
}

export async function updateItem (db: DbOrTx, item: { id: string; status: ResponsibilityStatus; note: string | null; evidenceUrl: string | null }, fromVersion: number, actor: { id: string; role: string }, now: Date): Promise<StoredItem | undefined> {
  const [row] = await db.update(responsibilityItems).set({
    status: item.status,
    note: item.note,
    evidenceUrl: item.evidenceUrl,
    version: sql`${responsibilityItems.version} + 1`,
    updatedById: actor.id,
    updatedByRole: actor.role,
    updatedAt: now
  }).where(and(eq(responsibilityItems.id, item.id), eq(responsibilityItems.version, fromVersion))).returning()
  return row === undefined ? undefined : toItem(row)
}

export interface TechnicalRepresentative {
  id: string
  organizationId: string
  isSet: boolean
  name: string | null
  email: string | null
  phone: string | null
  userId: string | null
  version: number
  updatedBy: { id: string; role: string }
  createdAt: Date
  updatedAt: Date
}

export const toRepresentative = (row: RepRow): TechnicalRepresentative => ({
  id: row.id,
  organizationId: row.organizationId,
  isSet: row.isSet,
  name: row.name,
  email: row.email,
  phone: row.phone,
  userId: row.userId,
  version: row.version,
  updatedBy: { id: row.updatedById, role: row.updatedByRole },
  createdAt: row.createdAt,
  updatedAt: row.updatedAt
})

export async function findRepresentative (db: DbOrTx, organizationId: string, opts: { forUpdate?: boolean } = {}): Promise<TechnicalRepresentative | undefined> {
  const q = db.select().from(technicalRepresentatives).where(eq(technicalRepresentatives.organizationId, organizationId))
  const rows = opts.forUpdate === true ? await q.for('update') : await q
  return rows[0] === undefined ? undefined : toRepresentative(rows[0])
}

export interface RepresentativeFields { name: string; email: string; phone: string | null; userId: string | null }

/** inserts the organization's first representative row; undefined when a concurrent transaction inserted it first */
export async function insertRepresentative (db: DbOrTx, organizationId: string, fields: RepresentativeFields, actor: { id: string; role: string }, now: Date): Promise<TechnicalRepresentative | undefined> {
  const [row] = await db.insert(technicalRepresentatives).values({
    organizationId,
    isSet: true,
    ...fields,
    updatedById: actor.id,
    updatedByRole: actor.role,
    createdAt: now,
    updatedAt: now
  }).onConflictDoNothing().returning()
  return row === undefined ? undefined : toRepresentative(row)
}

/** sets (fields) or clears (null) the representative when the stored version is still `fromVersion` */
export async function updateRepresentative (db: DbOrTx, id: string, fields: RepresentativeFields | null, fromVersion: number, actor: { id: string; role: string }, now: Date): Promise<TechnicalRepresentative | undefined> {
  const [row] = await db.update(technicalRepresentatives).set({
    isSet: fields !== null,
    name: fields?.name ?? null,
    email: fields?.email ?? null,
    phone: fields?.phone ?? null,
    userId: fields?.userId ?? null,
    version: sql`${technicalRepresentatives.version} + 1`,
    updatedById: actor.id,
    updatedByRole: actor.role,
    updatedAt: now
  }).where(and(eq(technicalRepresentatives.id, id), eq(technicalRepresentatives.version, fromVersion))).returning()
  return row === undefined ? undefined : toRepresentative(row)
}
