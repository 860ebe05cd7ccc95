import t from 'tap'
import { readFile } from 'node:fs/promises'
import { populatedDesk } from '../helpers/populated.js'

/**
 * Issue 11 item 3: forged list cursors. For every list operation of the contract (a GET with a `cursor` or `after`
 * query parameter; new routes are covered automatically), a real nextCursor is taken apart and each position value
 * is replaced: values the database would reject are always 400 `invalid-cursor`; extreme values it accepts are 200.
 */
interface Parameter { in: string; name: string }
interface Operation { operationId: string; parameters?: Parameter[] }
const contract = JSON.parse(await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, Operation>> }
const lists = Object.entries(contract.paths).flatMap(([path, item]) => Object.entries(item)
  .filter(([method, op]) => method === 'get' && (op.parameters ?? []).some((p) => p.in === 'query' && (p.name === 'cursor' || p.name === 'after')))
  .map(([, op]) => ({ path, op, cursorParam: (op.parameters ?? []).some((p) => p.name === 'cursor') ? 'cursor' : 'after' })))

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const DATE = /^\d{4}-\d{2}-\d{2}$/
const UUID = /^[0-9a-f-]{36}$/i

/** [refused, accepted] replacement values for a position value like `v` */
function forgeries (v: unknown): { refused: unknown[]; accepted: unknown[] } {
  const common = [null, true, {}, [], 'x'.repeat(3000), '\u0000', '\uD800']
  if (typeof v === 'number') return { refused: [...common, -1, 1.5, 2 ** 53, 1e308, '1'], accepted: [0, 2 ** 53 - 1] }
  if (typeof v !== 'string') return { refused: common, accepted: [] }
  if (TIMESTAMP.test(v)) {
    return {
      refused: [...common, '0000-01-01T00:00:00.000Z', '0000-12-31T23:59:59.999Z', '-000001-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T00:00:00Z', '2026-01-01', 0],
      accepted: ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']
    }
  }
  if (DATE.test(v)) return { refused: [...common, '0000-01-01', '0000-02-29', '2026-02-30', '2026-13-01', '10000-01-01', '2026-01-01T00:00:00.000Z'], accepted: ['0001-01-01', '9999-12-31'] }
  if (UUID.test(v)) return { refused: [...common, '00000000-0000-0000-0000-00000000000g', `${v}0`, ''], accepted: ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'] }
  if (/^\d+$/.test(v)) return { refused: [...common, '18446744073709551616', '-1', '1e3', ''], accepted: ['0', '18446744073709551615'] }
  return { refused: [...common, '', 'a b', "x'; select 1 --"], accepted: ['~'.repeat(0) + 'zzzz'] }
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

t.test('every list route refuses forged cursors with 400 invalid-cursor and never fails', async (t) => {
  const desk = await populatedDesk(t)
  t.ok(lists.length >= 12, `${lists.length} list operations in the contract`)
  for (const { path, op, cursorParam } of lists) {
    const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => desk.ids[name] ?? '00000000-0000-0000-0000-000000000000')
    const first = await desk.h.request(desk.tokens.admin, { method: 'GET', url: `${url}?limit=1` })
    t.equal(first.statusCode, 200, `${op.operationId}: first page`)
    const next = (first.json() as { nextCursor?: string | null }).nextCursor
    t.type(next, 'string', `${op.operationId}: the fixture gives a next page`)
    if (typeof next !== 'string') continue
    const real = JSON.parse(Buffer.from(next, 'base64url').toString('utf8')) as { p: unknown[]; f: string }
    const get = async (cursor: string): Promise<{ statusCode: number; body: string; code?: string }> => {
      const res = await desk.h.request(desk.tokens.admin, { method: 'GET', url: `${url}?limit=1&${cursorParam}=${encodeURIComponent(cursor)}` })
      let code: string | undefined
      try { code = (res.json() as { code?: string }).code } catch { code = undefined }
      return { statusCode: res.statusCode, body: res.body, code }
    }
    t.equal((await get(next)).statusCode, 200, `${op.operationId}: the real cursor works`)
    const refusedShapes: unknown[] = [{ p: real.p }, { f: real.f }, { p: [...real.p, 1], f: real.f }, { p: real.p.slice(1), f: real.f }, { p: 'x', f: real.f }, { p: real.p, f: 'forged' }, [], 'x', 42]
    const bad: string[] = ['!', 'a'.repeat(5000), encode(null).slice(1), 'e30', '']
    for (const shape of refusedShapes) bad.push(encode(shape))
    for (let i = 0; i < real.p.length; i++) {
      const { refused, accepted } = forgeries(real.p[i])
      for (const value of refused) bad.push(encode({ p: real.p.map((v, j) => (j === i ? value : v)), f: real.f }))
      for (const value of accepted) {
        const res = await get(encode({ p: real.p.map((v, j) => (j === i ? value : v)), f: real.f }))
        t.equal(res.statusCode, 200, `${op.operationId}: position ${i} = ${JSON.stringify(value)} is accepted (${res.body.slice(0, 200)})`)
      }
    }
    for (const cursor of bad) {
      const res = await get(cursor)
      if (cursor === '') {
        t.ok(res.statusCode === 200 || (res.statusCode === 400 && res.code !== undefined), `${op.operationId}: empty cursor → ${res.statusCode}`)
        continue
      }
      t.ok(res.statusCode === 400 && (res.code === 'invalid-cursor' || res.code === 'validation-failed'),
        `${op.operationId}: forged ${Buffer.from(cursor, 'base64url').toString('utf8').slice(0, 120)} → ${res.statusCode} ${res.code ?? res.body.slice(0, 120)}`)
    }
  }
})
