import { createHash, randomBytes } from 'node:crypto'
import t from 'tap'
import { purgeExpiredUploads } from '../../src/application/attachments.js'
import { buildTestApp } from '../helpers/app.js'
import { comment, events, MON_0900, openTicket } from './tickets-helpers.js'
import { dmarcXml, elf, eml, gzip, opaqueBinary, pdf, pe, png, storeCounts, upload, uploadOk, zip } from './attachments-helpers.js'

const MiB = 1024 * 1024
const h = await buildTestApp(t, { env: { ATTACHMENT_MAX_BYTES: String(2 * MiB), ATTACHMENT_ORG_QUOTA_BYTES: String(5 * MiB) } })
h.clock.set(MON_0900)
const org = await h.createOrg('enhanced')
const other = await h.createOrg('enhanced')
const cust = await h.customerToken(org.id)
const cust2 = await h.customerToken(org.id, 'customer-2')
const foreign = await h.customerToken(other.id, 'foreign-1')
const agent = await h.agentToken()

t.test('the stored type comes from the bytes; accepted types', async (t) => {
  const cases: Array<[string, Buffer, string, string?]> = [
    ['screenshot.png', await png(), 'image/png'],
    ['report.pdf', pdf(), 'application/pdf'],
    ['notes.txt', Buffer.from('dig TXT _dmarc.acme.example\nv=DMARC1; p=none\n'), 'text/plain'],
    ['zone.csv', Buffer.from('name,type,value\n_dmarc,TXT,v=DMARC1\n'), 'text/csv'],
    ['records', Buffer.from('a,b\n1,2\n'), 'text/csv', 'text/csv'],
    ['aggregate.xml', dmarcXml(), 'application/xml'],
    ['aggregate.dat', dmarcXml(), 'application/xml', 'application/octet-stream'],
    ['headers.eml', eml(), 'message/rfc822'],
    ['aggregate.xml.gz', gzip(dmarcXml()), 'application/gzip'],
    ['reports.zip', zip([{ name: 'a.xml', data: dmarcXml() }, { name: 'zone.csv', data: Buffer.from('x,y\n') }]), 'application/zip'],
    ['screenshot.pdf', await png(1), 'image/png', 'application/pdf']
  ]
  for (const [name, bytes, expected, claimed] of cases) {
    const res = await upload(h, cust, name, bytes, { type: claimed })
    t.equal(res.statusCode, 201, `${name}: ${res.body}`)
    const a = res.json()
    t.equal(a.contentType, expected, name)
    t.equal(a.size, bytes.length)
    t.equal(a.sha256, createHash('sha256').update(bytes).digest('hex'))
    t.equal(a.ticketId, null)
    t.equal(a.expiresAt, new Date(h.clock.now().getTime() + 24 * 3_600_000).toISOString())
    t.equal(res.headers.location, `/v1/attachments/${a.id}`)
  }
})

t.test('disguised executables and other types are refused, leaving nothing behind', async (t) => {
  const before = await storeCounts(h)
  const refused: Array<[string, Buffer, string]> = [
    ['invoice.pdf', elf(), 'application/x-elf'],
    ['invoice.pdf', pe(), 'application/x-msdownload'],
    ['report.xml.gz', gzip(elf()), 'application/gzip+application/x-elf'],
    ['reports.zip', zip([{ name: 'a.xml', data: dmarcXml() }, { name: 'setup.exe', data: pe() }]), 'application/zip+setup.exe'],
    ['reports.zip', zip([{ name: 'a.pdf', data: elf() }]), 'application/zip+application/x-elf'],
    ['blob.txt', opaqueBinary(5000), 'application/octet-stream'],
    ['notes.txt', Buffer.concat([Buffer.from('hello\n'.repeat(20000)), Buffer.from([0])]), 'application/octet-stream']
  ]
  for (const [name, bytes, detected] of refused) {
    const res = await upload(h, cust, name, bytes, { type: 'application/pdf' })
    t.equal(res.statusCode, 415, name)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.match(res.json(), { code: 'attachment-type-not-allowed', detectedType: detected }, name)
  }
  t.same(await storeCounts(h), before, 'no chunk, blob or upload left')
})

t.test('raw bodies are streamed too; over the limit is 413 and nothing is kept', async (t) => {
  const raw = await h.request(cust, { method: 'POST', url: '/v1/uploads?filename=agg.xml', payload: dmarcXml(), headers: { 'content-type': 'application/octet-stream' } })
  t.equal(raw.statusCode, 201, raw.body)
  t.match(raw.json(), { filename: 'agg.xml', contentType: 'application/xml' })
  const before = await storeCounts(h)
  const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2 * MiB)])
  const multi = await upload(h, cust, 'big.pdf', big)
  t.equal(multi.statusCode, 413)
  t.match(multi.json(), { code: 'attachment-too-large', maxBytes: 2 * MiB })
  const rawBig = await h.request(cust, { method: 'POST', url: '/v1/uploads?filename=big.pdf', payload: big, headers: { 'content-type': 'application/pdf' } })
  t.equal(rawBig.statusCode, 413)
  t.equal(rawBig.json().code, 'attachment-too-large')
  t.same(await storeCounts(h), before, 'nothing left behind')
  // exactly at the limit is accepted
  const exact = await upload(h, cust, 'exact.pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2 * MiB - 9)]))
  t.equal(exact.statusCode, 201)
  const del = await h.request(agent, { method: 'DELETE', url: `/v1/attachments/${exact.json().id}` })
  t.equal(del.statusCode, 404, 'an unattached upload is seen by its uploader only (the purge removes it)')
})

t.test('the same file twice by one organization is stored once; another organization stores its own', async (t) => {
  const bytes = Buffer.from(`dedup ${randomBytes(8).toString('hex')}\n`)
  const before = await storeCounts(h)
  const a = await uploadOk(h, cust, 'one.txt', bytes)
  const b = await uploadOk(h, cust2, 'two.txt', bytes)
  t.not(a.id, b.id)
  t.equal(a.sha256, b.sha256)
  let after = await storeCounts(h)
  t.equal(after.blobs - before.blobs, 1, 'one blob')
  t.equal(after.chunks - before.chunks, 1, 'one chunk')
  t.equal(after.attachments - before.attachments, 2, 'two uploads')
  await uploadOk(h, foreign, 'three.txt', bytes)
  after = await storeCounts(h)
  t.equal(after.blobs - before.blobs, 2, 'the other organization has its own copy')
})

t.test('attach on ticket creation and on comments; events carry metadata only', async (t) => {
  const shot = await uploadOk(h, cust, 'screen shot.png', await png(2))
  const tk = await openTicket(h, cust, { attachmentIds: [shot.id] })
  const meta = await h.request(cust, { method: 'GET', url: `/v1/attachments/${shot.id}` })
  t.equal(meta.statusCode, 200)
  t.match(meta.json(), { ticketId: tk.id, commentId: null, visibility: 'public', expiresAt: null, attachedAt: String })
  const report = await uploadOk(h, cust, 'agg.xml.gz', gzip(Buffer.from(dmarcXml().toString() + randomBytes(4).toString('hex'))))
  const c = await comment(h, cust, tk.id, { body: 'Here is the report', attachmentIds: [report.id] })
  t.match((await h.request(cust, { method: 'GET', url: `/v1/attachments/${report.id}` })).json(), { ticketId: tk.id, commentId: c.id })
  const list = await h.request(cust, { method: 'GET', url: `/v1/tickets/${tk.id}/attachments` })
  t.same(list.json().items.map((a: { id: string }) => a.id).sort(), [shot.id, report.id].sort())
  const trail = (await events(h, agent, tk.id)).filter((e) => e.type === 'ticket.attachment_added')
  t.equal(trail.length, 2)
  t.match(trail[1], { resource: { type: 'attachment', id: report.id }, data: { commentId: c.id, attachment: { id: report.id, filename: 'agg.xml.gz', sha256: report.sha256 } } })
  t.notOk(JSON.stringify(trail).includes('feedback'), 'no content in events')

  // attached once only; not someone else's; not another organization's; unknown ids
  const again = await h.request(cust, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, payload: { body: 'again', attachmentIds: [report.id] } })
  t.equal(again.statusCode, 422)
  t.match(again.json(), { code: 'attachment-not-attachable', attachmentIds: [report.id] })
  const mine = await uploadOk(h, cust, 'mine.txt', Buffer.from('mine\n'))
  const byOther = await h.request(cust2, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, payload: { body: 'x', attachmentIds: [mine.id] } })
  t.equal(byOther.statusCode, 422, 'another user\'s upload')
  const foreignUpload = await uploadOk(h, foreign, 'f.txt', Buffer.from('foreign\n'))
  const crossOrg = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, payload: { body: 'x', attachmentIds: [foreignUpload.id] } })
  t.equal(crossOrg.statusCode, 422, 'another organization\'s upload')
  const unknown = await h.request(cust, { method: 'POST', url: '/v1/tickets', payload: { subject: 's', description: 'd', severity: 'low', channel: 'portal', requester: { name: 'D', email: 'd@acme.example' }, attachmentIds: [mine.id, '00000000-0000-4000-8000-000000000000'] } })
  t.equal(unknown.statusCode, 422)
  t.same(unknown.json().attachmentIds, ['00000000-0000-4000-8000-000000000000'])
  t.match((await h.request(cust, { method: 'GET', url: `/v1/attachments/${mine.id}` })).json(), { ticketId: null }, 'the refused ticket attached nothing')
})

t.test('tenancy and internal visibility on every route', async (t) => {
  const tk = await openTicket(h, cust)
  const note = await uploadOk(h, agent, 'internal.png', await png(3), { query: `?organizationId=${org.id}` })
  const c = await comment(h, agent, tk.id, { body: 'internal evidence', visibility: 'internal', attachmentIds: [note.id] })
  t.equal((await h.request(agent, { method: 'GET', url: `/v1/attachments/${note.id}` })).json().visibility, 'internal')
  t.equal((await h.request(agent, { method: 'GET', url: `/v1/attachments/${note.id}` })).json().commentId, c.id)
  const pub = await uploadOk(h, cust, 'public.txt', Buffer.from('public evidence\n'))
  await comment(h, cust, tk.id, { body: 'public', attachmentIds: [pub.id] })
  const unattached = await uploadOk(h, cust, 'pending.txt', Buffer.from('pending\n'))
  await waitForThumbnail(agent, note.id)

  const routes = (id: string): Array<{ method: 'GET' | 'DELETE'; url: string }> => [
    { method: 'GET', url: `/v1/attachments/${id}` },
    { method: 'GET', url: `/v1/attachments/${id}/content` },
    { method: 'GET', url: `/v1/attachments/${id}/thumbnail` },
    { method: 'DELETE', url: `/v1/attachments/${id}` }
  ]
  for (const r of routes(note.id)) {
    t.equal((await h.request(cust, r)).statusCode, 404, `customer: internal ${r.method} ${r.url}`)
    t.equal((await h.request(foreign, r)).statusCode, 404, `foreign: ${r.method} ${r.url}`)
  }
  for (const r of routes(pub.id).filter((r) => r.method === 'GET' && !r.url.endsWith('thumbnail'))) {
    t.equal((await h.request(cust2, r)).statusCode, 200, `same organization: ${r.url}`)
    t.equal((await h.request(foreign, r)).statusCode, 404, `foreign: ${r.url}`)
  }
  t.equal((await h.request(foreign, { method: 'DELETE', url: `/v1/attachments/${pub.id}` })).statusCode, 404)
  t.equal((await h.request(cust, { method: 'DELETE', url: `/v1/attachments/${pub.id}` })).statusCode, 403, 'customers may not delete')
  for (const r of routes(unattached.id).slice(0, 2)) {
    t.equal((await h.request(cust2, r)).statusCode, 404, `someone else's unattached upload: ${r.url}`)
    t.equal((await h.request(cust, r)).statusCode, 200, `the uploader's own: ${r.url}`)
  }
  const custList = await h.request(cust, { method: 'GET', url: `/v1/tickets/${tk.id}/attachments` })
  t.same(custList.json().items.map((a: { id: string }) => a.id), [pub.id], 'customers do not see internal attachments')
  const agentList = await h.request(agent, { method: 'GET', url: `/v1/tickets/${tk.id}/attachments` })
  t.same(agentList.json().items.map((a: { id: string }) => a.id).sort(), [note.id, pub.id].sort())
  t.equal((await h.request(foreign, { method: 'GET', url: `/v1/tickets/${tk.id}/attachments` })).statusCode, 404)
  const customerTrail = await events(h, cust, tk.id)
  t.notOk(customerTrail.some((e) => e.resource.id === note.id), 'the internal attachment\'s event is not shown to customers')
  t.equal((await h.request(foreign, { method: 'POST', url: `/v1/uploads?organizationId=${org.id}`, payload: dmarcXml(), headers: { 'content-type': 'application/xml' } })).statusCode, 404, 'a customer cannot upload for another organization')
  t.equal((await h.request(agent, { method: 'POST', url: '/v1/uploads', payload: dmarcXml(), headers: { 'content-type': 'application/xml' } })).json().code, 'organization-required')

  // staff delete: bytes gone, event recorded without content
  const before = await storeCounts(h)
  const del = await h.request(agent, { method: 'DELETE', url: `/v1/attachments/${note.id}` })
  t.equal(del.statusCode, 204)
  t.equal((await h.request(agent, { method: 'GET', url: `/v1/attachments/${note.id}` })).statusCode, 404)
  const after = await storeCounts(h)
  t.equal(before.chunks - after.chunks, 1, 'the bytes are deleted')
  t.equal(before.blobs - after.blobs, 1)
  const removed = (await events(h, agent, tk.id)).find((e) => e.type === 'ticket.attachment_removed')
  t.match(removed, { visibility: 'internal', resource: { id: note.id }, data: { attachment: { filename: 'internal.png', sha256: note.sha256 } } })
})

/** thumbnails are made after the upload: poll the metadata (bounded) until it says so */
async function waitForThumbnail (token: string, id: string): Promise<Record<string, any>> {
  for (let i = 0; i < 400; i++) {
    const meta = (await h.request(token, { method: 'GET', url: `/v1/attachments/${id}` })).json()
    if (meta.hasThumbnail === true) return meta
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error('no thumbnail was made')
}

t.test('images get a thumbnail after the upload', async (t) => {
  const shot = await uploadOk(h, cust, 'big-shot.png', await png(200))
  await waitForThumbnail(cust, shot.id)
  const thumb = await h.request(cust, { method: 'GET', url: `/v1/attachments/${shot.id}/thumbnail` })
  t.equal(thumb.statusCode, 200)
  t.equal(thumb.headers['content-type'], 'image/webp')
  t.equal(thumb.rawPayload.subarray(8, 12).toString(), 'WEBP')
  const text = await uploadOk(h, cust, 'n.txt', Buffer.from('no thumbnail\n'))
  t.equal((await h.request(cust, { method: 'GET', url: `/v1/attachments/${text.id}/thumbnail` })).statusCode, 404)
})

t.test('content: safe headers, ETag, ranges', async (t) => {
  const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(600 * 1024)]) // three chunks
  const raw = await h.request(cust, { method: 'POST', url: `/v1/uploads?filename=${encodeURIComponent('../Rapport d\'été "final"\u202e.pdf')}`, payload: bytes, headers: { 'content-type': 'application/octet-stream' } })
  t.equal(raw.statusCode, 201)
  const a = raw.json()
  t.equal(a.filename, 'Rapport d\'été _final__.pdf', 'no directories, quotes or bidi overrides')
  const url = `/v1/attachments/${a.id}/content`
  const full = await h.request(cust, { method: 'GET', url })
  t.equal(full.statusCode, 200)
  t.ok(full.rawPayload.equals(bytes), 'the bytes come back unchanged')
  t.equal(full.headers['content-type'], 'application/pdf')
  t.equal(full.headers['content-length'], String(bytes.length))
  t.equal(full.headers['x-content-type-options'], 'nosniff')
  t.equal(full.headers['content-security-policy'], "default-src 'none'; sandbox")
  t.match(full.headers['cache-control'], /private/)
  t.equal(full.headers['accept-ranges'], 'bytes')
  t.equal(full.headers.etag, `"${a.sha256}"`)
  t.equal(full.headers['content-disposition'], 'attachment; filename="Rapport d\'_t_ _final__.pdf"; filename*=UTF-8\'\'Rapport%20d%27%C3%A9t%C3%A9%20_final__.pdf')

  t.equal((await h.request(cust, { method: 'GET', url, headers: { 'if-none-match': `"${a.sha256}"` } })).statusCode, 304)
  const first = await h.request(cust, { method: 'GET', url, headers: { range: 'bytes=0-9' } })
  t.equal(first.statusCode, 206)
  t.equal(first.headers['content-range'], `bytes 0-9/${bytes.length}`)
  t.ok(first.rawPayload.equals(bytes.subarray(0, 10)))
  const across = await h.request(cust, { method: 'GET', url, headers: { range: 'bytes=262000-524400' } })
  t.equal(across.statusCode, 206)
  t.ok(across.rawPayload.equals(bytes.subarray(262000, 524401)), 'a range across chunk boundaries')
  const suffix = await h.request(cust, { method: 'GET', url, headers: { range: 'bytes=-100' } })
  t.ok(suffix.rawPayload.equals(bytes.subarray(bytes.length - 100)))
  t.equal(suffix.headers['content-range'], `bytes ${bytes.length - 100}-${bytes.length - 1}/${bytes.length}`)
  const open = await h.request(cust, { method: 'GET', url, headers: { range: `bytes=${bytes.length - 5}-` } })
  t.ok(open.rawPayload.equals(bytes.subarray(bytes.length - 5)))
  const past = await h.request(cust, { method: 'GET', url, headers: { range: `bytes=${bytes.length}-` } })
  t.equal(past.statusCode, 416)
  t.equal(past.headers['content-range'], `bytes */${bytes.length}`)
  t.equal(past.json().code, 'range-not-satisfiable')
  const stale = await h.request(cust, { method: 'GET', url, headers: { range: 'bytes=0-9', 'if-range': '"other"' } })
  t.equal(stale.statusCode, 200, 'If-Range with another tag: the whole content')
  const several = await h.request(cust, { method: 'GET', url, headers: { range: 'bytes=0-1,5-6' } })
  t.equal(several.statusCode, 200, 'several ranges: the whole content')
})

t.test('uploads not attached within 24 h are deleted (moved clock)', async (t) => {
  h.clock.set('2026-03-12T09:00:00-07:00')
  await purgeExpiredUploads(h.ctx, h.clock.now()) // older leftovers of this file
  const kept = await uploadOk(h, cust, 'kept.txt', Buffer.from(`kept ${randomBytes(4).toString('hex')}\n`))
  const tk = await openTicket(h, cust, { attachmentIds: [kept.id] })
  const lost = await uploadOk(h, cust, 'lost.txt', Buffer.from(`lost ${randomBytes(4).toString('hex')}\n`))
  const before = await storeCounts(h)
  h.clock.advance(24 * 3_600_000 - 1)
  t.equal(await purgeExpiredUploads(h.ctx, h.clock.now()), 0, 'not yet')
  h.clock.advance(2)
  const late = await h.request(cust, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, payload: { body: 'late', attachmentIds: [lost.id] } })
  t.equal(late.statusCode, 422, 'an expired upload cannot be attached')
  t.equal(await purgeExpiredUploads(h.ctx, h.clock.now()), 1)
  t.equal((await h.request(cust, { method: 'GET', url: `/v1/attachments/${lost.id}` })).statusCode, 404)
  t.equal((await h.request(cust, { method: 'GET', url: `/v1/attachments/${kept.id}/content` })).statusCode, 200, 'attached files stay')
  const after = await storeCounts(h)
  t.same({ chunks: before.chunks - after.chunks, blobs: before.blobs - after.blobs, attachments: before.attachments - after.attachments }, { chunks: 1, blobs: 1, attachments: 1 })
  t.equal(await purgeExpiredUploads(h.ctx, h.clock.now()), 0, 'idempotent')
})
