import t from 'tap'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import fc from 'fast-check'
import { populatedDesk, type PopulatedDesk } from '../helpers/populated.js'

/**
 * Contract fuzzing (issue 11): every operation of openapi/openapi.json (new routes are covered automatically) gets
 * generated requests — valid per its schemas and hostile (wrong types, huge and deep values, NUL, lone surrogates,
 * extreme numbers and dates, forged cursors, odd content types, alternative path spellings) — as admin, agent,
 * customer and without a token. Any 5xx, any error body that is not a problem, or any body with internal text fails.
 *
 * Two runs: the fixed seed, then a random one (printed; FUZZ_SEED=<n> reproduces a failure). FUZZ_RUNS sets the
 * requests per operation per seed (default 12: ~50 operations × 2 seeds × 12 ≈ 1,200 requests, ~1 min).
 */
type Schema = Record<string, any>
interface Parameter { in: 'path' | 'query' | 'header'; name: string; required?: boolean; schema: Schema }
interface Operation { operationId: string; parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }

const contract = JSON.parse(await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } }
const operations = Object.entries(contract.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), op })))

const FIXED_SEED = 20261201
const randomSeed = process.env.FUZZ_SEED !== undefined && process.env.FUZZ_SEED !== '' ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31)
const RUNS = Number(process.env.FUZZ_RUNS ?? 12)
console.log(`# contract fuzzing: fixed seed ${FIXED_SEED}, random seed ${randomSeed} (reproduce with FUZZ_SEED=${randomSeed}), ${RUNS} requests per operation and seed`)

const INTERNAL_TEXT = /TypeError|ReferenceError|RangeError|Cannot read prop|is not a function|\bat [\w$.<>]+ \(|node_modules|\/src\/|\.ts:\d+|PostgresError|invalid input syntax|violates [a-z -]*constraint|duplicate key|relation "|column "|\bSELECT\b.*\bFROM\b|\bINSERT INTO\b|drizzle|pglite|stack/i

const resolve = (schema: Schema | undefined): Schema => {
  let s = schema ?? {}
  for (let i = 0; i < 10 && typeof s.$ref === 'string'; i++) s = contract.components.schemas[(s.$ref as string).split('/').pop() ?? ''] ?? {}
  return s
}

const clampInt = (n: number | undefined, fallback: number): number => (n === undefined ? fallback : n)

/** a value valid per the schema (best effort: patterns via fc.stringMatching, formats by hand) */
function arbitraryOf (input: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(input)
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]))
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (Array.isArray(union)) return fc.oneof(...union.map((s) => arbitraryOf(s, depth + 1)))
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((x) => x !== 'null') : schema.type as string | undefined
  switch (type) {
    case 'null': return fc.constant(null)
    case 'boolean': return fc.boolean()
    case 'integer': return fc.integer({ min: Math.max(clampInt(schema.minimum, -1000), -1e9), max: Math.min(clampInt(schema.maximum, 1000), 1e9) })
    case 'number': return fc.double({ min: clampInt(schema.minimum, -1000), max: clampInt(schema.maximum, 1000), noNaN: true })
    case 'array': {
      if (depth > 4) return fc.constant([])
      return fc.array(arbitraryOf(schema.items, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) })
    }
    case 'object': {
      if (depth > 4 || schema.properties === undefined) return fc.constant({})
      const required = new Set((schema.required ?? []) as string[])
      const entries = Object.entries(schema.properties as Record<string, Schema>)
      return fc.record(Object.fromEntries(entries.map(([k, v]) => [k, arbitraryOf(v, depth + 1)])), { requiredKeys: entries.map(([k]) => k).filter((k) => required.has(k)) })
    }
    case 'string': {
      const max = Math.min(schema.maxLength ?? 40, 60)
      switch (schema.format) {
        case 'uuid': return fc.uuid()
        case 'date-time': return fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2028-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString())
        case 'date': return fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2028-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
        case 'email': return fc.constantFrom('dana@acme.example', 'ops@example.org', 'a.b+c@sub.example.com')
        case 'uri': return fc.constantFrom('https://example.com/x', 'http://localhost/a?b=c')
      }
      if (typeof schema.pattern === 'string') {
        // fast-check cannot generate from every regex (lookaheads): then examples, else plain strings the pattern will mostly refuse
        try {
          return fc.stringMatching(new RegExp(schema.pattern as string)).filter((s) => s.length <= (schema.maxLength ?? 10_000) && s.length >= (schema.minLength ?? 0))
        } catch {
          const given = Array.isArray(schema.examples) ? (schema.examples as unknown[]).filter((e): e is string => typeof e === 'string') : []
          const any = fc.string({ minLength: schema.minLength ?? 0, maxLength: max })
          return given.length > 0 ? fc.oneof(fc.constantFrom(...given), any) : any
        }
      }
      const examples = Array.isArray(schema.examples) ? (schema.examples as unknown[]).filter((e) => typeof e === 'string') : []
      const text = fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.max(max, schema.minLength ?? 0), unit: 'grapheme' })
      return examples.length > 0 ? fc.oneof(fc.constantFrom(...examples), text) : text
    }
  }
  return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null))
}

const deep = (n: number): unknown => { let v: unknown = 1; for (let i = 0; i < n; i++) v = i % 2 === 0 ? [v] : { a: v }; return v }
// forged cursors carry the fingerprint of "no filters" (what lists without filters issue; the scheme is not secret)
const NO_FILTERS = createHash('sha256').update('[]').digest('base64url').slice(0, 16)
const forgedCursor = (p: unknown): string => Buffer.from(JSON.stringify({ p, f: NO_FILTERS })).toString('base64url')

/** forged list cursors: positions the database would reject, wrong shapes, huge values */
const FORGED_CURSORS = [
  forgedCursor(['0000-01-01T00:00:00.000Z', '00000000-0000-0000-0000-000000000000']), forgedCursor(['0000-12-31T23:59:59.999Z', '00000000-0000-0000-0000-000000000000']),
  forgedCursor(['0000-01-01']), forgedCursor(['2026-13-01']), forgedCursor(['99999999999999999999999', -1]), forgedCursor(['18446744073709551616', 1]),
  forgedCursor(['2026-13-01T00:00:00.000Z', '00000000-0000-0000-0000-000000000000']), forgedCursor(['x'.repeat(300)]), forgedCursor([2 ** 60]), forgedCursor([-1]),
  forgedCursor(null), forgedCursor([]), forgedCursor([{}, []]), Buffer.from('{"p":').toString('base64url'), '!!!', 'a'.repeat(3000)
]

/** JSON texts as a client could send them: malformed, deep, escaped NUL and lone surrogates, prototype keys, huge numbers */
const RAW_JSON = [
  '['.repeat(100_000), '{"a":'.repeat(50_000), '{', '', 'null', '[]', '"\\ud800"', '{"subject":"\\u0000"}', '{"name":"\\udc00x","plan":"basic"}',
  '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '{"a":1e999999}', '{"a":-1e-999999}', '\ufeff{}', '{"a":1,"a":2}',
  `{"body":"${'x'.repeat(900_000)}"}`, '{"body":"x"}\u0000', '{"body":"x"} trailing'
]

/** values no field should ever turn into a 5xx */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null, true, false, 0, -1, -0, 1.5, 1e308, -1e308, 2 ** 53, 2 ** 63, 2 ** 31, -(2 ** 31) - 1, 'NaN', 'Infinity', '',
    '\u0000', 'a\u0000b', '\uD800', '\uDC00x', '\uD83D', '𝕏\uD800', '\u202E\u200B', '%00', '%', '%zz', '../../etc/passwd', "'; DROP TABLE tickets; --",
    '0000-01-01T00:00:00.000Z', '0000-01-01', '-000001-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '9999-12-31T23:59:60Z', '2026-02-30T00:00:00Z', '2026-13-01',
    '1970-01-01T00:00:00+99:99', '99999999999999999999', '00000000-0000-0000-0000-000000000000', 'urn:uuid:00000000-0000-0000-0000-000000000000',
    [], {}, [[[]]], { __proto__: { admin: true } }, { constructor: { prototype: { x: 1 } } },
    forgedCursor(['0000-01-01T00:00:00.000Z', '00000000-0000-0000-0000-000000000000']), forgedCursor(['0000-01-01']), forgedCursor(['99999999999999999999999', -1]),
    forgedCursor(['2026-13-01T00:00:00.000Z', '00000000-0000-0000-0000-000000000000']), forgedCursor(['x'.repeat(300)]), forgedCursor([2 ** 60])
  ),
  fc.constantFrom('x'.repeat(100_000), 'é'.repeat(30_000), '\u0000'.repeat(1000)),
  fc.constantFrom(deep(64), deep(2000)),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.double()
)

type Role = 'admin' | 'agent' | 'customer' | 'none'
type Hostility = 'none' | 'cursor' | 'raw-json' | 'body-field' | 'body-whole' | 'query' | 'path-param' | 'header' | 'content-type' | 'path-spelling' | 'duplicate-query'

interface Generated { role: Role; hostility: Hostility; pathParams: Record<string, unknown>; query: Record<string, unknown>; headers: Record<string, unknown>; body: unknown; hostile: unknown; pick: number; spelling: number; contentType: string }

function requestArbitrary (op: Operation): fc.Arbitrary<Generated> {
  const params = op.parameters ?? []
  const group = (where: Parameter['in']): fc.Arbitrary<Record<string, unknown>> => {
    const list = params.filter((p) => p.in === where)
    return fc.record(Object.fromEntries(list.map((p) => [p.name, arbitraryOf(p.schema)])), { requiredKeys: list.filter((p) => p.required === true || where === 'path').map((p) => p.name) })
  }
  const bodySchema = op.requestBody?.content['application/json']?.schema
  return fc.record({
    role: fc.constantFrom<Role>('admin', 'agent', 'customer', 'none'),
    hostility: fc.constantFrom<Hostility>('none', 'none', 'none', 'cursor', 'raw-json', 'body-field', 'body-whole', 'query', 'path-param', 'header', 'content-type', 'path-spelling', 'duplicate-query'),
    pathParams: group('path'),
    query: group('query'),
    headers: group('header'),
    body: bodySchema === undefined ? fc.constant(undefined) : arbitraryOf(bodySchema),
    hostile: hostileValue,
    pick: fc.nat(),
    spelling: fc.nat(),
    contentType: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/xml', 'application/json, text/plain', 'application/problem+json', 'application/jsonx', '*/*', ';;;', 'application/json; boundary="\u0000"')
  })
}

/** percent-encodes like encodeURIComponent, but a lone surrogate becomes its (invalid) 3-byte UTF-8 form instead of throwing */
const encodeSegment = (text: string): string => text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]/g, (ch) => {
  if (ch.length === 1 && ch.charCodeAt(0) >= 0xd800 && ch.charCodeAt(0) <= 0xdfff) {
    const c = ch.charCodeAt(0)
    return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('')
  }
  return encodeURIComponent(ch)
})
const asText = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) ?? '' : String(v))
const keyOf = (obj: Record<string, unknown>, pick: number): string | undefined => { const keys = Object.keys(obj); return keys[pick % Math.max(keys.length, 1)] }

function buildRequest (desk: PopulatedDesk, path: string, method: string, op: Operation, g: Generated): { url: string; headers: Record<string, string>; payload?: string } {
  const query: Record<string, unknown> = { ...g.query }
  const pathParams: Record<string, unknown> = { ...g.pathParams }
  // valid requests mostly address real resources of the fixture
  for (const name of Object.keys(pathParams)) if (g.pick % 3 !== 0 && desk.ids[name] !== undefined && desk.ids[name] !== '') pathParams[name] = desk.ids[name]
  let body = g.body
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(g.headers)) headers[k] = asText(v)
  if (g.hostility === 'cursor') {
    const cursorParam = (op.parameters ?? []).find((p) => p.in === 'query' && (p.name === 'cursor' || p.name === 'after'))
    if (cursorParam !== undefined) query[cursorParam.name] = FORGED_CURSORS[g.pick % FORGED_CURSORS.length]
  }
  if (g.hostility === 'query') { const k = keyOf(query, g.pick) ?? 'limit'; query[k] = asText(g.hostile) }
  if (g.hostility === 'path-param') { const k = keyOf(pathParams, g.pick); if (k !== undefined) pathParams[k] = asText(g.hostile) }
  if (g.hostility === 'header') { const k = keyOf(headers, g.pick) ?? 'if-none-match'; headers[k] = asText(g.hostile).replace(/[^\t\x20-\x7e\x80-\xff]/g, '?').slice(0, 8000) }
  if (g.hostility === 'body-whole') body = g.hostile
  if (g.hostility === 'body-field' && body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const k = keyOf(body as Record<string, unknown>, g.pick) ?? 'x'
    body = { ...(body as Record<string, unknown>), [k]: g.hostile }
  }
  let url = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeSegment(asText(pathParams[name] ?? '')))
  if (g.hostility === 'path-spelling') {
    const spellings = [
      (u: string) => `${u}/`, (u: string) => u.replace('/v1/', '//v1/'), (u: string) => u.replace('/v1/', '/%761/'), (u: string) => u.replace('/v1/', '/V1/'),
      (u: string) => u.replace('/v1/', '/v1/./'), (u: string) => u.replace('/v1/', '/v1/x/../'), (u: string) => `${u}%00`, (u: string) => `${u};x=1`, (u: string) => `${u}%2F`, (u: string) => u.replace(/\//g, '%2F')
    ]
    url = (spellings[g.spelling % spellings.length] as (u: string) => string)(url)
  }
  const pairs: string[] = []
  for (const [k, v] of Object.entries(query)) if (v !== undefined) pairs.push(`${encodeSegment(k)}=${encodeSegment(Array.isArray(v) ? v.map(asText).join(',') : asText(v))}`)
  if (g.hostility === 'duplicate-query') { const k = encodeSegment(keyOf(query, g.pick) ?? 'limit'); pairs.push(`${k}=1`, `${k}=2`) }
  const qs = pairs.join('&')
  if (qs !== '') url += `?${qs}`
  const token = g.role === 'none' ? undefined : desk.tokens[g.role]
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  if (method === 'GET' || method === 'DELETE' || method === 'HEAD') return { url, headers }
  if (g.hostility === 'raw-json') {
    headers['content-type'] = 'application/json'
    return { url, headers, payload: RAW_JSON[g.pick % RAW_JSON.length] }
  }
  if (g.hostility === 'content-type') {
    headers['content-type'] = g.contentType
    return { url, headers, payload: asText(body ?? g.hostile) }
  }
  headers['content-type'] = 'application/json'
  if (method === 'POST' && g.pick % 2 === 0) headers['idempotency-key'] = `fuzz-${g.pick}`
  return { url, headers, payload: body === undefined ? undefined : (JSON.stringify(body) ?? 'null') }
}

t.test('contract fuzzing: no 5xx, every error a problem, no internal text', async (t) => {
  const desk = await populatedDesk(t)
  const failures: string[] = []
  let sent = 0
  const byStatus = new Map<number, number>()
  for (const seed of [FIXED_SEED, randomSeed]) {
    for (const [index, { path, method, op }] of operations.entries()) {
      const samples = fc.sample(requestArbitrary(op), { seed: seed + index, numRuns: RUNS })
      for (const g of samples) {
        const req = buildRequest(desk, path, method, op, g)
        const res = await desk.h.app.inject({ method: method as 'GET', url: req.url, headers: req.headers, ...(req.payload === undefined ? {} : { payload: req.payload }) })
        sent++
        byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1)
        const what = `seed ${seed} ${op.operationId} [${g.role}, ${g.hostility}] ${method} ${req.url.slice(0, 200)} → ${res.statusCode}`
        if (res.statusCode >= 500) { failures.push(`${what}: ${res.body.slice(0, 300)}`); continue }
        if (res.statusCode >= 400) {
          const type = String(res.headers['content-type'] ?? '')
          let problem: Record<string, unknown> = {}
          try { problem = res.json() } catch { problem = {} }
          if (!type.startsWith('application/problem+json') || typeof problem.type !== 'string' || typeof problem.code !== 'string' || problem.status !== res.statusCode) {
            failures.push(`${what}: not a problem (${type}) ${res.body.slice(0, 300)}`)
            continue
          }
          if (INTERNAL_TEXT.test(String(problem.detail ?? '')) || INTERNAL_TEXT.test(String(problem.title ?? '')) || /stack/.test(Object.keys(problem).join(','))) failures.push(`${what}: internal text ${res.body.slice(0, 300)}`)
        }
      }
    }
  }
  t.comment(`${sent} requests over ${operations.length} operations; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}`)
  t.ok(sent >= operations.length * RUNS * 2, `${sent} requests sent`)
  t.same(failures.slice(0, 40), [], `${failures.length} faulty responses (first 40 shown; reproduce with FUZZ_SEED=${randomSeed})`)
})
