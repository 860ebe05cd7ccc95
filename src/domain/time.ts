/** RFC 3339 text of an optional instant (API shapes, event payloads and SQL parameters all use it) */
export const isoOrNull = (d: Date | null): string | null => d === null ? null : d.toISOString()
