import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import type { TestLike } from './app.js'

export const CHROMIUM = '/usr/bin/chromium'

/**
 * Headless Debian Chromium driven by playwright-core. Not installed → the test fails with a clear message (CI
 * installs it in .ci/run: `apt-get install -y chromium`); a browser test never skips.
 */
export async function launchChromium (t: TestLike): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is not installed: the browser tests need Debian's chromium (apt-get install -y chromium; .ci/run does it)`)
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'sd-chromium-'))
  // a fresh profile per launch (persistent context = our own user-data-dir, removed at teardown)
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run']
  })
  t.teardown(async () => {
    await browser.close()
    await rm(userDataDir, { recursive: true, force: true })
  })
  return browser
}

/**
 * An HTTP server on an ephemeral port (port 0) whose handler is set later: lets a test learn its origin before
 * building the app that serves it (e.g. PUBLIC_URL must name the real port).
 */
export async function listenLater (t: TestLike): Promise<{ server: Server; origin: string; handle: (fn: (req: IncomingMessage, res: ServerResponse) => void) => void }> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => { res.statusCode = 503; res.end() }
  const server = createServer((req, res) => { handler(req, res) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  return { server, origin: `http://127.0.0.1:${address.port}`, handle: (fn) => { handler = fn } }
}
