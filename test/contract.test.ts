import t from 'tap'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { generateContract } from '../scripts/openapi.js'

const run = promisify(execFile)
const { json } = await generateContract()
const doc = JSON.parse(json)

t.test('the committed contract is exactly what the code generates (run `npm run openapi`)', async (t) => {
  const committed = await readFile(new URL('../openapi/openapi.json', import.meta.url), 'utf8')
  t.equal(committed, json, 'openapi/openapi.json is up to date')
})

t.test('every operation has operationId, tag, summary, security and documented problem responses', async (t) => {
  const ids = new Set<string>()
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const where = `${method.toUpperCase()} ${path}`
      t.match(op.operationId, /^[a-z][A-Za-z]+$/, `${where} operationId`)
      t.notOk(ids.has(op.operationId), `${where} unique operationId`)
      ids.add(op.operationId)
      t.ok(Array.isArray(op.tags) && op.tags.length === 1, `${where} one tag`)
      t.ok(typeof op.summary === 'string' && op.summary.length > 0, `${where} summary`)
      t.ok(Array.isArray(op.security), `${where} security`)
      const fourXX = Object.keys(op.responses).filter((s) => s.startsWith('4'))
      t.ok(fourXX.length > 0, `${where} documents 4xx`)
      for (const s of fourXX) {
        t.equal(op.responses[s].content?.['application/problem+json']?.schema?.$ref, '#/components/schemas/Problem', `${where} ${s} uses the Problem component`)
      }
      if (method === 'post') t.ok(op.parameters?.some((p: any) => p.in === 'header' && p.name === 'idempotency-key'), `${where} declares Idempotency-Key`)
    }
  }
})

t.test('reusable schemas are named components (no def-N names)', async (t) => {
  const names = Object.keys(doc.components.schemas)
  t.ok(names.includes('Problem'))
  t.ok(names.includes('Organization'))
  t.same(names.filter((n) => /^def-\d+$/.test(n)), [])
  t.notMatch(json, /#\/components\/schemas\/def-/)
})

t.test('Redocly lint passes with zero errors and zero warnings', async (t) => {
  const bin = new URL('../node_modules/.bin/redocly', import.meta.url).pathname
  const { stdout, stderr } = await run(bin, ['lint', '--config', 'redocly.yaml', '--format', 'json', 'openapi/openapi.json'], { cwd: new URL('..', import.meta.url).pathname, maxBuffer: 10 * 1024 * 1024 }).catch((err: any) => ({ stdout: err.stdout as string, stderr: err.stderr as string }))
  const report = JSON.parse(stdout)
  t.same(report.totals, { errors: 0, warnings: 0, ignored: 0 }, stderr)
})
