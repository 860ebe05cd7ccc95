import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm'
import type { DbOrTx } from '../client.js'
import { attachments, blobs } from '../schema/attachments.js'

export type AttachmentRow = typeof attachments.$inferSelect
export type BlobRow = Omit<typeof blobs.$inferSelect, 'thumbnail'> & { hasThumbnail: boolean }

const blobColumns = {
  id: blobs.id, organizationId: blobs.organizationId, sha256: blobs.sha256, size: blobs.size, contentType: blobs.contentType,
  storageKey: blobs.storageKey, createdAt: blobs.createdAt, hasThumbnail: sql<boolean>`${blobs.thumbnail} IS NOT NULL`
}

/** bytes stored for an organization: each distinct content once */
export async function usedBytes (db: DbOrTx, organizationId: string): Promise<number> {
  const rows = await db.select({ total: sql<string | null>`sum(${blobs.size})` }).from(blobs).where(eq(blobs.organizationId, organizationId))
  return Number(rows[0]?.total ?? 0)
}

export async function findBlob (db: DbOrTx, organizationId: string, sha256: string): Promise<BlobRow | undefined> {
  const rows = await db.select(blobColumns).from(blobs).where(and(eq(blobs.organizationId, organizationId), eq(blobs.sha256, sha256)))
  return rows[0]
}

export async function blobById (db: DbOrTx, id: string): Promise<BlobRow | undefined> {
  const rows = await db.select(blobColumns).from(blobs).where(eq(blobs.id, id))
  return rows[0]
}

/** inserts the blob unless the organization already stores this content; undefined when it did (a concurrent twin) */
export async function insertBlob (db: DbOrTx, b: Omit<typeof blobs.$inferInsert, 'id' | 'thumbnail'>): Promise<BlobRow | undefined> {
  const rows = await db.insert(blobs).values(b).onConflictDoNothing({ target: [blobs.organizationId, blobs.sha256] }).returning({ id: blobs.id })
  const id = rows[0]?.id
  return id === undefined ? undefined : await blobById(db, id)
}

export async function insertAttachment (db: DbOrTx, a: Omit<typeof attachments.$inferInsert, 'id'>): Promise<AttachmentRow> {
  const rows = await db.insert(attachments).values(a).returning()
  return rows[0] as AttachmentRow
}

export async function findAttachment (db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<AttachmentRow | undefined> {
  const q = db.select().from(attachments).where(eq(attachments.id, id))
  const rows = opts.forUpdate === true ? await q.for('update') : await q
  return rows[0]
}

export async function lockAttachments (db: DbOrTx, ids: string[]): Promise<AttachmentRow[]> {
  if (ids.length === 0) return []
  return await db.select().from(attachments).where(inArray(attachments.id, ids)).orderBy(asc(attachments.id)).for('update')
}

export async function markAttached (db: DbOrTx, ids: string[], to: { ticketId: string; commentId: string | null; visibility: 'public' | 'internal'; at: Date }): Promise<void> {
  await db.update(attachments).set({ ticketId: to.ticketId, commentId: to.commentId, visibility: to.visibility, attachedAt: to.at }).where(inArray(attachments.id, ids))
}

export async function listForTicket (db: DbOrTx, ticketId: string, opts: { publicOnly: boolean; limit: number }): Promise<AttachmentRow[]> {
  const where = opts.publicOnly ? and(eq(attachments.ticketId, ticketId), eq(attachments.visibility, 'public')) : eq(attachments.ticketId, ticketId)
  return await db.select().from(attachments).where(where).orderBy(asc(attachments.createdAt), asc(attachments.id)).limit(opts.limit)
}

export async function deleteAttachment (db: DbOrTx, id: string): Promise<void> {
  await db.delete(attachments).where(eq(attachments.id, id))
}

/** deletes the blob row when no attachment points at it any more; returns its storage key then */
export async function releaseBlob (db: DbOrTx, blobId: string): Promise<string | undefined> {
  const rows = await db.delete(blobs)
    .where(and(eq(blobs.id, blobId), sql`NOT EXISTS (SELECT 1 FROM ${attachments} WHERE ${attachments.blobId} = ${blobs.id})`))
    .returning({ storageKey: blobs.storageKey })
  return rows[0]?.storageKey
}

export async function expiredUploads (db: DbOrTx, createdBefore: Date, limit: number): Promise<AttachmentRow[]> {
  return await db.select().from(attachments).where(and(isNull(attachments.ticketId), lt(attachments.createdAt, createdBefore)))
    .orderBy(asc(attachments.createdAt)).limit(limit).for('update', { skipLocked: true })
}

export async function setThumbnail (db: DbOrTx, blobId: string, thumbnail: Uint8Array): Promise<void> {
  await db.update(blobs).set({ thumbnail }).where(eq(blobs.id, blobId))
}

export async function thumbnailOf (db: DbOrTx, blobId: string): Promise<Uint8Array | undefined> {
  const rows = await db.select({ t: blobs.thumbnail }).from(blobs).where(eq(blobs.id, blobId))
  return rows[0]?.t ?? undefined
}
