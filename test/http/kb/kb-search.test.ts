import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildTestApp, TestClock } from '../../helpers/app.js'

const h = await buildTestApp(t, { clock: new TestClock(new Date('2026-03-09T16:00:00.000Z')) })
const agent = await h.agentToken('agent-kb')
const premierOrg = await h.createOrg('premier')
const basicOrg = await h.createOrg('basic')
const premier = await h.customerToken(premierOrg.id)
const basic = await h.customerToken(basicOrg.id)

/** a small help centre about email authentication and DNS */
const CORPUS: Record<string, { title: string; summary: string; tags: string[]; body: string; status?: string; audiencePlans?: string[] }> = {
  dkim: {
    title: 'Set up DKIM signing for your domain',
    summary: 'Publish the DKIM public key as a TXT record under a selector so receivers can verify signatures.',
    tags: ['dkim', 'email-authentication'],
    body: 'DomainKeys Identified Mail adds a cryptographic signature to every message. Generate a key pair, publish the public key at `selector._domainkey.example.com` as a TXT record, then enable signing. Receivers look up the selector named in the DKIM-Signature header and verify the signature against the key.'
  },
  dkimRotate: {
    title: 'Rotate DKIM keys without failing mail',
    summary: 'Publish a second selector, switch signing, then retire the old key.',
    tags: ['dkim', 'key-rotation'],
    body: 'Rotating keys every six months limits the damage of a leaked key. Publish the new public key under a new selector, wait for DNS caches to expire, switch the signer to the new selector, and remove the old record after a week.'
  },
  spf: {
    title: 'Write an SPF record that authorises your senders',
    summary: 'List every service that sends mail for your domain in one TXT record starting with v=spf1.',
    tags: ['spf', 'email-authentication'],
    body: 'Sender Policy Framework lets a receiving server check that the connecting IP address is allowed to send for the envelope sender domain. Publish exactly one TXT record beginning with `v=spf1`, add an `include:` for each provider, and end with `~all` or `-all`. More than ten DNS lookups makes the record fail with a permerror.'
  },
  spfLookups: {
    title: 'Fix SPF permerror: too many DNS lookups',
    summary: 'Flatten includes to stay under the ten-lookup limit.',
    tags: ['spf', 'troubleshooting'],
    body: 'Each include, a, mx and redirect mechanism costs a DNS lookup. When the total passes ten, receivers return permerror and treat the result like a failure. Remove unused includes or replace them with the ip4 ranges they resolve to.'
  },
  dmarcPolicy: {
    title: 'Choose a DMARC policy: none, quarantine or reject',
    summary: 'Move from p=none monitoring to p=quarantine and p=reject as alignment improves.',
    tags: ['dmarc', 'policy'],
    body: 'A DMARC record at `_dmarc.example.com` tells receivers what to do with mail that fails both SPF and DKIM alignment. Start with `p=none` and aggregate reports (`rua=`), fix the senders the reports reveal, then raise the policy to `p=quarantine` with `pct=25`, and finally `p=reject`.'
  },
  dmarcReports: {
    title: 'Read DMARC aggregate reports',
    summary: 'Understand the XML rua reports receivers send every day.',
    tags: ['dmarc', 'reporting'],
    body: 'Aggregate reports list, per source IP, how many messages passed or failed SPF and DKIM and how they aligned with the From domain. Use them to find legitimate senders you have not authorised yet.'
  },
  delegation: {
    title: 'Delegate a subdomain to another DNS provider',
    summary: 'Add NS records for the subdomain in the parent zone so another provider answers for it.',
    tags: ['dns', 'delegation'],
    body: 'To delegate `mail.example.com`, create the zone at the new provider, then add NS records for `mail` in the parent zone `example.com` pointing at the provider\'s name servers. Glue records are only needed when the name servers live inside the delegated subdomain. Check the delegation with `dig NS mail.example.com +trace`.'
  },
  premierRunbook: {
    title: 'Premier runbook: emergency DNS delegation rollback',
    summary: 'Roll a broken delegation back with the on-call engineer.',
    tags: ['dns', 'delegation', 'runbook'],
    body: 'Call the Premier hotline, then restore the previous NS records for the delegated zone.',
    audiencePlans: ['premier']
  },
  draftSpf: {
    title: 'Draft: SPF macros deep dive',
    summary: 'Not ready.',
    tags: ['spf'],
    body: 'SPF macros expand sender details at lookup time.',
    status: 'draft'
  }
}

const ids: Record<string, string> = {}
for (const [key, a] of Object.entries(CORPUS)) {
  const res = await h.request(agent, {
    method: 'POST',
    url: '/v1/kb/articles',
    payload: { title: a.title, summary: a.summary, tags: a.tags, bodyMarkdown: a.body, status: a.status ?? 'published', ...(a.audiencePlans === undefined ? {} : { audiencePlans: a.audiencePlans }) }
  })
  if (res.statusCode !== 201) throw new Error(res.body)
  ids[res.json().id] = key
}

const search = async (q: string, token: string | null = null) => {
  const res = await h.request(token, { method: 'GET', url: `/v1/kb/search?q=${encodeURIComponent(q)}` })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json().items as Array<Record<string, any>>
}

t.test('ranking: the expected article comes first', async (t) => {
  const EXPECTED: Array<[string, string]> = [
    ['dkim', 'dkim'],
    ['DKIM selector TXT record', 'dkim'],
    ['rotate dkim key', 'dkimRotate'],
    ['spf record', 'spf'],
    ['SPF too many lookups permerror', 'spfLookups'],
    ['dmarc policy reject', 'dmarcPolicy'],
    ['"p=quarantine"', 'dmarcPolicy'],
    ['dmarc aggregate reports', 'dmarcReports'],
    ['delegate subdomain', 'delegation'],
    ['NS records parent zone', 'delegation'],
    ['dns delegation -runbook', 'delegation'],
    ['alignment policy', 'dmarcPolicy'],
    ['spf or dmarc reports', 'dmarcReports']
  ]
  for (const [q, expected] of EXPECTED) {
    const hits = await search(q)
    t.equal(ids[hits[0]?.id], expected, `"${q}" → ${hits.map((h) => ids[h.id]).join(', ')}`)
  }
})

t.test('search is filtered by what the caller may see', async (t) => {
  const anon = (await search('delegation rollback')).map((h) => ids[h.id])
  t.notOk(anon.includes('premierRunbook'), 'anonymous: no Premier runbook')
  t.notOk((await search('delegation rollback', basic)).map((h) => ids[h.id]).includes('premierRunbook'), 'basic: no Premier runbook')
  t.equal(ids[(await search('delegation rollback', premier))[0]?.id], 'premierRunbook', 'premier customer finds it first')
  t.notOk((await search('macros')).length, 'drafts are never public')
  t.equal(ids[(await search('macros', agent))[0]?.id], 'draftSpf', 'staff search drafts too')
  t.same(await search('the'), [], 'a query of stop words finds nothing')
})

t.test('snippets highlight matches and are safe HTML', async (t) => {
  const [hit] = await search('glue records')
  t.equal(ids[hit?.id], 'delegation')
  t.match(hit?.snippetHtml, /<mark>Glue<\/mark> <mark>records<\/mark>/)
  t.notMatch(hit?.snippetHtml.replace(/<\/?mark>/g, ''), /</, 'no other markup')
  t.ok(typeof hit?.rank === 'number' && hit.rank > 0)
})

t.test('suggestions for a ticket being written', async (t) => {
  const suggest = async (payload: Record<string, unknown>, token: string | null = null) => {
    const res = await h.request(token, { method: 'POST', url: '/v1/kb/suggestions', payload })
    t.equal(res.statusCode, 200, res.body)
    return res.json().items.map((i: any) => ids[i.id]) as string[]
  }
  const dkimFails = await suggest({ subject: 'Our DKIM signatures fail after switching providers' })
  t.same(dkimFails.slice(0, 2).sort(), ['dkim', 'dkimRotate'], `both DKIM articles first: ${dkimFails.join(', ')}`)
  t.equal((await suggest({ subject: 'How do we set up DKIM signing for our domain?' }))[0], 'dkim')
  const ns = await suggest({ subject: 'NS records for a subdomain at another provider' })
  t.equal(ns[0], 'delegation', ns.join(', '))
  t.equal((await suggest({ subject: 'Mail rejected', description: 'Receivers say SPF permerror, too many DNS lookups in our record.' }))[0], 'spfLookups')
  t.equal((await suggest({ subject: 'How do I move from p=none to reject in DMARC?' }, basic))[0], 'dmarcPolicy')
  const many = await suggest({ subject: 'dns spf dkim dmarc delegation', limit: 3 })
  t.equal(many.length, 3)
  t.notOk((await suggest({ subject: 'roll back delegation runbook' }, agent)).includes('premierRunbook'), 'suggestions are what a customer of any plan sees')
  t.same(await suggest({ subject: 'zzzz qqqq' }), [])
})

t.test('the search is served by the GIN index', async (t) => {
  const plan = await h.database.db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`)
    return await h.database.rows<Record<string, string>>(sql`explain select id from kb_articles where search_vector @@ websearch_to_tsquery('english', 'dkim selector')`, tx)
  })
  const text = plan.map((r) => Object.values(r).join(' ')).join('\n')
  t.match(text, 'kb_articles_search_idx', text)
})

t.test('odd queries never fail (web-search syntax and free text)', async (t) => {
  const odd = ["'", "''", '"', '"unclosed phrase', '-', 'or', 'or or', '!', '&', '|', ':*', 'a & b | !c', "dkim'; drop table kb_articles; --", '\\', '()', '<script>', '🙂 dkim', 'ß', 'x'.repeat(500), 'p=reject -', '-dkim']
  for (const q of odd) {
    const res = await h.request(null, { method: 'GET', url: `/v1/kb/search?q=${encodeURIComponent(q)}` })
    t.equal(res.statusCode, 200, `search ${JSON.stringify(q)}: ${res.body.slice(0, 200)}`)
    const sug = await h.request(null, { method: 'POST', url: '/v1/kb/suggestions', payload: { subject: q.slice(0, 200), description: q } })
    t.equal(sug.statusCode, 200, `suggest ${JSON.stringify(q)}: ${sug.body.slice(0, 200)}`)
  }
  t.equal(ids[(await search('-dkim spf record'))[0]?.id], 'spf', 'exclusion works')
})
