import { readFileSync } from 'node:fs'
import t from 'tap'
import { tapFailures } from '../../scripts/tap-failures.js'

// a reporter=tap log of three files: a failed assertion, a thrown error and a nested failure, a killed process
const log = readFileSync(new URL('../fixtures/tap-failures.tap', import.meta.url), 'utf8')

t.test('each failure once, with its path and diagnostics; subtest summaries only when nothing under them was shown', async (t) => {
  const out = tapFailures(log)
  const heads = out.filter((l) => l.startsWith('✗ '))
  t.same(heads, [
    '✗ test/zz/a.test.mjs › outer › one is two',
    '✗ test/zz/b.test.mjs › thrower › boom',
    '✗ test/zz/b.test.mjs › nested › inner › should be equal',
    '✗ test/zz/c.test.mjs # time=12ms'
  ])
  const first = out.slice(out.indexOf(heads[0] as string))
  t.ok(first.includes('    diff: |'), 'the diff is shown')
  t.ok(first.includes('      -2') && first.includes('      +1'), 'expected and actual')
  t.notOk(first.some((l) => l.trim() === '...' || l.trim() === '---'), 'no YAML markers')
  t.ok(out.includes('    signal: SIGKILL'), 'a killed file says how it ended')
})

t.test('bounded', async (t) => {
  const out = tapFailures(log, { maxFailures: 1, maxLines: 3 })
  t.equal(out.filter((l) => l.startsWith('✗ ')).length, 1)
  t.equal(out.filter((l) => l.startsWith('    ')).length, 3)
  t.equal(out.at(-1), '… and 3 more failures (see the log)')
})

t.test('a passing log says nothing', async (t) => {
  t.same(tapFailures('TAP version 14\n1..1\n# Subtest: x\n    ok 1 - fine\n    1..1\nok 1 - x # time=1ms\n'), [])
})
