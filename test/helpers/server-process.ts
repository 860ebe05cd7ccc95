import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { exportSPKI, generateKeyPair, type CryptoKey } from 'jose'
import { mintToken } from '../../src/auth/keys.js'

const root = new URL('../..', import.meta.url).pathname

export interface ServerProcess {
  child: ChildProcess
  base: string
  output: () => string
  exited: Promise<[number | null, NodeJS.Signals | null]>
  token: (claims: { sub?: string; roles: string[]; org_id?: string }) => Promise<string>
}

/**
 * The service as in production, in a child process (src/server.ts through tsx): listens on an ephemeral port and
 * trusts a fresh ES256 key. Waits until it printed its address. The caller stops it (SIGTERM) or the teardown kills it.
 */
/**
 * The database availability probe's limits for child servers that do not test the probe itself: 10 s to connect and
 * to answer instead of 2 s and 1 s, so a loaded machine (the suite's parallel files cloning databases) does not open
 * the circuit mid-test; see test/helpers/app.ts.
 */
export const PATIENT_PROBE = { DB_CONNECT_TIMEOUT_MS: '10000', DB_HEALTH_TIMEOUT_MS: '10000' } as const

export async function startServerProcess (t: { teardown: (fn: () => unknown) => void }, env: Record<string, string>): Promise<ServerProcess> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/server.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', LOG_LEVEL: 'warn', JWT_PUBLIC_KEY: await exportSPKI(publicKey), ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let base: string | undefined
  for (let i = 0; i < 2_400 && base === undefined; i++) { // up to 4 min: start-up (tsx, PGlite, migrations) is slow on a busy machine
    const m = /listening on (http:\/\/[^\s]+)/.exec(out)
    if (m !== null) base = m[1]
    else await new Promise((resolve) => setTimeout(resolve, 100))
    if (child.exitCode !== null) break
  }
  if (base === undefined) throw new Error(`the server did not start: ${out}`)
  const token = async (claims: { sub?: string; roles: string[]; org_id?: string }): Promise<string> =>
    await mintToken(privateKey as CryptoKey, { sub: claims.sub ?? 'user-1', roles: claims.roles, ...(claims.org_id === undefined ? {} : { org_id: claims.org_id }) }, { issuer: 'support-desk', audience: 'support-desk-api' })
  return { child, base, output: () => out, exited, token }
}
