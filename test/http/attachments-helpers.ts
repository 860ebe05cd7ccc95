import { randomBytes } from 'node:crypto'
import { crc32, gzipSync } from 'node:zlib'
import sharp from 'sharp'
import type { TestApp } from '../helpers/app.js'

/** a multipart/form-data body with one `file` part */
export function multipart (filename: string, content: Buffer, type = 'application/octet-stream'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----sd${randomBytes(8).toString('hex')}`
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`)
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  return { payload: Buffer.concat([head, content, tail]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

export async function upload (h: TestApp, token: string, filename: string, content: Buffer, opts: { type?: string; query?: string } = {}) {
  const { payload, headers } = multipart(filename, content, opts.type)
  return await h.request(token, { method: 'POST', url: `/v1/uploads${opts.query ?? ''}`, payload, headers })
}

export async function uploadOk (h: TestApp, token: string, filename: string, content: Buffer, opts: { type?: string; query?: string } = {}): Promise<Record<string, any>> {
  const res = await upload(h, token, filename, content, opts)
  if (res.statusCode !== 201) throw new Error(`upload ${filename}: ${res.statusCode} ${res.body}`)
  return res.json()
}

export const png = async (seed = 0): Promise<Buffer> =>
  await sharp({ create: { width: 64 + seed, height: 48, channels: 3, background: { r: 200, g: seed % 255, b: 40 } } }).png().toBuffer()

/**
 * Bytes that are neither a known format nor text, the same on every run. Random bytes are not: about 1 draw in 1,400 of
 * 5,000 random bytes starts with some format's magic number (MPEG audio, AAC, BMP, `MZ`, …; measured over 200,000
 * draws), and a test that expects `application/octet-stream` then fails by chance (seen once in CI).
 */
export function opaqueBinary (length: number): Buffer {
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) out[i] = (i * 151 + 0x80) & 0xff // starts 0x80 0x17 0xae …: no magic number, not UTF-8
  return out
}

export const pdf = (): Buffer => Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
export const elf = (): Buffer => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), randomBytes(2000)])
export const pe = (): Buffer => { const b = Buffer.alloc(2048); b.write('MZ', 0); b.writeUInt32LE(0x80, 0x3c); b.write('PE\0\0', 0x80, 'binary'); return b }
export const dmarcXml = (): Buffer => Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<feedback><report_metadata><org_name>google.com</org_name></report_metadata></feedback>\n')
export const eml = (): Buffer => Buffer.from('Received: from mx.example (mx.example [192.0.2.1])\r\nFrom: Dana <dana@acme.example>\r\nTo: support@vendor.example\r\nSubject: bounce\r\nDate: Mon, 9 Mar 2026 09:00:00 -0700\r\nMessage-ID: <1@acme.example>\r\n\r\nBody\r\n')

/** a zip (stored, no compression) of the given members */
export function zip (members: Array<{ name: string; data: Buffer }>): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const m of members) {
    const name = Buffer.from(m.name)
    const crc = crc32(m.data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0, 8)
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(m.data.length, 18); local.writeUInt32LE(m.data.length, 22); local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6)
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(m.data.length, 20); central.writeUInt32LE(m.data.length, 24); central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, m.data)
    centrals.push(central, name)
    offset += 30 + name.length + m.data.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(members.length, 8); end.writeUInt16LE(members.length, 10)
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

export const gzip = (b: Buffer): Buffer => gzipSync(b)

/** rows in the blob store and attachment tables: proof that a refusal left nothing behind */
export async function storeCounts (h: TestApp): Promise<{ chunks: number; blobs: number; attachments: number }> {
  const { sql } = await import('drizzle-orm')
  const rows = await h.database.rows<{ chunks: string; blobs: string; attachments: string }>(sql`SELECT (SELECT count(*) FROM blob_chunks) AS chunks, (SELECT count(*) FROM blobs) AS blobs, (SELECT count(*) FROM attachments) AS attachments`)
  const r = rows[0] as { chunks: string; blobs: string; attachments: string }
  return { chunks: Number(r.chunks), blobs: Number(r.blobs), attachments: Number(r.attachments) }
}
