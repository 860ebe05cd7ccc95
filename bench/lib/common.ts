/** Small helpers shared by the benchmark processes: statistics, /proc readings, machine info, child processes. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'

/**
 * The node flags of `npm start` (package.json `scripts.start`: `node <flags> dist/server.js`), which the Dockerfile
 * runs too (test/unit/start-command.test.ts). The benchmark starts the service with them, and ceiling I as well: a
 * runtime flag costs any server nothing, so the ceiling gets the same.
 */
export function startFlags (packageJsonPath: string): string[] {
  const start = (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { scripts?: { start?: string } }).scripts?.start ?? ''
  const words = start.split(/\s+/).filter((w) => w !== '')
  if (words[0] !== 'node' || words.at(-1) !== 'dist/server.js') throw new Error(`package.json scripts.start is not \`node <flags> dist/server.js\`: ${start}`)
  return words.slice(1, -1)
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export function median (xs: number[]): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export interface Spread { median: number; min: number; max: number; values: number[] }

export function spread (xs: number[]): Spread {
  const finite = xs.filter((x) => Number.isFinite(x))
  return {
    median: median(finite),
    min: finite.length === 0 ? NaN : Math.min(...finite),
    max: finite.length === 0 ? NaN : Math.max(...finite),
    values: xs
  }
}

/** user+system CPU time of a process, in milliseconds (fields 14 and 15 of /proc/<pid>/stat, in clock ticks) */
/** write-like and read-like system calls of a process so far (/proc/<pid>/io syscw, syscr): socket writes and reads */
export function ioCalls (pid: number): { writes: number; reads: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8')
  return { writes: Number(/syscw: (\d+)/.exec(io)?.[1] ?? NaN), reads: Number(/syscr: (\d+)/.exec(io)?.[1] ?? NaN) }
}

/** CPU time (user+system) so far of each PostgreSQL server process on this machine (the benchmark's database server), ms */
export function postgresCpu (): Map<number, number> {
  const out = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      if (name !== 'postgres' && !name.startsWith('postgres:')) continue
      out.set(Number(entry), cpuMs(Number(entry)))
    } catch { /* the process ended meanwhile */ }
  }
  return out
}

/** the database server's CPU between two snapshots, ms: processes alive at the end (a backend that exited in between
 * is left out: the service keeps its pooled connections open, so that is rare and only ever undercounts) */
export function postgresCpuBetween (before: Map<number, number>, after: Map<number, number>): number {
  let total = 0
  for (const [pid, ms] of after) total += Math.max(0, ms - (before.get(pid) ?? 0))
  return total
}

export function cpuMs (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // the command name (field 2) may contain spaces: count fields after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return (utime + stime) * (1000 / CLOCK_TICKS)
}

/** sysconf(_SC_CLK_TCK): 100 on every Linux that matters */
const CLOCK_TICKS = 100

/** a value in kB from /proc/<pid>/status (VmHWM = peak RSS, VmRSS = current RSS), returned in MB */
export function statusMb (pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  return m === null ? NaN : Number(m[1]) / 1024
}

export interface MachineInfo {
  cores: number
  cpuModel: string
  memoryGb: number
  node: string
  postgres: string
  os: string
  loadAverageAtStart: number[]
}

export function machineInfo (postgresVersion: string): MachineInfo {
  const meminfo = readFileSync('/proc/meminfo', 'utf8')
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0)
  let os: string = process.platform
  try {
    os = /^PRETTY_NAME="?([^"\n]+)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os
  } catch { /* not Linux-like */ }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number)
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(memKb / 1024 / 1024 * 10) / 10,
    node: process.version,
    postgres: postgresVersion,
    os,
    loadAverageAtStart: load
  }
}

/** runs a command to completion and returns its stdout; rejects with stderr on a non-zero exit */
export function run (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(out)
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${String(code)}\n${err.slice(-4000)}`))
    })
    if (opts.input !== undefined) child.stdin.end(opts.input)
    else child.stdin.end()
  })
}

/** waits until an HTTP GET on the URL answers 200 (the child is polled so a crash fails fast) */
export async function waitForHttp (url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process ${String(child.pid)} exited with ${child.exitCode} before ${url} answered`)
    try {
      const res = await fetch(url)
      if (res.status === 200) return
    } catch { /* not listening yet */ }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms`)
    await sleep(100)
  }
}

/** stops a child we started (SIGTERM, then SIGKILL after a grace period) */
export async function stopChild (child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => { if (child.exitCode === null) child.kill('SIGKILL') }, graceMs)
  await exited
  clearTimeout(timer)
}

export const round = (x: number, digits = 0): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
