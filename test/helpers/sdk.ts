import { execFileSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The generated client's types (test/generated/api.d.ts, not committed) for the SDK tests: `make test` generates them
 * before `tsc`; a plain `npx tap` run regenerates them here when they are missing or older than the contract.
 */
export function ensureGeneratedClient (): void {
  const contract = fileURLToPath(new URL('../../openapi/openapi.json', import.meta.url))
  const generated = fileURLToPath(new URL('../generated/api.d.ts', import.meta.url))
  if (!existsSync(generated) || statSync(generated).mtimeMs < statSync(contract).mtimeMs) {
    execFileSync(fileURLToPath(new URL('../../node_modules/.bin/openapi-typescript', import.meta.url)), [contract, '-o', generated], { stdio: 'ignore' })
  }
}
