import t from 'tap'
import { readFileSync } from 'node:fs'
import { README, configTable, readmeTable } from '../../scripts/config-readme.js'
import { settingsList } from '../../src/config.js'

t.test("the README's configuration table is the one made from src/config.ts (scripts/config-readme.ts --write)", async (t) => {
  t.equal(readmeTable(readFileSync(README, 'utf8')).text, configTable())
})

t.test('every variable is set by one setting only', async (t) => {
  const variables = settingsList().map(({ setting }) => setting.variable)
  t.same(variables.filter((v, i) => variables.indexOf(v) !== i), [])
})
