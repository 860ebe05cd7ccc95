/**
 * `npm run bench:attachments`: upload and download throughput (MB/s) of 1 MB and 25 MB files through the HTTP API into
 * the PostgreSQL blob store, over a real socket, one request at a time. Needs a PostgreSQL server
 * (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres); a scratch database is created and
 * dropped. Options: --rounds R (default 5). Prints every round and the medians.
 */
import { randomBytes } from 'node:crypto'
import { request as httpRequest, get } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportSPKI, generateKeyPair } from 'jose'
import postgres from 'postgres'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/client.js'
import { runMigrations } from '../src/db/migrate.js'
import { mintToken } from '../src/auth/keys.js'

const MB = 1024 * 1024
const i = process.argv.indexOf('--rounds')
const ROUNDS = i >= 0 && Number(process.argv[i + 1]) > 0 ? Math.floor(Number(process.argv[i + 1])) : 5
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

const name = `sd_bench_attach_${Date.now().toString(36)}`
const admin = postgres(SERVER, { max: 1, onnotice: () => {} })
await admin.unsafe(`CREATE DATABASE ${name}`)
const url = new URL(SERVER)
url.pathname = `/${name}`
const database = await openDatabase({ url: url.toString(), poolMax: 10 })
try {
  await runMigrations(database)
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const config = loadConfig({ JWT_PUBLIC_KEY: await exportSPKI(publicKey), LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '0', ATTACHMENT_ORG_QUOTA_BYTES: String(64 * 1024 * MB) })
  const app = await buildApp(config, { database, docsUi: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const adminToken = await mintToken(privateKey, { sub: 'bench-admin', roles: ['admin'] }, { issuer: config.jwt.issuer, audience: config.jwt.audience })
  const org = await app.inject({ method: 'POST', url: '/v1/organizations', headers: { authorization: `Bearer ${adminToken}` }, payload: { name: 'Bench', plan: 'premier', subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } } })
  const token = await mintToken(privateKey, { sub: 'bench-customer', roles: ['customer'], org_id: org.json().id }, { issuer: config.jwt.issuer, audience: config.jwt.audience })

  /** one upload of `size` fresh random bytes (PDF header, so it is accepted), sent in 64 KiB writes */
  const upload = async (size: number): Promise<{ id: string; seconds: number }> => await new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v1/uploads?filename=bench.pdf', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf', 'content-length': String(size) } }, (res) => {
      const parts: Buffer[] = []
      res.on('data', (c: Buffer) => parts.push(c))
      res.on('end', () => {
        if (res.statusCode !== 201) { reject(new Error(`upload: ${res.statusCode} ${Buffer.concat(parts).toString()}`)); return }
        resolve({ id: JSON.parse(Buffer.concat(parts).toString()).id, seconds: Number(process.hrtime.bigint() - t0) / 1e9 })
      })
    })
    req.on('error', reject)
    let sent = 0
    const write = (): void => {
      while (sent < size) {
        const n = Math.min(64 * 1024, size - sent)
        const piece = sent === 0 ? Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(n - 9)]) : randomBytes(n)
        sent += n
        if (!req.write(piece)) { req.once('drain', write); return }
      }
      req.end()
    }
    write()
  })

  const download = async (id: string, size: number): Promise<number> => await new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    get({ host: '127.0.0.1', port, path: `/v1/attachments/${id}/content`, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0
      res.on('data', (c: Buffer) => { bytes += c.length })
      res.on('end', () => {
        if (res.statusCode !== 200 || bytes !== size) { reject(new Error(`download: ${res.statusCode}, ${bytes} bytes`)); return }
        resolve(Number(process.hrtime.bigint() - t0) / 1e9)
      })
    }).on('error', reject)
  })

  const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? 0 }
  const rows: string[] = []
  for (const size of [MB, 25 * MB]) {
    const up: number[] = []
    const down: number[] = []
    // one warm-up round, not counted
    for (let r = 0; r <= ROUNDS; r++) {
      const u = await upload(size)
      const d = await download(u.id, size)
      if (r === 0) continue
      up.push(size / MB / u.seconds)
      down.push(size / MB / d)
      console.log(`${size / MB} MB round ${r}: upload ${(size / MB / u.seconds).toFixed(1)} MB/s, download ${(size / MB / d).toFixed(1)} MB/s`)
    }
    rows.push(`| ${size / MB} MB | ${median(up).toFixed(1)} | ${median(down).toFixed(1)} |`)
  }
  console.log(`\nAttachments on PostgreSQL (median of ${ROUNDS}, one request at a time, ${database.kind}):\n`)
  console.log('| file | upload MB/s | download MB/s |\n|---|---:|---:|')
  for (const r of rows) console.log(r)
  await app.close()
} finally {
  await database.close()
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await admin.end({ timeout: 5 })
}
