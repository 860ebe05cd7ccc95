/** The Markdown report of a benchmark run (printed on stdout; the same figures are in bench/results/latest.json). */
import type { Spread } from './lib/common.js'
import type { BenchReport } from './main.js'

const int = (x: number): string => Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a'
const pct = (x: number): string => Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a'
const ms = (x: number): string => Number.isFinite(x) ? `${x}` : 'n/a'

/** median, with (min–max) when there was more than one measurement */
const spreadOf = (s: Spread, f: (x: number) => string): string =>
  s.values.length > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median)

const TARGETS: Record<string, string> = {
  'get-by-id': '≥ 35% B, ≥ 20% A, p99 < 30 ms; ≥ 90% I',
  'list-first-page': '≥ 10% B; ≥ 75% I',
  'list-deep-cursor': '≥ 7% B; ≤ 1.2× latency at 10k',
  'create-ticket': '≥ 18% B; ≥ 60% I',
  'patch-ticket': '≥ 18% B; ≥ 60% I',
  'add-comment': '≥ 60% I',
  'upsert-batch': '≥ 5× upsert-single tickets/s'
}

export function renderReport (r: BenchReport): string {
  const lines: string[] = []
  const m = r.machine
  lines.push(`## Benchmark ${r.quick ? '(QUICK) ' : ''}— ${r.generatedAt}`)
  lines.push('')
  lines.push(`Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, ${m.os}; Node ${m.node}; PostgreSQL ${m.postgres}. ` +
    `Data: ${int(Number(r.seed.main.counts.tickets))} tickets, ${int(Number(r.seed.main.counts.comments))} comments, ${int(Number(r.seed.main.counts.events))} events, ` +
    `${int(Number(r.seed.main.counts.organizations))} organizations${r.seed.main.reused ? ' (seeded earlier, reused)' : ` (seeded in ${r.seed.main.seconds.toFixed(0)} s)`}. ` +
    `Load: autocannon, ${String(r.config.connections)} connections, ${String(r.config.secondsPerMeasurement)} s per measurement, ${String(r.config.reps)} repetition(s), ` +
    'ceilings measured before and after every repetition; ratios are per repetition against the mean of the ceilings around it (median and range).')
  lines.push('')
  const c = r.ceilingSummary
  lines.push('| ceiling | median | range |')
  lines.push('|---|---:|---:|')
  lines.push(`| A: bare Fastify 5, constant JSON with response schema (req/s) | ${int(c.a.median)} | ${int(c.a.min)}–${int(c.a.max)} |`)
  lines.push(`| B: pgbench -S -M prepared -c 10 -j 2, scale 10 (tps) | ${int(c.b.median)} | ${int(c.b.min)}–${int(c.b.max)} |`)
  lines.push(`| B': same select via postgres.js, prepared, 50 in flight / 10 connections (q/s) | ${int(c.bPrime.median)} | ${int(c.bPrime.min)}–${int(c.bPrime.max)} |`)
  lines.push(`| W (context for writes): pgbench -N simple-update -c 50 -j 2 (tps) | ${int(c.w.median)} | ${int(c.w.min)}–${int(c.w.max)} |`)
  lines.push('')
  lines.push('| scenario | req/s | ÷ I | ÷ B | ÷ A | ÷ B\' | ÷ W | p50 ms | p99 ms | CPU µs/req | DB CPU µs/req | cost ÷ I | writes/req | errors / non-2xx | target |')
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
  // what the ratio to I tends to on a machine where the service and the database share the cores: I's CPU (service +
  // database) per request over ours; unlike req/s it barely moves with other load on the machine (steal time)
  const costRatioI = (name: string): string => {
    const s = r.scenarios[name]
    const i = r.scenarios[`${name}@I`]
    if (s?.dbCpuUsPerRequest === undefined || i?.dbCpuUsPerRequest === undefined) return '—'
    return pct((i.cpuUsPerRequest.median + i.dbCpuUsPerRequest.median) / (s.cpuUsPerRequest.median + s.dbCpuUsPerRequest.median))
  }
  for (const [name, s] of Object.entries(r.scenarios)) {
    const tickets = s.ticketsPerSecond === undefined || s.ticketsPerSecond.median === s.rps.median ? '' : ` (${int(s.ticketsPerSecond.median)} tickets/s)`
    lines.push(`| \`${name}\` ${s.description.replace(/\|/g, '\\|')} | ${spreadOf(s.rps, int)}${tickets} | ${s.ratioI === undefined ? '—' : spreadOf(s.ratioI, pct)} | ${spreadOf(s.ratioB, pct)} | ${spreadOf(s.ratioA, pct)} | ${pct(s.ratioBPrime.median)} | ${pct(s.ratioW.median)} | ` +
      `${ms(s.p50Ms.median)} | ${spreadOf(s.p99Ms, ms)} | ${int(s.cpuUsPerRequest.median)} | ${s.dbCpuUsPerRequest === undefined ? '—' : int(s.dbCpuUsPerRequest.median)} | ${costRatioI(name)} | ${s.writesPerRequest === undefined ? '—' : s.writesPerRequest.median.toFixed(1)} | ${s.errors + s.timeouts} / ${s.non2xx} | ${TARGETS[name] ?? '—'} |`)
  }
  lines.push('')
  if (r.stability !== undefined) {
    const st = r.stability
    lines.push(`Stability: GET /v1/tickets/{id} for ${st.seconds} s — first 5 s ${int(st.first5)} requests, last 5 s ${int(st.last5)}: ${pct(st.ratio)} ` +
      `(per second: ${st.perSecond.join(', ')}); p99 ${st.p99Ms} ms; errors ${st.errors}, non-2xx ${st.non2xx}; ` +
      `service CPU per request ${st.cpuUsPerRequestFirst5} µs in the first 5 s, ${st.cpuUsPerRequestLast5} µs in the last 5 s.`)
  }
  if (r.deepCursorLatency !== undefined) {
    const d = r.deepCursorLatency
    lines.push(`Deep cursor at 1M vs 10k tickets: p50 ${d.p50At1M} ms vs ${d.p50At10k} ms (${d.ratio.toFixed(2)}×); mean ${d.meanAt1M.toFixed(2)} ms vs ${d.meanAt10k.toFixed(2)} ms (${d.meanRatio.toFixed(2)}×).`)
  }
  statementTables(r, lines)
  lines.push(`Service RSS: peak ${r.rss.peakMb} MB (VmHWM), ${r.rss.afterMb} MB at the end. Bare Fastify CPU: ${int(c.aCpuUsPerRequest.median)} µs/req.`)
  lines.push('')
  lines.push('| target | wanted | measured | |')
  lines.push('|---|---|---|---|')
  for (const t of r.targets) lines.push(`| ${t.what} | ${t.target} | ${t.measured} | ${t.pass === null ? '—' : t.pass ? 'pass' : '**miss**'} |`)
  lines.push('')
  return lines.join('\n')
}

/**
 * With pg_stat_statements: for each scenario measured against I, the database's execution time per request by
 * statement, the service's and I's side by side (last repetition of each; bench/lib/statements.ts)
 */
function statementTables (r: BenchReport, lines: string[]): void {
  const last = (label: string) => r.runs.filter((x) => x.scenario === label && x.rep > 0).at(-1)
  for (const name of Object.keys(r.scenarios)) {
    if (name.endsWith('@I')) continue
    const svc = last(name)?.statements
    const ideal = last(`${name}@I`)?.statements
    if (svc === undefined || ideal === undefined) continue
    const sum = (xs: typeof svc): number => xs.reduce((a, x) => a + x.execUsPerRequest, 0)
    lines.push(`Database execution time per request by statement, \`${name}\` (pg_stat_statements, last repetition; service ${int(sum(svc))} µs, I ${int(sum(ideal))} µs over the statements listed):`)
    lines.push('')
    lines.push('| server | µs/req | calls/req | statement |')
    lines.push('|---|---:|---:|---|')
    for (const [who, xs] of [['service', svc], ['I', ideal]] as const) {
      for (const q of xs.filter((x) => x.execUsPerRequest >= 1)) lines.push(`| ${who} | ${int(q.execUsPerRequest)} | ${q.callsPerRequest.toFixed(2)} | \`${q.query.replace(/\|/g, '\\|').replace(/`/g, "'").slice(0, 120)}\` |`)
    }
    lines.push('')
  }
}
