import { sql } from 'drizzle-orm'
import { bigint, customType, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' })

/**
 * The PostgreSQL blob store (src/db/blob-store.ts): an object's bytes as ordered chunks of at most 256 KiB, keyed by
 * a storage key. Nothing here knows about organizations or tickets; only the BlobStore port reads and writes it.
 */
export const blobChunks = pgTable('blob_chunks', {
  storageKey: uuid('storage_key').notNull(),
  seq: integer('seq').notNull(),
  data: bytea('data').notNull()
}, (t) => [primaryKey({ columns: [t.storageKey, t.seq] })])

/**
 * Stored contents, one per (organization, SHA-256): the same file uploaded twice by one organization is stored once.
 * `storage_key` names the bytes in the blob store; a blob lives while an attachment points at it.
 */
export const blobs = pgTable('blobs', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  organizationId: uuid('organization_id').notNull(),
  sha256: text('sha256').notNull(),
  size: bigint('size', { mode: 'number' }).notNull(),
  contentType: text('content_type').notNull(),
  storageKey: uuid('storage_key').notNull(),
  /** a small WebP preview of images, made after the upload (null until then, and for other types) */
  thumbnail: bytea('thumbnail'),
  createdAt: ts('created_at').notNull()
}, (t) => [
  uniqueIndex('blobs_org_sha256_idx').on(t.organizationId, t.sha256)
])

/**
 * An upload, and once attached, an attachment of a ticket (ticket_id) or of one of its comments (comment_id). An
 * upload that is not attached within ATTACHMENT_UPLOAD_TTL_HOURS is deleted by purgeExpiredUploads.
 */
export const attachments = pgTable('attachments', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  organizationId: uuid('organization_id').notNull(),
  blobId: uuid('blob_id').notNull().references(() => blobs.id),
  filename: text('filename').notNull(),
  contentType: text('content_type').notNull(),
  size: bigint('size', { mode: 'number' }).notNull(),
  sha256: text('sha256').notNull(),
  ticketId: uuid('ticket_id'),
  commentId: uuid('comment_id'),
  /** the visibility of what it is attached to: internal-comment attachments are never served to customers */
  visibility: text('visibility', { enum: ['public', 'internal'] }).notNull().default('public'),
  uploadedById: text('uploaded_by_id').notNull(),
  uploadedByRole: text('uploaded_by_role').notNull(),
  createdAt: ts('created_at').notNull(),
  attachedAt: ts('attached_at')
}, (t) => [
  index('attachments_ticket_idx').on(t.ticketId, t.createdAt, t.id),
  index('attachments_unattached_idx').on(t.createdAt).where(sql`${t.ticketId} IS NULL`),
  index('attachments_blob_idx').on(t.blobId)
])
