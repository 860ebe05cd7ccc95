import t from 'tap'
import fc from 'fast-check'
import { iso, isoOrNull } from '../../src/domain/time.js'

t.test('iso(d) is exactly d.toISOString() for every instant a Date can hold', async (t) => {
  fc.assert(fc.property(fc.date({ noInvalidDate: true }), (d) => iso(d) === d.toISOString()), { numRuns: 20_000 })
  // the fast path's range (1970 up to 10000) densely, where every stored timestamp lies
  fc.assert(fc.property(fc.integer({ min: 0, max: 253402300799999 }), (ms) => iso(new Date(ms)) === new Date(ms).toISOString()), { numRuns: 50_000 })
  t.pass('matches toISOString')
})

t.test('iso: edges of days, months, leap years and the fast path', async (t) => {
  for (const text of [
    '1970-01-01T00:00:00.000Z', '1999-12-31T23:59:59.999Z', '2000-02-29T12:00:00.001Z', '2024-02-29T23:59:59.999Z',
    '2100-03-01T00:00:00.000Z', '2026-11-26T09:28:16.657Z', '9999-12-31T23:59:59.999Z', '1969-12-31T23:59:59.999Z',
    '+010000-01-01T00:00:00.000Z'
  ]) t.equal(iso(new Date(text)), text)
  t.throws(() => iso(new Date(Number.NaN)), RangeError, 'an invalid date throws like toISOString')
  t.equal(isoOrNull(null), null)
  t.equal(isoOrNull(new Date(0)), '1970-01-01T00:00:00.000Z')
})
