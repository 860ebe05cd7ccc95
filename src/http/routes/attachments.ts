import { Readable } from 'node:stream'
import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from '@sinclair/typebox'
import * as files from '../../application/attachments.js'
import type { Attachment, AttachmentSettings } from '../../application/attachments.js'
import { loadTicket } from '../../application/tickets.js'
import { contentDisposition, parseRange } from '../../domain/attachments/files.js'
import { DomainError } from '../../domain/errors.js'
import { principal } from '../plugins/auth.js'
import { NotModified, problemResponses, ref } from '../schemas/common.js'
import { AttachmentPage, AttachmentParams, AttachmentSchema, ContentHeaders, CONTENT_RANGE_HEADER, UPLOAD_BODY, UploadQuery, binaryResponse } from '../schemas/attachments.js'
import { TicketParams } from '../schemas/tickets.js'
import { presentAttachment } from '../presenters/attachments.js'
import { UPLOAD_DESCRIPTION, GET_ATTACHMENT_CONTENT_DESCRIPTION } from '../docs/attachments.js'

/** headers on every response that carries stored bytes: never rendered, never sniffed, never cached by shared caches */
const SAFE_BYTES_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cache-control': 'private, no-cache',
  'cross-origin-resource-policy': 'same-origin'
}

/** the shared problem responses with descriptions that fit file routes */
function fileProblems (...statuses: number[]): Record<number, unknown> {
  const described: Record<number, string> = {
    413: 'The file is larger than ATTACHMENT_MAX_BYTES (attachment-too-large); nothing is kept',
    415: 'The detected type is not accepted (attachment-type-not-allowed, with detectedType); nothing is kept',
    416: 'The range starts past the end (range-not-satisfiable; Content-Range: bytes */size)',
    422: 'Quota used up (attachment-quota-exceeded), or an Idempotency-Key reused with another request'
  }
  const out = problemResponses(...statuses)
  for (const status of statuses) {
    if (described[status] !== undefined) out[status] = { ...(out[status] as object), description: described[status] }
  }
  return out
}

const etagOf = (a: Attachment): string => `"${a.sha256}"`

const matches = (header: string | undefined, tag: string): boolean =>
  header !== undefined && header.split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === tag || t === '*')

/**
 * The client's multipart body: the parser (busboy) fails it with a plain error (no status) when it is truncated or
 * malformed. That is the client's 400 `malformed-request`, never a 500; errors that carry a status (the multipart
 * plugin's limits) and the service's own refusals pass as they are.
 */
const malformedBody = (err: unknown): unknown =>
  err instanceof Error && !(err instanceof DomainError) && (err as { statusCode?: unknown }).statusCode === undefined
    ? new DomainError('malformed-request', 'The multipart body could not be parsed')
    : err

async function * clientBody (source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  try {
    yield * source
  } catch (err) {
    throw malformedBody(err)
  }
}

export const attachmentRoutes: FastifyPluginAsyncTypebox<{ settings: AttachmentSettings | undefined }> = async (app, { settings }) => {
  if (settings === undefined) throw new Error('attachment routes need AppContext.attachments')
  const present = (a: Attachment): Static<typeof AttachmentSchema> => presentAttachment(a, settings.uploadTtlHours)

  // in this plugin only: bodies are streams the upload route reads itself (multipart, or any other type raw)
  app.removeAllContentTypeParsers()
  await app.register(multipart, { limits: { fileSize: settings.maxFileBytes + 1, files: 1, fields: 0, parts: 1, headerPairs: 100 } })
  app.addContentTypeParser('*', (_request, _payload, done) => { done(null, undefined) })

  app.post('/v1/uploads', {
    bodyLimit: settings.maxFileBytes + 1024 * 1024,
    schema: {
      operationId: 'createUpload', tags: ['attachments'], summary: 'Upload a file (to attach afterwards)',
      description: UPLOAD_DESCRIPTION,
      querystring: UploadQuery,
      body: UPLOAD_BODY as never,
      response: { 201: ref(AttachmentSchema), ...fileProblems(404, 413, 415, 422) }
    }
  }, async (request, reply) => {
    const p = principal(request)
    let input: files.UploadInput
    if (request.isMultipart()) {
      const part = await request.file().catch((err: unknown) => { throw malformedBody(err) })
      if (part === undefined || part.fieldname !== 'file') {
        throw new DomainError('validation-failed', 'Send the file as a multipart part named "file"', { errors: [{ path: '/file', message: 'is required' }] })
      }
      input = { organizationId: request.query.organizationId, filename: part.filename, claimedType: part.mimetype, source: clientBody(part.file) }
    } else {
      const declared = Number(request.headers['content-length'] ?? '0')
      if (declared > settings.maxFileBytes) throw new DomainError('attachment-too-large', `A file may be at most ${settings.maxFileBytes} bytes`, { maxBytes: settings.maxFileBytes })
      input = { organizationId: request.query.organizationId, filename: request.query.filename, claimedType: request.headers['content-type'], source: request.raw }
    }
    const attachment = await files.uploadFile(request.ctx, p, input)
    reply.header('location', `/v1/attachments/${attachment.id}`)
    return await reply.code(201).send(present(attachment))
  })

  app.get('/v1/attachments/:attachmentId', {
    schema: {
      operationId: 'getAttachment', tags: ['attachments'], summary: 'Attachment metadata',
      description: 'Only to callers who may see what it is attached to: another organization\'s attachment, an attachment of an internal comment (for customers) and someone else\'s unattached upload are 404.',
      params: AttachmentParams,
      response: { 200: ref(AttachmentSchema), ...problemResponses(404) }
    }
  }, async (request) => present(await files.getAttachment(request.ctx, principal(request), request.params.attachmentId)))

  app.get('/v1/attachments/:attachmentId/content', {
    schema: {
      operationId: 'getAttachmentContent', tags: ['attachments'], summary: 'Download an attachment',
      description: GET_ATTACHMENT_CONTENT_DESCRIPTION,
      params: AttachmentParams,
      headers: ContentHeaders,
      response: {
        200: binaryResponse('The whole content, with its detected type as Content-Type'),
        206: binaryResponse('The requested range (Content-Range)', 'application/octet-stream', CONTENT_RANGE_HEADER),
        304: NotModified,
        ...fileProblems(404, 416)
      }
    }
  }, async (request, reply) => {
    const { attachment, read } = await files.openContent(request.ctx, principal(request), request.params.attachmentId)
    const tag = etagOf(attachment)
    reply.header('etag', tag).header('accept-ranges', 'bytes').headers(SAFE_BYTES_HEADERS)
    if (matches(request.headers['if-none-match'], tag)) return await reply.code(304).send()
    const ifRange = request.headers['if-range']
    const range = ifRange !== undefined && ifRange.trim() !== tag ? { kind: 'full' as const } : parseRange(request.headers.range, attachment.size)
    if (range.kind === 'unsatisfiable') {
      reply.header('content-range', `bytes */${attachment.size}`)
      throw new DomainError('range-not-satisfiable', `The content has ${attachment.size} bytes`, { size: attachment.size })
    }
    const { start, end } = range.kind === 'partial' ? range : { start: 0, end: attachment.size - 1 }
    reply.header('content-type', attachment.contentType)
      .header('content-disposition', contentDisposition(attachment.filename))
      .header('content-length', String(end - start + 1))
    if (range.kind === 'partial') reply.code(206).header('content-range', `bytes ${start}-${end}/${attachment.size}`)
    return await reply.send(Readable.from(read({ start, end })))
  })

  app.get('/v1/attachments/:attachmentId/thumbnail', {
    schema: {
      operationId: 'getAttachmentThumbnail', tags: ['attachments'], summary: 'An image attachment\'s preview',
      description: 'A WebP of at most 256×256, made shortly after the upload of an image (`hasThumbnail`); 404 before then and for other types.',
      params: AttachmentParams,
      response: { 200: binaryResponse('The preview', 'image/webp'), ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const { attachment, thumbnail } = await files.getThumbnail(request.ctx, principal(request), request.params.attachmentId)
    return await reply.headers(SAFE_BYTES_HEADERS).header('etag', `"${attachment.sha256}-t"`).header('content-type', 'image/webp')
      .header('content-disposition', contentDisposition(`${attachment.filename}.thumbnail.webp`)).send(Buffer.from(thumbnail))
  })

  app.delete('/v1/attachments/:attachmentId', {
    schema: {
      operationId: 'deleteAttachment', tags: ['attachments'], summary: 'Delete an attachment (staff)',
      description: 'Agents and admins. The bytes go with it (unless the organization stores the same content for another attachment); the ticket\'s trail records `ticket.attachment_removed` with the metadata, never the content.',
      params: AttachmentParams,
      response: { 204: { description: 'Deleted', type: 'null' }, ...problemResponses(404) }
    }
  }, async (request, reply) => {
    await files.deleteAttachment(request.ctx, principal(request), request.params.attachmentId)
    return await reply.code(204).send()
  })

  app.get('/v1/tickets/:ticketId/attachments', {
    schema: {
      operationId: 'listTicketAttachments', tags: ['attachments'], summary: 'A ticket\'s attachments',
      description: 'Those of the ticket and of its comments, oldest first; customers never see attachments of internal comments.',
      params: TicketParams,
      response: { 200: ref(AttachmentPage), ...problemResponses(404) }
    }
  }, async (request) => {
    const p = principal(request)
    const items = await files.listTicketAttachments(request.ctx, p, request.params.ticketId, async (db) => await loadTicket(db, p, request.params.ticketId))
    return { items: items.map(present), nextCursor: null }
  })
}
