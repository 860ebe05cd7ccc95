/** the part of autocannon's API the harness uses (the package ships no types) */
declare module 'autocannon' {
  interface Histogram { average: number; mean: number; stddev: number; min: number; max: number; p50: number; p90: number; p97_5: number; p99: number; p99_9?: number; total?: number; sent?: number }
  interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
    setupRequest?: (req: Request, context: Record<string, unknown>) => Request | null | undefined
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string | string[]>) => void
  }
  interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    pipelining?: number
    timeout?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    requests?: Request[]
    expectBody?: string
  }
  interface Result {
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    errors: number
    timeouts: number
    mismatches: number
    non2xx: number
    resets: number
    duration: number
    start: Date
    finish: Date
    '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number
    statusCodeStats: Record<string, { count: number }>
  }
  interface Instance {
    on(event: 'tick', cb: (counter: { counter: number; bytes: number }) => void): Instance
    on(event: 'response', cb: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): Instance
    on(event: 'done', cb: (result: Result) => void): Instance
    on(event: 'reqError', cb: (err: Error) => void): Instance
    stop(): void
  }
  function autocannon(opts: Options, cb?: (err: Error | null, result: Result) => void): Instance
  export default autocannon
  export type { Options, Result, Request, Instance, Histogram }
}
