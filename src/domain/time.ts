const PAD2 = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + String(i))
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'))
/** 10000-01-01T00:00:00Z: beyond it (and before 1970) the engine's own formatter is used */
const YEAR_10000 = 253402300800000
const DAY = 86400000

/**
 * RFC 3339 text of an instant, exactly `d.toISOString()` (a property test checks it), about 4× faster: V8 formats
 * ISO dates in its runtime, ~800 ns each here, and a list page of 50 tickets formats ~600 of them (issue 7).
 * Civil date from days since the epoch after H. Hinnant's `civil_from_days`.
 */
export function iso (d: Date): string {
  const t = d.getTime()
  if (!(t >= 0 && t < YEAR_10000)) return d.toISOString()
  let days = Math.floor(t / DAY)
  let rest = t - days * DAY
  const ms = rest % 1000
  rest = (rest - ms) / 1000
  const sec = rest % 60
  rest = (rest - sec) / 60
  const min = rest % 60
  const hour = (rest - min) / 60
  days += 719468
  const era = Math.floor(days / 146097)
  const dayOfEra = days - era * 146097
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365)
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100))
  const mp = Math.floor((5 * dayOfYear + 2) / 153)
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  return `${year}-${PAD2[month]}-${PAD2[day]}T${PAD2[hour]}:${PAD2[min]}:${PAD2[sec]}.${PAD3[ms]}Z`
}

/** RFC 3339 text of an optional instant (API shapes, event payloads and SQL parameters all use it) */
export const isoOrNull = (d: Date | null): string | null => d === null ? null : iso(d)
