/**
 * The README's configuration table, made from the one table of settings in src/config.ts.
 *   node --import tsx scripts/config-readme.ts          prints the table
 *   node --import tsx scripts/config-readme.ts --write  rewrites it in README.md
 * test/unit/config-readme.test.ts fails when the README's table is not this one.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { settingsList } from '../src/config.js'

const HEADER = '| variable | default | meaning |'
const RULE = '|---|---|---|'

const shownDefault = (value: unknown): string => value === undefined ? '—' : `\`${Array.isArray(value) ? value.join(',') : String(value)}\``

export const configTable = (): string => [
  HEADER,
  RULE,
  ...settingsList().map(({ setting }) => `| \`${setting.variable}\` | ${setting.shown ?? shownDefault(setting.default)} | ${setting.description} |`)
].join('\n')

/** the table as the README has it: from its header to the first line that is not a table row */
export const readmeTable = (readme: string): { start: number, end: number, text: string } => {
  const lines = readme.split('\n')
  const start = lines.indexOf(HEADER)
  if (start < 0) throw new Error('README.md has no configuration table')
  let end = start
  while (lines[end]?.startsWith('|') === true) end++
  return { start, end, text: lines.slice(start, end).join('\n') }
}

export const README = fileURLToPath(new URL('../README.md', import.meta.url))

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    const readme = readFileSync(README, 'utf8')
    const { start, end } = readmeTable(readme)
    const lines = readme.split('\n')
    lines.splice(start, end - start, configTable())
    writeFileSync(README, lines.join('\n'))
  } else {
    console.log(configTable())
  }
}
