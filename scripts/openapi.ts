/**
 * Generates the OpenAPI contract from the TypeBox route schemas: `npm run openapi` writes openapi/openapi.json and
 * openapi/openapi.yaml; `--check` fails when the committed files differ from what the code generates.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { exportSPKI, generateKeyPair } from 'jose'
import { stringify } from 'yaml'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/client.js'

export async function generateContract (): Promise<{ json: string; yaml: string }> {
  const { publicKey } = await generateKeyPair('ES256')
  const config = loadConfig({ JWT_PUBLIC_KEY: await exportSPKI(publicKey), LOG_LEVEL: 'silent' })
  const database = await openDatabase({})
  try {
    const app = await buildApp(config, { database, docsUi: false })
    await app.ready()
    const doc = app.swagger() as Record<string, unknown>
    await app.close()
    return { json: JSON.stringify(doc, null, 2) + '\n', yaml: stringify(doc, { aliasDuplicateObjects: false }) }
  } finally {
    await database.close()
  }
}

const isMain = import.meta.url === `file://${process.argv[1]}`
if (isMain) {
  const { json, yaml } = await generateContract()
  const jsonPath = new URL('../openapi/openapi.json', import.meta.url)
  const yamlPath = new URL('../openapi/openapi.yaml', import.meta.url)
  if (process.argv.includes('--check')) {
    const [committedJson, committedYaml] = await Promise.all([readFile(jsonPath, 'utf8').catch(() => ''), readFile(yamlPath, 'utf8').catch(() => '')])
    if (committedJson !== json || committedYaml !== yaml) {
      console.error('openapi/openapi.json or openapi.yaml differs from what the code generates: run `npm run openapi` and commit the result')
      process.exit(1)
    }
    console.log('openapi contract is up to date')
  } else {
    await mkdir(new URL('../openapi/', import.meta.url), { recursive: true })
    await writeFile(jsonPath, json)
    await writeFile(yamlPath, yaml)
    console.log('wrote openapi/openapi.json and openapi/openapi.yaml')
  }
}
