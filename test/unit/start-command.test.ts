import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFlags } from '../../bench/lib/common.js'

// `npm start` (the README's run command and `make run`), the Dockerfile and the benchmark start the service with the
// same node flags, so what is measured is what runs (docs/performance.md, "Young generation")
t.test('the Dockerfile runs the command of npm start', async (t) => {
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'))
  t.ok(cmd, 'the Dockerfile has an exec-form CMD')
  t.same(JSON.parse(cmd![1]!), ['node', ...startFlags('package.json'), 'dist/server.js'])
})

t.test('the service runs with 64 MB semi-spaces (the young generation), set where V8 reads it: on the command line', async (t) => {
  t.ok(startFlags('package.json').includes('--max-semi-space-size=64'))
})

t.test('a start script of another shape is refused, not guessed at', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'start-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start: 'tsx src/server.ts' } }))
  t.throws(() => startFlags(join(dir, 'package.json')), /not `node <flags> dist\/server.js`/)
})
