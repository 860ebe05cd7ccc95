import t from 'tap'
import fc from 'fast-check'
import { Webhook } from 'standardwebhooks'
import { checkUrl, refusedRange } from '../../src/domain/webhooks/address.js'
import { receives } from '../../src/domain/webhooks/endpoint.js'
import { classifyStatus, failingTooLong, MAX_ATTEMPTS, nextAttemptAt, RETRY_DELAYS_MS } from '../../src/domain/webhooks/schedule.js'
import { activeSecrets, generateSecret, signatureHeader } from '../../src/domain/webhooks/signing.js'

t.test('signatures verify with the standardwebhooks reference library', async (t) => {
  fc.assert(fc.property(fc.json({ maxDepth: 3 }), fc.stringMatching(/^msg_[a-z0-9_]{1,40}$/), (body, id) => {
    const secret = generateSecret()
    const ts = Math.floor(Date.now() / 1000)
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([secret], id, ts, body) }
    new Webhook(secret).verify(body, headers)
    // and the reference library's own signature is ours
    t.equal(new Webhook(secret).sign(id, new Date(ts * 1000), body), headers['webhook-signature'])
    return true
  }), { numRuns: 50 })
  const [a, b] = [generateSecret(), generateSecret()]
  const ts = Math.floor(Date.now() / 1000)
  const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader([a, b], 'msg_1', ts, '{}') }
  t.doesNotThrow(() => new Webhook(a).verify('{}', headers), 'rotation: the old secret verifies')
  t.doesNotThrow(() => new Webhook(b).verify('{}', headers), 'rotation: the new secret verifies')
  t.throws(() => new Webhook(generateSecret()).verify('{}', headers), 'another secret does not')
  t.throws(() => new Webhook(a).verify('{"x":1}', headers), 'a changed body does not')
})

t.test('active secrets: the previous one only until its overlap ends', async (t) => {
  const now = new Date('2026-11-26T12:00:00.000Z')
  t.same(activeSecrets({ secret: 'n', previousSecret: 'o', previousSecretExpiresAt: new Date(now.getTime() + 1) }, now), ['n', 'o'])
  t.same(activeSecrets({ secret: 'n', previousSecret: 'o', previousSecretExpiresAt: now }, now), ['n'])
  t.same(activeSecrets({ secret: 'n', previousSecret: null, previousSecretExpiresAt: null }, now), ['n'])
})

t.test('retry schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h with ±10 % jitter, then failed', async (t) => {
  const at = new Date('2026-11-26T12:00:00.000Z')
  t.equal(MAX_ATTEMPTS, 8)
  t.same(RETRY_DELAYS_MS.map((_, i) => (nextAttemptAt(i + 1, at, 0.5) as Date).getTime() - at.getTime()), [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000])
  t.equal(nextAttemptAt(8, at, 0.5), null, 'after the 8th attempt: failed')
  fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
    const delay = (nextAttemptAt(n, at, r) as Date).getTime() - at.getTime()
    const base = RETRY_DELAYS_MS[n - 1] as number
    return delay >= base * 0.9 - 1 && delay <= base * 1.1 + 1
  }))
  t.same([200, 204, 299, 300, 404, 410, 500, null].map(classifyStatus), ['success', 'success', 'success', 'failure', 'failure', 'gone', 'failure', 'failure'])
  t.equal(failingTooLong(new Date(at.getTime() - 5 * 86_400_000), at), true)
  t.equal(failingTooLong(new Date(at.getTime() - 5 * 86_400_000 + 1), at), false)
  t.equal(failingTooLong(null, at), false)
})

t.test('address ranges: only public unicast addresses pass', async (t) => {
  for (const a of ['127.0.0.1', '10.0.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '255.255.255.255', '224.0.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', '::ffff:10.0.0.1', '64:ff9b::7f00:1', '2002:7f00:1::']) {
    t.not(refusedRange(a), null, a)
  }
  for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) t.equal(refusedRange(a), null, a)
  t.equal(checkUrl('https://hooks.example.com/x', []).ok, true)
  t.equal(checkUrl('http://hooks.example.com/x', []).ok, false)
  t.equal(checkUrl('http://127.0.0.1:9000/x', ['127.0.0.1:9000']).ok, true, 'allow-listed host:port')
  t.equal(checkUrl('http://127.0.0.1:9001/x', ['127.0.0.1:9000']).ok, false)
})

t.test('who receives what', async (t) => {
  const ev = (o: Partial<{ type: string; organizationId: string | null; visibility: 'public' | 'internal' }>) => ({ type: 'ticket.created', organizationId: 'a', visibility: 'public' as const, ...o })
  const orgA = { organizationId: 'a', eventTypes: null, enabled: true }
  const global = { organizationId: null, eventTypes: null, enabled: true }
  t.equal(receives(orgA, ev({})), true)
  t.equal(receives(orgA, ev({ organizationId: 'b' })), false, 'another organization')
  t.equal(receives(orgA, ev({ organizationId: null })), false, 'a global event')
  t.equal(receives(orgA, ev({ visibility: 'internal' })), false, 'internal comments never go to an organization endpoint')
  t.equal(receives(global, ev({ visibility: 'internal', organizationId: 'b' })), true)
  t.equal(receives({ ...global, eventTypes: ['ticket.updated'] }, ev({})), false)
  t.equal(receives({ ...global, enabled: false }, ev({})), false)
  t.equal(receives(global, ev({ type: 'webhook.test' })), false, 'test events only go where they were asked for')
})
