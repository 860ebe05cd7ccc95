import t from 'tap'
import { readFile } from 'node:fs/promises'
import { exportSPKI, generateKeyPair } from 'jose'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { buildTestApp, createTestDatabase } from '../helpers/app.js'
import { launchChromium, listenLater } from '../helpers/browser.js'

/**
 * Issue 11 item 1: the interactive docs in a real browser. Swagger UI's routes are registered by a plugin in its own
 * context (no request decorations of later plugins); every hook must cope, and any error must be a problem.
 */
interface Operation { operationId: string; tags: string[] }
const contract = JSON.parse(await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, Operation>>; webhooks?: Record<string, Record<string, Operation>> }
// Swagger UI renders the OpenAPI 3.1 `webhooks` (what the service pushes) as operations too
const operations = [...Object.values(contract.paths), ...Object.values(contract.webhooks ?? {})].flatMap((item) => Object.values(item))

t.test('every route under /docs answers (no 500) and an unknown one is a problem', async (t) => {
  const { app } = await buildTestApp(t, { docsUi: true })
  for (const url of ['/docs', '/docs/', '/docs/static/index.html', '/docs/static/swagger-initializer.js', '/docs/json', '/docs/yaml', '/docs/static/swagger-ui.css']) {
    const res = await app.inject({ url })
    t.ok(res.statusCode < 400, `${url} → ${res.statusCode}`)
  }
  const missing = await app.inject({ url: '/docs/static/nope.js' })
  t.equal(missing.statusCode, 404)
  t.match(missing.headers['content-type'], /^application\/problem\+json/)
  t.notMatch(missing.body, /TypeError|stack|Cannot read/)
})

t.test('a failing route registered by a plugin in its own context answers a problem without internal text', async (t) => {
  const { database } = await createTestDatabase(t)
  const { publicKey } = await generateKeyPair('ES256')
  const app = await buildApp(loadConfig({ JWT_PUBLIC_KEY: await exportSPKI(publicKey), LOG_LEVEL: 'silent' }), { database, docsUi: true })
  // like a third-party plugin: its own encapsulated context, no schema, a POST and a GET that fail inside
  await app.register(async (child) => {
    child.get('/plugin/fails', async () => { throw new TypeError('Cannot read properties of undefined (reading \'secret\')') })
    child.post('/plugin/echo', async (request) => ({ got: request.body }))
  })
  await app.ready()
  t.teardown(async () => { await app.close() })
  const failing = await app.inject({ url: '/plugin/fails' })
  t.equal(failing.statusCode, 500)
  t.match(failing.headers['content-type'], /^application\/problem\+json/)
  t.match(failing.json(), { code: 'internal', status: 500 })
  t.notMatch(failing.body, /TypeError|Cannot read|secret/)
  const posted = await app.inject({ method: 'POST', url: '/plugin/echo', headers: { 'idempotency-key': 'k1' }, payload: { a: 1 } })
  t.equal(posted.statusCode, 200, 'the idempotency hooks let a plugin POST through')
})

t.test('Swagger UI renders every operation without console errors, and "Try it out" on GET /v1/support-plans works', async (t) => {
  const listener = await listenLater(t)
  const { app } = await buildTestApp(t, { docsUi: true, env: { PUBLIC_URL: listener.origin } })
  listener.handle((req, res) => { app.routing(req, res) })
  const browser = await launchChromium(t)
  const page = await browser.newPage()
  const problems: string[] = []
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  page.on('pageerror', (error) => { problems.push(`page error: ${error.message}`) })
  page.on('response', (response) => { if (response.status() >= 500) problems.push(`${response.status()} ${response.url()}`) })

  const opened = await page.goto(`${listener.origin}/docs`, { waitUntil: 'networkidle' })
  t.equal(opened?.status(), 200, '/docs opens')
  await page.waitForSelector('.opblock', { timeout: 30_000 })
  const rendered = await page.$$eval('.opblock', (blocks) => blocks.map((b) => b.id))
  t.equal(rendered.length, operations.length, `all ${operations.length} operations rendered`)
  for (const op of operations) {
    t.ok(rendered.includes(`operations-${op.tags[0] ?? 'default'}-${op.operationId}`), `${op.operationId} rendered`)
  }
  const servers = await page.$$eval('.servers select option', (options) => options.map((o) => o.getAttribute('value') ?? ''))
  t.same(servers, [listener.origin], 'the servers list follows PUBLIC_URL')

  const block = page.locator('#operations-policy-listSupportPlans')
  await block.locator('.opblock-summary').click()
  await block.locator('.try-out__btn').click()
  const [apiResponse] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(`${listener.origin}/v1/support-plans`)),
    block.locator('.execute').click()
  ])
  t.equal(apiResponse.status(), 200, 'the browser called the API')
  await block.locator('.live-responses-table tbody .response-col_status').first().waitFor()
  const shownStatus = (await block.locator('.live-responses-table tbody .response-col_status').first().innerText()).trim()
  t.equal(shownStatus, '200', 'Swagger UI shows the 200')
  t.same(problems, [], 'no console errors, page errors or 5xx')
})
