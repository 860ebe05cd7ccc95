import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { exportSPKI, generateKeyPair } from 'jose'
import { createTestDatabase } from './helpers/app.js'
import { PATIENT_PROBE } from './helpers/server-process.js'

t.setTimeout(600_000) // three server starts, each installing pg-boss on a fresh PGlite

const root = new URL('..', import.meta.url).pathname
const serverEntry = join(root, 'src/server.ts')

function startServer (env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { out += d.toString() })
  return { child, output: () => out }
}

t.test('invalid configuration stops the server with a message naming the variable', async (t) => {
  const { child, output } = startServer({ PORT: 'not-a-port', AUTH_DEV_KEYS: '/tmp/unused' })
  const [code] = await once(child, 'exit')
  t.equal(code, 78)
  t.match(output(), /Invalid configuration: PORT/)
})

t.test('starts, serves, and drains on SIGTERM with exit code 0', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sd-server-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const { publicKey } = await generateKeyPair('ES256')
  // the database probe waits as long as the suite's other server processes do (PATIENT_PROBE): with production's 1 s for
  // a `select 1`, a loaded CI machine turned /readyz into a 503 here once (a slow probe, not a fault)
  const env: Record<string, string> = { PORT: '0', LOG_LEVEL: 'warn', PGLITE_DIR: join(dir, 'pglite'), JWT_PUBLIC_KEY: await exportSPKI(publicKey), ...PATIENT_PROBE }
  // on PostgreSQL runs: a fresh database of its own (never the shared one)
  const { url } = await createTestDatabase(t)
  if (url !== undefined) env.DATABASE_URL = url
  const { child, output } = startServer(env)
  const exited = once(child, 'exit')
  let base: string | undefined
  for (let i = 0; i < 2400 && base === undefined; i++) { // up to 240 s, as test/helpers/server-process.ts allows a busy machine
    const m = /listening on (http:\/\/[^\s]+)/.exec(output())
    if (m !== null) base = m[1]
    else await new Promise((resolve) => setTimeout(resolve, 100))
    if (child.exitCode !== null) break
  }
  t.ok(base, `server printed its address: ${output()}`)
  const health = await fetch(`${base}/healthz`)
  t.equal(health.status, 200)
  const ready = await fetch(`${base}/readyz`)
  t.equal(ready.status, 200)
  const plans = await fetch(`${base}/v1/support-plans`)
  t.equal(plans.status, 200)
  t.equal((await plans.json() as { items: unknown[] }).items.length, 3)
  child.kill('SIGTERM')
  const [code] = await exited
  t.equal(code, 0, 'clean exit after draining')
})

t.test('API=false runs a worker-only replica (no listener) that stops cleanly on SIGTERM', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sd-worker-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const { publicKey } = await generateKeyPair('ES256')
  const env: Record<string, string> = { API: 'false', LOG_LEVEL: 'warn', PGLITE_DIR: join(dir, 'pglite'), JWT_PUBLIC_KEY: await exportSPKI(publicKey), ...PATIENT_PROBE }
  const { url } = await createTestDatabase(t)
  if (url !== undefined) env.DATABASE_URL = url
  const { child, output } = startServer(env)
  const exited = once(child, 'exit')
  for (let i = 0; i < 2400 && !output().includes('worker-only replica'); i++) { // up to 240 s (a busy machine)
    if (child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.match(output(), /worker-only replica/, 'started as a worker')
  t.notMatch(output(), /listening on/, 'no HTTP listener')
  child.kill('SIGTERM')
  const [code] = await exited
  t.equal(code, 0, 'clean exit')
})

t.test('API=false with WORKERS=false is refused at start', async (t) => {
  const { child, output } = startServer({ API: 'false', WORKERS: 'false', AUTH_DEV_KEYS: '/tmp/unused' })
  const [code] = await once(child, 'exit')
  t.equal(code, 78)
  t.match(output(), /Invalid configuration: API/)
})
