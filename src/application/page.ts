/** One page of a keyset-paginated list: the items and whether more follow. */
export interface Page<T> {
  items: T[]
  hasMore: boolean
}

/** the page of a query that fetched `limit + 1` rows: the first `limit`, and whether the extra row was there */
export const pageOf = <T>(rows: T[], limit: number): Page<T> => ({ items: rows.slice(0, limit), hasMore: rows.length > limit })
