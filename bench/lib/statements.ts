/**
 * Where a scenario's database time goes, statement by statement (issue 15): when the server preloads
 * pg_stat_statements (`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'` and a restart; docs/performance.md),
 * every measurement also records the statements run in the benchmark database while it lasted — calls and execution
 * time per completed request — so the service and ceiling I can be compared statement by statement. Without it
 * nothing is recorded and the run is otherwise the same.
 */
import postgres from 'postgres'

export interface StatementCost {
  /** the normalized statement text (pg_stat_statements), whitespace collapsed, cut to 160 characters */
  query: string
  callsPerRequest: number
  /** execution time per completed request, µs (the statement's whole time in the server, not planning) */
  execUsPerRequest: number
}

type Snapshot = Map<string, { query: string; calls: number; totalMs: number }>

export class StatementStats {
  private constructor (private readonly sql: postgres.Sql) {}

  /** null when the server does not preload pg_stat_statements */
  static async open (url: string): Promise<StatementStats | null> {
    const sql = postgres(url, { max: 1, onnotice: () => {} })
    try {
      const [row] = await sql<Array<{ libs: string }>>`SELECT current_setting('shared_preload_libraries') AS libs`
      if (row === undefined || !row.libs.split(',').map((s) => s.trim()).includes('pg_stat_statements')) {
        await sql.end({ timeout: 5 })
        return null
      }
      await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`
      return new StatementStats(sql)
    } catch {
      await sql.end({ timeout: 5 })
      return null
    }
  }

  async snapshot (): Promise<Snapshot> {
    const rows = await this.sql<Array<{ id: string; query: string; calls: string; total: number }>>`
      SELECT queryid::text || ':' || userid::text AS id, query, calls::text AS calls, total_exec_time AS total
      FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`
    return new Map(rows.map((r) => [r.id, { query: r.query, calls: Number(r.calls), totalMs: r.total }]))
  }

  /** the statements that ran between two snapshots, most expensive first (top `limit`), per completed request */
  static between (before: Snapshot, after: Snapshot, requests: number, limit = 10): StatementCost[] {
    if (requests <= 0) return []
    const out: Array<StatementCost & { totalMs: number }> = []
    for (const [id, a] of after) {
      const b = before.get(id)
      const calls = a.calls - (b?.calls ?? 0)
      const totalMs = a.totalMs - (b?.totalMs ?? 0)
      if (calls <= 0) continue
      out.push({ query: a.query.replace(/\s+/g, ' ').trim().slice(0, 160), callsPerRequest: calls / requests, execUsPerRequest: totalMs * 1000 / requests, totalMs })
    }
    return out.sort((x, y) => y.totalMs - x.totalMs).slice(0, limit).map(({ totalMs: _t, ...s }) => s)
  }

  async close (): Promise<void> {
    await this.sql.end({ timeout: 5 })
  }
}
