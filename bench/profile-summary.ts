/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package/file, leaving out idle
 * samples and the first `skip` seconds (start-up: compiling schemas and serializers, migrations).
 * Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=30] [skip=5]
 */
import { readFileSync } from 'node:fs'

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const [file, topArg = '30', skipArg = '5'] = process.argv.slice(2)
if (file === undefined) { console.error('usage: profile-summary.ts <file.cpuprofile> [top]'); process.exit(2) }
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const selfUs = new Map<number, number>()
const skipUs = Number(skipArg) * 1e6
let t = 0
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!
  t += profile.timeDeltas[i] ?? 0
  if (t < skipUs || byId.get(id)?.callFrame.functionName === '(idle)') continue
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
const where = (url: string): string => {
  if (url === '') return '(native/v8)'
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (nm !== null) return nm[1]!
  const m = /\/(dist|src|bench)\/(.*)$/.exec(url)
  if (m !== null) return `${m[1]}/${m[2]}`
  return url.replace(/^.*\/(?=[^/]+$)/, '')
}
const fn = new Map<string, number>()
const pkg = new Map<string, number>()
for (const [id, us] of selfUs) {
  const n = byId.get(id)!
  const f = `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`
  fn.set(f, (fn.get(f) ?? 0) + us)
  const p = where(n.callFrame.url)
  pkg.set(p, (pkg.get(p) ?? 0) + us)
}
const top = Number(topArg)
const show = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title} (${(total / 1000).toFixed(0)} ms busy after the first ${skipArg} s)`)
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(v / total * 100).toFixed(1).padStart(5)}%  ${k}`)
}
// inclusive time: every function on the sampled stack (counted once per sample)
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const incl = new Map<string, number>()
for (const [id, us] of selfUs) {
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur)!
    if (n.callFrame.url === '' && n.callFrame.functionName === '(root)') continue
    const f = `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`
    if (seen.has(f)) continue
    seen.add(f)
    incl.set(f, (incl.get(f) ?? 0) + us)
  }
}
show('self time by package/file', pkg)
show('self time by function', fn)
show('inclusive time by function', incl)
