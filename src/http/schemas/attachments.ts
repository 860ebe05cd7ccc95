import { Type } from '@sinclair/typebox'
import { Nullable, Timestamp, Uuid, ref } from './common.js'
import { CommentVisibilitySchema, TicketActorSchema } from './tickets.js'

const EXAMPLE = {
  id: '5a0c2e4f-0000-4000-8000-00000000a001',
  organizationId: '3f0e9a43-8f64-4f55-9d43-5cf2cbd3a0a1',
  ticketId: '9b2d7c1e-4a5f-4e8b-9c3d-2f1a0b9e8d7c',
  commentId: null,
  filename: 'dmarc-report-acme.example.xml.gz',
  contentType: 'application/gzip',
  size: 48213,
  sha256: 'a3f1c9e4b1d0f6a2c8e7d5b4a3928170f6e5d4c3b2a1908f7e6d5c4b3a291807',
  visibility: 'public',
  uploadedBy: { id: 'customer-1', role: 'customer' },
  createdAt: '2026-03-09T13:00:00.000Z',
  attachedAt: '2026-03-09T13:01:00.000Z',
  expiresAt: null,
  hasThumbnail: false
}

export const AttachmentSchema = Type.Object({
  id: Uuid,
  organizationId: Uuid,
  ticketId: Nullable({ ...Uuid, description: 'The ticket it is attached to; null while it is an unattached upload' }),
  commentId: Nullable({ ...Uuid, description: 'The comment it is attached to; null for files attached when the ticket was opened' }),
  filename: Type.String({ minLength: 1, maxLength: 200, description: 'The uploaded name, made safe (no directories or control characters)' }),
  contentType: Type.String({ maxLength: 100, pattern: '^[a-z0-9.+-]+/[a-z0-9.+-]+$', description: 'Detected from the bytes, not taken from the client' }),
  size: Type.Integer({ format: 'int64', minimum: 1, maximum: 1073741824, description: 'Bytes' }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$', minLength: 64, maxLength: 64, description: 'SHA-256 of the content (hex); also the content\'s ETag' }),
  visibility: ref(CommentVisibilitySchema),
  uploadedBy: ref(TicketActorSchema),
  createdAt: Timestamp,
  attachedAt: Nullable(Timestamp),
  expiresAt: Nullable({ ...Timestamp, description: 'An unattached upload is deleted at this instant' }),
  hasThumbnail: Type.Boolean({ description: 'Images get a small WebP preview shortly after the upload (GET …/thumbnail)' })
}, { $id: 'Attachment', description: 'A file on a ticket or comment (or an upload waiting to be attached); metadata only', additionalProperties: false, examples: [EXAMPLE] })

export const AttachmentPage = Type.Object({
  items: Type.Array(ref(AttachmentSchema), { maxItems: 1000 }),
  nextCursor: Type.Null({ description: 'Always null: a ticket\'s attachments come in one page' })
}, { $id: 'AttachmentPage', additionalProperties: false })

export const AttachmentParams = Type.Object({ attachmentId: Uuid }, { additionalProperties: false })

export const UploadQuery = Type.Object({
  organizationId: Type.Optional({ ...Uuid, description: 'Required for agents and admins; implied by a customer\'s token' }),
  filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'The file name, for a raw (non-multipart) body' }))
}, { additionalProperties: false })

export const ContentHeaders = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 100, pattern: '^bytes=', description: 'One byte range (bytes=0-1023, bytes=1024-, bytes=-500); several ranges are answered with the whole content' })),
  'if-range': Type.Optional(Type.String({ maxLength: 100, description: 'Serve the range only if the content still has this ETag' })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 200, description: 'ETag of the copy you hold; 304 when it is still current' }))
})

const BINARY = { type: 'string', format: 'binary', maxLength: 1073741824 } as const

/** the request body of POST /v1/uploads, for the contract (the handler streams it) */
export const UPLOAD_BODY = {
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['file'],
        additionalProperties: false,
        properties: { file: { ...BINARY, description: 'The file (one part named `file`; its filename is kept)' } }
      }
    },
    'application/octet-stream': { schema: { ...BINARY, description: 'The raw file; name it with ?filename=' } }
  }
}

const header = (description: string, extra: Record<string, unknown> = {}): unknown => ({ type: 'string', maxLength: 1000, description, ...extra })

/** headers of every response carrying stored bytes */
export const BYTES_HEADERS = {
  ETag: header('Strong ETag: the content\'s SHA-256 in quotes'),
  'Content-Disposition': header('Always attachment, with filename= (ASCII) and filename*= (RFC 8187)'),
  'X-Content-Type-Options': header('nosniff', { enum: ['nosniff'] }),
  'Content-Security-Policy': header("default-src 'none'; sandbox"),
  'Cache-Control': header('private, no-cache')
}

export const binaryResponse = (description: string, contentType = 'application/octet-stream', extraHeaders: Record<string, unknown> = {}): unknown => ({
  description,
  headers: { ...BYTES_HEADERS, ...extraHeaders },
  content: { [contentType]: { schema: BINARY } }
})

export const CONTENT_RANGE_HEADER = { 'Content-Range': header('bytes start-end/size') }

export const attachmentSchemas = [AttachmentSchema, AttachmentPage]
