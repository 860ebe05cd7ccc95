/** attachments: the per-organization quota, and the purge of expired uploads scheduled through the job engine */
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { buildTestApp, TestClock } from '../helpers/app.js'
import { storeCounts, upload, uploadOk } from './attachments-helpers.js'

const MiB = 1024 * 1024

t.test('quota per organization', async (t) => {
  const q = await buildTestApp(t, { env: { ATTACHMENT_MAX_BYTES: String(2 * MiB), ATTACHMENT_ORG_QUOTA_BYTES: String(3 * MiB) } })
  const o = await q.createOrg('basic')
  const c = await q.customerToken(o.id)
  const file = (): Buffer => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(MiB)])
  const one = await uploadOk(q, c, 'a.pdf', file())
  await uploadOk(q, c, 'b.pdf', file())
  const before = await storeCounts(q)
  const third = await upload(q, c, 'c.pdf', file())
  t.equal(third.statusCode, 422)
  t.match(third.json(), { code: 'attachment-quota-exceeded', quotaBytes: 3 * MiB, usedBytes: 2 * MiB + 18 })
  t.same(await storeCounts(q), before, 'nothing kept')
  // the same content again costs nothing
  const again = await q.request(c, { method: 'GET', url: `/v1/attachments/${one.id}/content` })
  t.equal((await upload(q, c, 'a-again.pdf', again.rawPayload)).statusCode, 201, 'a duplicate fits: it is stored once')
})

t.test('the purge is scheduled through the job engine: one job per upload, due when it expires', async (t) => {
  const j = await buildTestApp(t, { jobs: true, clock: new TestClock(new Date('2026-03-09T16:00:00.000Z')) })
  const o = await j.createOrg('basic')
  const c = await j.customerToken(o.id)
  const up = await uploadOk(j, c, 'pending.csv', Buffer.from(`a,b\n${randomBytes(4).toString('hex')},2\n`))
  j.clock.advance(24 * 3_600_000)
  await j.runDueJobs()
  t.equal((await j.request(c, { method: 'GET', url: `/v1/attachments/${up.id}` })).statusCode, 200, 'still there at its expiry instant')
  j.clock.advance(2000)
  t.ok(await j.runDueJobs() >= 1, 'the expiry job ran')
  t.equal((await j.request(c, { method: 'GET', url: `/v1/attachments/${up.id}` })).statusCode, 404, 'deleted by the job')
  t.same(await storeCounts(j), { chunks: 0, blobs: 0, attachments: 0 })
})

t.test('a truncated or malformed multipart body is a 400 problem, never a 500 (found by the contract fuzzer)', async (t) => {
  const h = await buildTestApp(t)
  const o = await h.createOrg('basic')
  const c = await h.customerToken(o.id)
  const boundary = 'fuzz-boundary'
  const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` }
  const bodies = [
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 truncated`,
    `--${boundary}\r\nthis is no part header\r\n\r\n`,
    'not multipart at all'
  ]
  for (const payload of bodies) {
    const res = await h.request(c, { method: 'POST', url: '/v1/uploads?filename=a.pdf', payload, headers })
    t.equal(res.statusCode, 400, res.body)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.equal(res.json().code, 'malformed-request')
  }
  t.same(await storeCounts(h), { chunks: 0, blobs: 0, attachments: 0 }, 'nothing stored')
})
