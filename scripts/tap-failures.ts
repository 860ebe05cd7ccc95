/**
 * What failed in a TAP log (scripts/test.sh's reporter=tap output): every failed assertion with its subtest path and
 * diagnostics (expected/actual, diff, where), so a CI log that shows only the files' summary lines still says WHAT
 * failed. A subtest's own "not ok" is shown only when none of its children was (an error thrown, a timeout, a crashed
 * file). Bounded: at most `maxFailures` failures and `maxLines` lines of diagnostics each.
 *
 * Usage: node --import tsx scripts/tap-failures.ts .tap/postgres.log
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export function tapFailures (log: string, limits: { maxFailures?: number; maxLines?: number } = {}): string[] {
  const maxFailures = limits.maxFailures ?? 20
  const maxLines = limits.maxLines ?? 40
  const lines = log.split('\n')
  const indentOf = (line: string): number => line.length - line.trimStart().length
  const path: string[] = []
  const shownUnder: number[] = [] // failures counted since the subtest at each depth opened
  const out: string[] = []
  let failures = 0
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const trimmed = line.trimStart()
    const depth = Math.floor(indentOf(line) / 4)
    if (trimmed.startsWith('# Subtest: ')) {
      path.length = depth
      shownUnder.length = depth
      path[depth] = trimmed.slice('# Subtest: '.length)
      shownUnder[depth] = 0
      continue
    }
    if (!trimmed.startsWith('not ok ')) continue
    const title = trimmed.replace(/^not ok \d+ - /, '')
    const isSubtest = path[depth] !== undefined && title.replace(/ # time=.*$/, '') === path[depth]
    const childrenShown = isSubtest && (shownUnder[depth] ?? 0) > 0
    path.length = isSubtest ? depth : depth + 1
    shownUnder.length = path.length
    if (childrenShown) continue
    failures++
    for (let d = 0; d < shownUnder.length; d++) shownUnder[d] = (shownUnder[d] ?? 0) + 1
    if (failures > maxFailures) continue
    out.push('', `✗ ${[...path.slice(0, depth), title].join(' › ')}`)
    if (lines[i + 1]?.trim() !== '---') continue
    const base = indentOf(lines[i + 1] as string)
    for (let j = i + 2, n = 0; j < lines.length && lines[j]?.trim() !== '...' && n < maxLines; j++, n++) out.push(`    ${(lines[j] as string).slice(base)}`)
  }
  if (failures > maxFailures) out.push('', `… and ${failures - maxFailures} more failures (see the log)`)
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const line of tapFailures(readFileSync(process.argv[2] ?? 0, 'utf8'))) console.log(line)
}
