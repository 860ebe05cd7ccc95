import t from 'tap'
import fc from 'fast-check'
import { canRead, changedFields, nextPublishedAt, normalizeTags, readerOf, slugify, SLUG_PATTERN, type ArticleContent, type Reader } from '../../../src/domain/kb/article.js'

const base: ArticleContent = { slug: 'a', title: 'A', summary: '', bodyMarkdown: '', categoryId: null, tags: [], status: 'published', audiencePlans: null }

t.test('who may read what', async (t) => {
  const readers: Array<[string, Reader]> = [
    ['anonymous', { kind: 'anonymous' }],
    ['customer without a current plan', { kind: 'customer', plan: null }],
    ['basic', { kind: 'customer', plan: 'basic' }],
    ['premier', { kind: 'customer', plan: 'premier' }],
    ['staff', { kind: 'staff' }]
  ]
  const articles: Array<[string, Pick<ArticleContent, 'status' | 'audiencePlans'>, boolean[]]> = [
    ['published, all plans', { status: 'published', audiencePlans: null }, [true, true, true, true, true]],
    ['published, premier only', { status: 'published', audiencePlans: ['premier'] }, [false, false, false, true, true]],
    ['published, basic + enhanced', { status: 'published', audiencePlans: ['basic', 'enhanced'] }, [false, false, true, false, true]],
    ['draft', { status: 'draft', audiencePlans: null }, [false, false, false, false, true]],
    ['archived', { status: 'archived', audiencePlans: null }, [false, false, false, false, true]]
  ]
  for (const [aName, a, expected] of articles) {
    readers.forEach(([rName, r], i) => { t.equal(canRead(r, a), expected[i], `${rName} / ${aName}`) })
  }
  t.same(readerOf(null, null), { kind: 'anonymous' })
  t.same(readerOf({ subject: 'x', roles: ['agent'], orgId: null }, null), { kind: 'staff' })
  t.same(readerOf({ subject: 'x', roles: ['customer'], orgId: 'o' }, 'enhanced'), { kind: 'customer', plan: 'enhanced' })
})

t.test('a non-published article is never readable by a non-staff reader (property)', async () => {
  const reader = fc.oneof(
    fc.constant<Reader>({ kind: 'anonymous' }),
    fc.constantFrom('basic', 'enhanced', 'premier', null).map((plan): Reader => ({ kind: 'customer', plan: plan as 'basic' | null }))
  )
  const audience = fc.option(fc.uniqueArray(fc.constantFrom('basic' as const, 'enhanced' as const, 'premier' as const), { minLength: 1 }), { nil: null })
  fc.assert(fc.property(reader, fc.constantFrom('draft' as const, 'archived' as const), audience, (r, status, audiencePlans) => !canRead(r, { status, audiencePlans })))
})

t.test('slugs', async (t) => {
  t.equal(slugify('Publish a DKIM Key!'), 'publish-a-dkim-key')
  t.equal(slugify('  Ünïcödé — DNS  delegation '), 'unicode-dns-delegation')
  t.equal(slugify('!!!'), 'article')
  const pattern = new RegExp(SLUG_PATTERN)
  fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => pattern.test(slugify(s)) && slugify(s).length <= 100))
})

t.test('changed fields, tags, publishedAt', async (t) => {
  t.same(changedFields(base, { ...base, title: 'B', tags: ['x'] }), ['title', 'tags'])
  t.same(changedFields(base, { ...base }), [])
  t.same(changedFields(base, { ...base, audiencePlans: ['premier'] }), ['audiencePlans'])
  t.same(normalizeTags([' DKIM', 'dkim', 'DNS ', '']), ['dkim', 'dns'])
  const now = new Date('2026-03-09T16:00:00.000Z')
  const earlier = new Date('2026-01-01T00:00:00.000Z')
  t.equal(nextPublishedAt(null, 'draft', now), null)
  t.same(nextPublishedAt(null, 'published', now), now)
  t.same(nextPublishedAt(earlier, 'published', now), earlier)
  t.same(nextPublishedAt(earlier, 'archived', now), earlier)
})
