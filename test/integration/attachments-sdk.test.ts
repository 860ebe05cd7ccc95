/**
 * Uploading and attaching through the client generated from the contract (openapi-typescript types, openapi-fetch
 * calls) against a real listening server: multipart and raw uploads, attaching to a new ticket and to a comment,
 * metadata and a ranged download.
 */
import type { AddressInfo } from 'node:net'
import t from 'tap'
import createClient from 'openapi-fetch'
import type { paths, components } from '../generated/api.js'
import { ensureGeneratedClient } from '../helpers/sdk.js'
import { buildTestApp } from '../helpers/app.js'

ensureGeneratedClient()

type Attachment = components['schemas']['Attachment']

const h = await buildTestApp(t)
await h.app.listen({ port: 0, host: '127.0.0.1' })
const baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`
const org = await h.createOrg('enhanced')
const client = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${await h.customerToken(org.id)}` } })

const report = Buffer.from('<?xml version="1.0"?>\n<feedback><record><row><source_ip>192.0.2.1</source_ip></row></record></feedback>\n')
const headers = Buffer.from('From: a@acme.example\nTo: b@vendor.example\nSubject: test\nDate: Mon, 9 Mar 2026 09:00:00 -0700\n\nhello\n')

t.test('upload (multipart and raw), attach to a ticket and a comment, read back', async (t) => {
  const multipart = await client.POST('/v1/uploads', {
    body: { file: 'report.xml' },
    bodySerializer: () => {
      const form = new FormData()
      form.append('file', new Blob([report], { type: 'text/xml' }), 'report.xml')
      return form
    }
  })
  t.equal(multipart.response.status, 201, JSON.stringify(multipart.error))
  const first: Attachment | undefined = multipart.data
  t.equal(first?.contentType, 'application/xml')
  t.equal(first?.filename, 'report.xml')

  const raw = await client.POST('/v1/uploads', {
    params: { query: { filename: 'bounce.eml' } },
    body: headers.toString('latin1'),
    headers: { 'content-type': 'application/octet-stream' },
    bodySerializer: () => headers
  })
  t.equal(raw.response.status, 201, JSON.stringify(raw.error))
  t.equal(raw.data?.contentType, 'message/rfc822')

  const ticket = await client.POST('/v1/tickets', {
    body: { subject: 'DMARC failures', description: 'See the report', severity: 'high', channel: 'portal', requester: { name: 'Dana', email: 'dana@acme.example' }, attachmentIds: [first?.id ?? ''] }
  })
  t.equal(ticket.response.status, 201, JSON.stringify(ticket.error))
  const ticketId = ticket.data?.id ?? ''
  const c = await client.POST('/v1/tickets/{ticketId}/comments', { params: { path: { ticketId } }, body: { body: 'The bounce', attachmentIds: [raw.data?.id ?? ''] } })
  t.equal(c.response.status, 201, JSON.stringify(c.error))

  const list = await client.GET('/v1/tickets/{ticketId}/attachments', { params: { path: { ticketId } } })
  t.same(list.data?.items.map((a) => a.filename).sort(), ['bounce.eml', 'report.xml'])
  const meta = await client.GET('/v1/attachments/{attachmentId}', { params: { path: { attachmentId: raw.data?.id ?? '' } } })
  t.equal(meta.data?.commentId, c.data?.id)

  const part = await client.GET('/v1/attachments/{attachmentId}/content', {
    params: { path: { attachmentId: first?.id ?? '' }, header: { range: 'bytes=0-4' } },
    parseAs: 'arrayBuffer'
  })
  t.equal(part.response.status, 206)
  t.equal(Buffer.from(part.data as ArrayBuffer).toString(), '<?xml')
  t.match(part.response.headers.get('content-disposition'), /^attachment; filename="report.xml"/)

  const refused = await client.POST('/v1/tickets/{ticketId}/comments', { params: { path: { ticketId } }, body: { body: 'again', attachmentIds: [first?.id ?? ''] } })
  t.equal(refused.response.status, 422)
  t.equal(refused.error?.code, 'attachment-not-attachable')
})
