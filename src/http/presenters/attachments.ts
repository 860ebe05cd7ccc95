import type { Static } from '@sinclair/typebox'
import type { Attachment } from '../../application/attachments.js'
import { iso } from '../../domain/time.js'
import type { AttachmentSchema } from '../schemas/attachments.js'

export const presentAttachment = (a: Attachment, ttlHours: number): Static<typeof AttachmentSchema> => ({
  id: a.id,
  organizationId: a.organizationId,
  ticketId: a.ticketId,
  commentId: a.commentId,
  filename: a.filename,
  contentType: a.contentType,
  size: a.size,
  sha256: a.sha256,
  visibility: a.visibility,
  uploadedBy: { id: a.uploadedById, role: a.uploadedByRole as 'customer' | 'agent' | 'admin' },
  createdAt: iso(a.createdAt),
  attachedAt: a.attachedAt === null ? null : iso(a.attachedAt),
  expiresAt: a.ticketId === null ? iso(new Date(a.createdAt.getTime() + ttlHours * 3_600_000)) : null,
  hasThumbnail: a.hasThumbnail
})
