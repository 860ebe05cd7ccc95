/**
 * What a file is, from its bytes (never from the client's claim). Fed the upload as it streams past; keeps only the
 * first and last 64 KiB and a streaming UTF-8 check, so it costs no memory proportional to the file.
 *
 * How each allowed type is recognised (docs/attachments.md):
 * - binary formats (PNG, JPEG, GIF, WebP, PDF, gzip, zip, ELF, PE, …): their magic bytes, through `file-type`;
 * - text: no magic bytes exist, so the WHOLE file must be valid UTF-8 (a BOM allowed) without NUL or control
 *   characters other than tab, line feed, carriage return and form feed. Text is then told apart by its start:
 *   XML (`<?xml`, or a leading element, not HTML), an e-mail message (.eml: an RFC 5322 header block whose first line
 *   is a header field and that has at least two of From, To, Subject, Date, Message-ID, Received, Return-Path,
 *   DKIM-Signature, MIME-Version), CSV (text named `.csv` or claimed `text/csv`: CSV has no signature, and calling text
 *   CSV is harmless), otherwise text/plain;
 * - gzip: the start of the decompressed stream must itself be an allowed, non-archive type;
 * - zip: the first member's content must be an allowed, non-archive type, and every member name in the central
 *   directory (read from the last 64 KiB) must carry the extension of an allowed, non-archive type.
 */
import { constants, gunzipSync, inflateRawSync } from 'node:zlib'
import { fileTypeFromBuffer } from 'file-type'

const EDGE = 64 * 1024
const ARCHIVES = new Set(['application/gzip', 'application/zip'])

/** file-type's names for the types this service knows under another name */
const ALIASES: Record<string, string> = { 'application/x-gzip': 'application/gzip', 'text/xml': 'application/xml' }

const EXTENSION_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', pdf: 'application/pdf',
  txt: 'text/plain', log: 'text/plain', text: 'text/plain', md: 'text/plain', csv: 'text/csv', xml: 'application/xml',
  eml: 'message/rfc822', gz: 'application/gzip', zip: 'application/zip'
}

export type SniffResult = { ok: true; contentType: string } | { ok: false; detected: string; reason: string }

const EMAIL_FIELDS = ['from', 'to', 'subject', 'date', 'message-id', 'received', 'return-path', 'dkim-signature', 'mime-version']

/** true when every code unit is allowed in text (no NUL, no C0 controls but \t \n \f \r, no DEL) */
function plainCharacters (text: string): boolean {
  // eslint-disable-next-line no-control-regex -- the control characters are what is checked
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)
}

/** the kind of a text file, from its start */
export function classifyText (head: string, filename: string, claimed: string | undefined): string {
  const start = head.replace(/^\uFEFF/, '').trimStart()
  const lower = start.slice(0, 200).toLowerCase()
  if (lower.startsWith('<?xml') || (/^<[a-z_][\w.:-]*[\s>/]/i.test(start) && !/^<(html|head|body|script)\b/i.test(start))) return 'application/xml'
  if (/^[\x21-\x39\x3b-\x7e]+:/.test(start)) {
    const headerBlock = start.split(/\r?\n\r?\n/, 1)[0] ?? ''
    const names = new Set(headerBlock.split(/\r?\n/).map((l) => /^([\x21-\x39\x3b-\x7e]+):/.exec(l)?.[1]?.toLowerCase()).filter((n) => n !== undefined))
    if (EMAIL_FIELDS.filter((f) => names.has(f)).length >= 2) return 'message/rfc822'
  }
  if (/\.csv$/i.test(filename) || claimed?.split(';')[0]?.trim().toLowerCase() === 'text/csv') return 'text/csv'
  return 'text/plain'
}

/** the type of a (possibly truncated) piece of content: magic bytes, else the text rules on its start */
async function typeOfStart (bytes: Uint8Array, filename: string): Promise<string | undefined> {
  const found = await fileTypeFromBuffer(bytes)
  if (found !== undefined) return ALIASES[found.mime] ?? found.mime
  // a truncated start may cut a multi-byte character: decode non-fatally but refuse replacement characters in the body
  const text = new TextDecoder('utf-8').decode(bytes.subarray(0, Math.max(0, bytes.length - 4)))
  if (text.includes('\uFFFD') || !plainCharacters(text)) return undefined
  return classifyText(text, filename, undefined)
}

function zipMembers (tail: Buffer): string[] | undefined {
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (eocd < 0 || eocd + 22 > tail.length) return undefined
  const entries = tail.readUInt16LE(eocd + 10)
  const cdSize = tail.readUInt32LE(eocd + 12)
  let at = eocd - cdSize
  if (at < 0) return undefined
  const names: string[] = []
  for (let i = 0; i < entries; i++) {
    if (at + 46 > tail.length || tail.readUInt32LE(at) !== 0x02014b50) return undefined
    const n = tail.readUInt16LE(at + 28)
    const e = tail.readUInt16LE(at + 30)
    const c = tail.readUInt16LE(at + 32)
    names.push(tail.subarray(at + 46, at + 46 + n).toString('utf8'))
    at += 46 + n + e + c
  }
  return names
}

function firstZipMember (head: Buffer): { name: string; start: Buffer } | undefined {
  if (head.length < 30 || head.readUInt32LE(0) !== 0x04034b50) return undefined
  const method = head.readUInt16LE(8)
  const n = head.readUInt16LE(26)
  const e = head.readUInt16LE(28)
  const name = head.subarray(30, 30 + n).toString('utf8')
  const data = head.subarray(30 + n + e)
  if (method === 0) return { name, start: data }
  if (method === 8) {
    try { return { name, start: inflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: EDGE }) } } catch { return undefined }
  }
  return undefined
}

export class ContentSniffer {
  private head = Buffer.alloc(0)
  private tail = Buffer.alloc(0)
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })
  private isText = true

  update (chunk: Uint8Array): void {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    if (this.head.length < EDGE) this.head = Buffer.concat([this.head, buf.subarray(0, EDGE - this.head.length)])
    this.tail = buf.length >= EDGE ? Buffer.from(buf.subarray(buf.length - EDGE)) : Buffer.concat([this.tail, buf]).subarray(-EDGE)
    if (this.isText) {
      try {
        if (!plainCharacters(this.decoder.decode(buf, { stream: true }))) this.isText = false
      } catch { this.isText = false }
    }
  }

  /** the detected type, checked against the allowed list */
  async result (filename: string, claimed: string | undefined, allowed: readonly string[]): Promise<SniffResult> {
    const allow = new Set(allowed)
    if (this.head.length === 0) return { ok: false, detected: 'empty', reason: 'The file is empty' }
    const found = await fileTypeFromBuffer(this.head)
    let type: string
    if (found !== undefined) {
      type = ALIASES[found.mime] ?? found.mime
    } else {
      try { this.decoder.decode() } catch { this.isText = false }
      if (!this.isText) return { ok: false, detected: 'application/octet-stream', reason: 'The content is neither a known file format nor UTF-8 text' }
      type = classifyText(this.head.toString('utf8'), filename, claimed)
    }
    if (!allow.has(type)) return { ok: false, detected: type, reason: `Files of type ${type} are not accepted` }
    if (type === 'application/gzip') {
      let inner: Buffer
      try { inner = gunzipSync(this.head, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: EDGE }) } catch { return { ok: false, detected: type, reason: 'The gzip stream could not be read' } }
      const innerType = await typeOfStart(inner, filename.replace(/\.gz$/i, ''))
      if (innerType === undefined || ARCHIVES.has(innerType) || !allow.has(innerType)) return { ok: false, detected: `${type}+${innerType ?? 'unknown'}`, reason: 'A gzip file must contain an accepted, non-archive type' }
    }
    if (type === 'application/zip') {
      const first = firstZipMember(this.head)
      const names = zipMembers(this.tail)
      if (first === undefined || names === undefined) return { ok: false, detected: type, reason: 'The zip file could not be inspected (first member unreadable, or its directory is not within the last 64 KiB)' }
      const innerType = await typeOfStart(first.start, first.name)
      if (innerType === undefined || ARCHIVES.has(innerType) || !allow.has(innerType)) return { ok: false, detected: `${type}+${innerType ?? 'unknown'}`, reason: 'A zip file must contain accepted, non-archive types' }
      for (const name of names) {
        if (name.endsWith('/')) continue
        const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase()
        const t = ext === undefined ? undefined : EXTENSION_TYPES[ext]
        if (t === undefined || ARCHIVES.has(t) || !allow.has(t)) return { ok: false, detected: `${type}+${name}`, reason: `The zip member ${JSON.stringify(name.slice(0, 100))} is not of an accepted type` }
      }
    }
    return { ok: true, contentType: type }
  }
}
