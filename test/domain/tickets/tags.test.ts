import t from 'tap'
import fc from 'fast-check'
import { DomainError } from '../../../src/domain/errors.js'
import { isValidTag, MAX_TAGS, sameTags, validateTags } from '../../../src/domain/tickets/tags.js'

t.test('a tag is 1–50 lower-case characters of a-z 0-9 . _ - starting with a letter or digit', async (t) => {
  for (const ok of ['a', 'dmarc', 'p1', 'sso.saml', 'smtp_550', 'x-y', '9', 'a'.repeat(50)]) t.ok(isValidTag(ok), ok)
  for (const bad of ['', 'A', 'Dmarc', '-x', '.x', '_x', 'a b', 'é', 'a'.repeat(51), 'a,b', 'a{b']) t.notOk(isValidTag(bad), JSON.stringify(bad))
  fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => isValidTag(s) === (s.length >= 1 && s.length <= 50 && /^[a-z0-9][a-z0-9._-]*$/.test(s))))
  // never a character that would need quoting in a text[] literal
  fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => !isValidTag(s) || !/[{},"\\\s]/.test(s)))
})

t.test('a list: at most 20, no duplicates, order kept; errors name the element', async (t) => {
  t.same(validateTags(['b', 'a']), ['b', 'a'])
  t.same(validateTags([]), [])
  t.throws(() => validateTags(Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`)), DomainError)
  try { validateTags(['ok', 'ok', 'Bad']); t.fail('should throw') } catch (e) {
    t.equal((e as DomainError).code, 'validation-failed')
    t.same((e as DomainError).extras.errors, [{ path: '/tags/1', message: 'duplicate tag ok' }, { path: '/tags/2', message: "must be 1–50 lower-case characters a-z, 0-9, '.', '_' or '-', starting with a letter or digit" }])
  }
  t.ok(sameTags(['a', 'b'], ['a', 'b']))
  t.notOk(sameTags(['a', 'b'], ['b', 'a']), 'order matters')
})
