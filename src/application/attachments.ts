/**
 * Attachments (issue 19): upload first (streamed into the blob store, typed from its bytes, hashed, deduplicated per
 * organization, counted against the organization's quota), attach after (ticket creation and comments take
 * `attachmentIds`, in their own transaction), serve only to callers who may see what it is attached to.
 */
import { createHash, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { sql } from 'drizzle-orm'
import { actorOf, canAccessOrg, isStaff, requireRole, type Principal } from '../domain/access.js'
import { ContentSniffer } from '../domain/attachments/sniff.js'
import { safeFilename } from '../domain/attachments/files.js'
import { DomainError, notFound } from '../domain/errors.js'
import { iso } from '../domain/time.js'
import type { DbOrTx } from '../db/client.js'
import { recordEvent } from '../db/events.js'
import * as repo from '../db/repositories/attachments.js'
import type { AttachmentRow, BlobRow } from '../db/repositories/attachments.js'
import type { BlobStore } from './ports/blob-store.js'
import type { AppContext } from './context.js'
import { found, organizationFor, requireOrganization } from './guards.js'

export interface AttachmentSettings {
  maxFileBytes: number
  orgQuotaBytes: number
  allowedTypes: readonly string[]
  uploadTtlHours: number
}

/** what the attachment use cases need besides the database: the blob store, the limits, and background work */
export interface AttachmentServices {
  store: BlobStore
  settings: AttachmentSettings
  /** thumbnails being made after an upload; the app waits for them when it closes */
  background: Set<Promise<void>>
}

/** one job per upload, due just after it expires: it runs the purge (idempotent; any replica's worker) */
export const UPLOAD_EXPIRY_QUEUE = 'upload-expiry'

export function registerAttachmentJobs (ctx: AppContext): void {
  ctx.jobs.defineQueue({ name: UPLOAD_EXPIRY_QUEUE, retryLimit: 10, retryDelaySeconds: 30, retryBackoff: true, expireInSeconds: 300 })
  ctx.jobs.work(UPLOAD_EXPIRY_QUEUE, async () => { await purgeExpiredUploads(ctx, ctx.now()) }, { batchSize: 10 })
}

export const THUMBNAIL_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp'])
export const MAX_ATTACHMENTS_PER_WRITE = 20

export interface Attachment extends AttachmentRow { hasThumbnail: boolean }

export interface UploadInput {
  organizationId?: string
  filename: string | undefined
  claimedType: string | undefined
  source: AsyncIterable<Uint8Array>
}

/** serialises the decisions on one organization's stored contents (dedup, quota, releasing a shared blob) */
async function lockOrganizationStore (tx: DbOrTx, organizationId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${organizationId}, 19))`)
}

function services (ctx: AppContext): AttachmentServices {
  if (ctx.attachments === undefined) throw new Error('this context has no attachment services (AppContext.attachments)')
  return ctx.attachments
}

function tooLarge (max: number): DomainError {
  return new DomainError('attachment-too-large', `A file may be at most ${max} bytes`, { maxBytes: max })
}

/**
 * Streams one file into the blob store. Nothing is kept when it is refused (too large, type not accepted, quota,
 * client gone): the stored chunks are deleted before the refusal leaves. The same content uploaded again by the
 * same organization reuses the stored bytes.
 */
export async function uploadFile (ctx: AppContext, p: Principal, input: UploadInput): Promise<Attachment> {
  const { store, settings } = services(ctx)
  const organizationId = organizationFor(p, input.organizationId)
  await requireOrganization(ctx.database.db, organizationId)
  const filename = safeFilename(input.filename)
  const key = randomUUID()
  const hash = createHash('sha256')
  const sniffer = new ContentSniffer()
  let size = 0
  async function * metered (): AsyncIterable<Uint8Array> {
    for await (const chunk of input.source) {
      size += chunk.byteLength
      if (size > settings.maxFileBytes) throw tooLarge(settings.maxFileBytes)
      hash.update(chunk)
      sniffer.update(chunk)
      yield chunk
    }
  }
  let keep = false
  try {
    await store.put(key, metered())
    const sniffed = await sniffer.result(filename, input.claimedType, settings.allowedTypes)
    if (!sniffed.ok) throw new DomainError('attachment-type-not-allowed', sniffed.reason, { detectedType: sniffed.detected, allowedTypes: settings.allowedTypes })
    const sha256 = hash.digest('hex')
    const now = ctx.now()
    const { row, blob, created } = await ctx.transaction(async (tx) => {
      // one upload per organization at a time decides on dedup and quota
      await lockOrganizationStore(tx, organizationId)
      let blob = await repo.findBlob(tx, organizationId, sha256)
      let created = false
      if (blob === undefined) {
        const used = await repo.usedBytes(tx, organizationId)
        if (used + size > settings.orgQuotaBytes) {
          throw new DomainError('attachment-quota-exceeded', `The organization stores ${used} of its ${settings.orgQuotaBytes} bytes; this file needs ${size}`, {
            usedBytes: used, quotaBytes: settings.orgQuotaBytes, fileBytes: size
          })
        }
        blob = await repo.insertBlob(tx, { organizationId, sha256, size, contentType: sniffed.contentType, storageKey: key, createdAt: now })
        if (blob === undefined) throw new Error('blob insert lost a race it cannot lose under the advisory lock')
        created = true
      }
      const row = await repo.insertAttachment(tx, {
        organizationId, blobId: blob.id, filename, contentType: blob.contentType, size: blob.size, sha256, ticketId: null, commentId: null,
        visibility: 'public', uploadedById: p.subject, uploadedByRole: actorOf(p).role, createdAt: now, attachedAt: null
      })
      // the upload's expiry, in the same transaction: the purge runs (on a worker) once it is past
      await ctx.jobs.send(tx, UPLOAD_EXPIRY_QUEUE, { attachmentId: row.id }, { startAfter: new Date(now.getTime() + settings.uploadTtlHours * 3_600_000 + 1000) })
      return { row, blob, created }
    })
    keep = created
    if (created && THUMBNAIL_TYPES.has(blob.contentType)) scheduleThumbnail(ctx, blob)
    return { ...row, hasThumbnail: blob.hasThumbnail }
  } finally {
    if (!keep) await store.delete(key)
  }
}

function scheduleThumbnail (ctx: AppContext, blob: BlobRow): void {
  const { background } = services(ctx)
  const job = createThumbnail(ctx, blob).catch(() => { /* an image sharp cannot read simply has no thumbnail */ })
  background.add(job)
  void job.finally(() => background.delete(job))
}

/** a WebP of at most 256×256 for the console, made from the stored bytes after the upload */
export async function createThumbnail (ctx: AppContext, blob: Pick<BlobRow, 'id' | 'storageKey' | 'size'>): Promise<void> {
  const { store } = services(ctx)
  // loaded with the first thumbnail: a replica that never sees an image does not hold libvips (docs/performance.md)
  const { default: sharp } = await import('sharp')
  const resize = sharp({ limitInputPixels: 40_000_000, failOn: 'error' }).rotate().resize(256, 256, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 })
  const source = Readable.from(store.get(blob.storageKey, { start: 0, end: blob.size - 1 }))
  const [thumbnail] = await Promise.all([resize.toBuffer(), new Promise<void>((resolve, reject) => {
    source.on('error', reject).pipe(resize).on('error', reject)
    source.on('end', resolve)
  })])
  await repo.setThumbnail(ctx.database.db, blob.id, thumbnail)
}

/**
 * Attaches the caller's uploads to a ticket (commentId null) or to one of its comments, inside the caller's
 * transaction, and records one `ticket.attachment_added` event per file (metadata only, never the content). Each id
 * must be an upload of the same caller, for the ticket's organization, not attached yet and not expired: otherwise
 * 422 `attachment-not-attachable` naming the ids, and nothing is attached.
 */
export async function attachUploads (ctx: AppContext, tx: DbOrTx, p: Principal, ids: readonly string[] | undefined, target: {
  organizationId: string; ticketId: string; commentId: string | null; visibility: 'public' | 'internal'; now: Date
}): Promise<void> {
  const wanted = [...new Set(ids ?? [])]
  if (wanted.length === 0) return
  const { settings } = services(ctx)
  const rows = await repo.lockAttachments(tx, wanted)
  const expiredBefore = target.now.getTime() - settings.uploadTtlHours * 3_600_000
  const usable = rows.filter((r) => r.organizationId === target.organizationId && r.ticketId === null && r.uploadedById === p.subject && r.createdAt.getTime() >= expiredBefore)
  if (usable.length !== wanted.length) {
    const ok = new Set(usable.map((r) => r.id))
    const bad = wanted.filter((id) => !ok.has(id))
    throw new DomainError('attachment-not-attachable', 'Only your own uploads for this organization, not attached yet and not expired, can be attached', {
      attachmentIds: bad, errors: bad.map((id) => ({ path: '/attachmentIds', message: `${id} is not an attachable upload` }))
    })
  }
  await repo.markAttached(tx, wanted, { ticketId: target.ticketId, commentId: target.commentId, visibility: target.visibility, at: target.now })
  for (const r of usable) {
    await recordEvent(tx, {
      type: 'ticket.attachment_added', organizationId: r.organizationId, resourceType: 'attachment', resourceId: r.id, ticketId: target.ticketId,
      visibility: target.visibility, actor: actorOf(p), occurredAt: target.now,
      data: { ticketId: target.ticketId, commentId: target.commentId, attachment: metadataOf(r) }
    })
  }
}

const metadataOf = (r: AttachmentRow): Record<string, unknown> => ({ id: r.id, filename: r.filename, contentType: r.contentType, size: r.size, sha256: r.sha256 })

/** 404 unless the caller may see it: its organization, its own unattached upload, never an internal one for customers */
function assertVisible (p: Principal, r: AttachmentRow): void {
  if (!canAccessOrg(p, r.organizationId)) throw notFound('Attachment')
  if (r.ticketId === null && r.uploadedById !== p.subject) throw notFound('Attachment')
  if (r.visibility === 'internal' && !isStaff(p)) throw notFound('Attachment')
}

async function loadVisible (db: DbOrTx, p: Principal, id: string): Promise<{ row: AttachmentRow; blob: BlobRow }> {
  const row = found(await repo.findAttachment(db, id), 'Attachment')
  assertVisible(p, row)
  const blob = found(await repo.blobById(db, row.blobId), 'Attachment')
  return { row, blob }
}

export async function getAttachment (ctx: AppContext, p: Principal, id: string): Promise<Attachment> {
  const { row, blob } = await loadVisible(ctx.database.db, p, id)
  return { ...row, hasThumbnail: blob.hasThumbnail }
}

/** the bytes [start, end] of a visible attachment, streamed chunk by chunk from the blob store */
export async function openContent (ctx: AppContext, p: Principal, id: string): Promise<{ attachment: Attachment; read: (range: { start: number; end: number }) => AsyncIterable<Uint8Array> }> {
  const { row, blob } = await loadVisible(ctx.database.db, p, id)
  const { store } = services(ctx)
  return { attachment: { ...row, hasThumbnail: blob.hasThumbnail }, read: (range) => store.get(blob.storageKey, range) }
}

export async function getThumbnail (ctx: AppContext, p: Principal, id: string): Promise<{ attachment: Attachment; thumbnail: Uint8Array }> {
  const { row, blob } = await loadVisible(ctx.database.db, p, id)
  const thumbnail = found(await repo.thumbnailOf(ctx.database.db, blob.id), 'Thumbnail')
  return { attachment: { ...row, hasThumbnail: true }, thumbnail }
}

export async function listTicketAttachments (ctx: AppContext, p: Principal, ticketId: string, loadTicket: (db: DbOrTx) => Promise<unknown>): Promise<Attachment[]> {
  const db = ctx.database.db
  await loadTicket(db)
  const rows = await repo.listForTicket(db, ticketId, { publicOnly: !isStaff(p), limit: 1000 })
  const out: Attachment[] = []
  for (const r of rows) out.push({ ...r, hasThumbnail: (await repo.blobById(db, r.blobId))?.hasThumbnail ?? false })
  return out
}

/**
 * Staff delete an attachment: the row goes, and the bytes with it once no other attachment of the organization
 * shares them; a `ticket.attachment_removed` event records what was removed (metadata only).
 */
export async function deleteAttachment (ctx: AppContext, p: Principal, id: string): Promise<void> {
  const { store } = services(ctx)
  const now = ctx.now()
  const key = await ctx.transaction(async (tx) => {
    const row = found(await repo.findAttachment(tx, id, { forUpdate: true }), 'Attachment')
    assertVisible(p, row)
    requireRole(p, 'agent', 'admin')
    await lockOrganizationStore(tx, row.organizationId)
    await repo.deleteAttachment(tx, id)
    const released = await repo.releaseBlob(tx, row.blobId)
    if (row.ticketId !== null) {
      await recordEvent(tx, {
        type: 'ticket.attachment_removed', organizationId: row.organizationId, resourceType: 'attachment', resourceId: row.id, ticketId: row.ticketId,
        visibility: row.visibility, actor: actorOf(p), occurredAt: now,
        data: { ticketId: row.ticketId, commentId: row.commentId, attachment: metadataOf(row), removedAt: iso(now) }
      })
    }
    return released
  })
  if (key !== undefined) await store.delete(key)
}

/**
 * Deletes uploads not attached within ATTACHMENT_UPLOAD_TTL_HOURS (and their bytes when nothing else shares them).
 * Safe to run on every replica at once (rows are taken with SKIP LOCKED). Returns how many were deleted.
 */
export async function purgeExpiredUploads (ctx: AppContext, now: Date, batch = 200): Promise<number> {
  const { store, settings } = services(ctx)
  const before = new Date(now.getTime() - settings.uploadTtlHours * 3_600_000)
  let total = 0
  for (;;) {
    const { count, keys } = await ctx.transaction(async (tx) => {
      const rows = await repo.expiredUploads(tx, before, batch)
      const keys: string[] = []
      for (const r of rows) {
        await lockOrganizationStore(tx, r.organizationId)
        await repo.deleteAttachment(tx, r.id)
        const key = await repo.releaseBlob(tx, r.blobId)
        if (key !== undefined) keys.push(key)
      }
      return { count: rows.length, keys }
    })
    for (const key of keys) await store.delete(key)
    total += count
    if (count < batch) return total
  }
}
