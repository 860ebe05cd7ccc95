/**
 * The load generator: a separate process (forked by bench/main.ts, IPC) that drives autocannon against 127.0.0.1.
 * Messages in:  { type: 'fixture', name, fixture }                       keep a fixture for later runs
 *               { type: 'run', id, target, scenario?, fixture?, state?, seconds, connections }
 *               { type: 'probe', id, target, scenario, fixture, state? }  a few requests through fetch, bodies returned
 * Messages out: { type: 'result', id, result } | { type: 'probe', id, samples } | { type: 'error', id, message }
 */
import autocannon, { type Request, type Result } from 'autocannon'
import { buildRequests, type Fixture, type RunState, type ScenarioName } from './scenarios.js'

export interface RunMessage {
  type: 'run'
  id: number
  /** base URL, e.g. http://127.0.0.1:3100 */
  target: string
  /** a service scenario, or undefined for a plain GET of `target` (ceiling A) */
  scenario?: ScenarioName
  fixture?: string
  state?: RunState
  seconds: number
  connections: number
}

export interface ProbeMessage { type: 'probe'; id: number; target: string; scenario: ScenarioName; fixture: string; state?: RunState; count?: number }

export interface LoadResult {
  /** completed requests per second over the whole run */
  rps: number
  total: number
  seconds: number
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number }
  errors: number
  timeouts: number
  non2xx: number
  statusCodes: Record<string, number>
  /** completed requests in each second */
  perSecond: number[]
  /** tickets that left the version pool after a non-2xx answer (writing scenarios) */
  poolLost?: number
}

const fixtures = new Map<string, Fixture>()

function fixtureOf (name: string | undefined): Fixture {
  const f = name === undefined ? undefined : fixtures.get(name)
  if (f === undefined) throw new Error(`unknown fixture ${String(name)}`)
  return f
}

function runLoad (msg: RunMessage): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let requests: Request[] | undefined
    let pool: { lost: number } | undefined
    if (msg.scenario !== undefined) {
      const built = buildRequests(msg.scenario, fixtureOf(msg.fixture), msg.state)
      requests = built.requests
      pool = built.pool
    }
    const perSecond: number[] = []
    const instance = autocannon({
      url: msg.target,
      connections: msg.connections,
      duration: msg.seconds,
      timeout: 10,
      ...(requests === undefined ? {} : { requests })
    }, (err: Error | null, result: Result) => {
      if (err !== null) { reject(err); return }
      const seconds = result.duration
      const statusCodes: Record<string, number> = {}
      for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = v.count
      resolve({
        rps: result.requests.total! / seconds,
        total: result.requests.total!,
        seconds,
        latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, mean: result.latency.mean, max: result.latency.max },
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        statusCodes,
        perSecond: perSecond.slice(0, Math.round(msg.seconds)),
        ...(pool === undefined ? {} : { poolLost: pool.lost })
      })
    })
    instance.on('tick', ({ counter }) => { perSecond.push(counter) })
  })
}

/** sends `count` requests built by the scenario through fetch, one after the other; returns statuses and bodies */
async function probe (msg: ProbeMessage): Promise<Array<{ status: number; body: string }>> {
  const { requests } = buildRequests(msg.scenario, fixtureOf(msg.fixture), msg.state)
  const template = requests[0]!
  const samples: Array<{ status: number; body: string }> = []
  const context: Record<string, unknown> = {}
  for (let i = 0; i < (msg.count ?? 3); i++) {
    const req = template.setupRequest!({ ...template }, context)!
    const res = await fetch(msg.target + req.path!, {
      method: req.method,
      headers: req.headers,
      ...(req.body === undefined ? {} : { body: req.body })
    })
    const body = await res.text()
    const headers: Record<string, string> = {}
    res.headers.forEach((v, k) => { headers[k] = v })
    template.onResponse?.(res.status, body, context, headers)
    samples.push({ status: res.status, body: body.slice(0, 2000) })
  }
  return samples
}

process.on('message', (raw: unknown) => {
  const msg = raw as { type: string; id?: number; name?: string; fixture?: Fixture }
  const reply = (m: unknown): void => { process.send!(m) }
  if (msg.type === 'fixture') {
    fixtures.set(msg.name!, msg.fixture!)
    reply({ type: 'fixture', name: msg.name })
    return
  }
  if (msg.type === 'run') {
    runLoad(raw as RunMessage).then(
      (result) => reply({ type: 'result', id: msg.id, result }),
      (err: unknown) => reply({ type: 'error', id: msg.id, message: String((err as Error).stack ?? err) }))
    return
  }
  if (msg.type === 'probe') {
    probe(raw as ProbeMessage).then(
      (samples) => reply({ type: 'probe', id: msg.id, samples }),
      (err: unknown) => reply({ type: 'error', id: msg.id, message: String((err as Error).stack ?? err) }))
    return
  }
  if (msg.type === 'exit') process.exit(0)
})
process.on('disconnect', () => process.exit(0))
