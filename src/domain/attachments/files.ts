/**
 * Pure rules for serving attachments: safe file names, Content-Disposition (RFC 6266 with an RFC 8187/5987
 * `filename*`), and HTTP byte ranges (RFC 9110 §14).
 */

const MAX_NAME = 200

/**
 * A file name that is safe to store and echo: no directories, no control or bidi-override characters, no quotes or
 * backslashes, no leading dots, at most 200 characters (the extension kept), never empty.
 */
export function safeFilename (raw: string | undefined): string {
  let name = (raw ?? '').normalize('NFC')
  name = name.split(/[/\\]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069"*:<>?|]/g, '_').trim()
  name = name.replace(/^\.+/, '')
  if (name.length > MAX_NAME) {
    const dot = name.lastIndexOf('.')
    const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : ''
    name = name.slice(0, MAX_NAME - ext.length) + ext
  }
  return name === '' ? 'attachment' : name
}

const encodeRfc8187 = (s: string): string =>
  encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` — never inline */
export function contentDisposition (name: string): string {
  const safe = safeFilename(name)
  const ascii = safe.replace(/[^\x20-\x7e]/g, '_').replace(/[\\"]/g, '_').replace(/%/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(safe)}`
}

export type RangeResult = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' }

/**
 * One `bytes=` range against a representation of `size` bytes. Several ranges, other units or syntax errors are
 * ignored (the whole content is sent, as RFC 9110 allows); a range that starts past the end is unsatisfiable (416).
 */
export function parseRange (header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'full' }
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (m === null) return { kind: 'full' }
  const [, a, b] = m
  if (a === '' && b === '') return { kind: 'full' }
  if (a === '') {
    const suffix = Number(b)
    if (suffix === 0) return { kind: 'unsatisfiable' }
    if (size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(a)
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1)
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' }
  if (b !== '' && Number(b) < start) return { kind: 'full' }
  return { kind: 'partial', start, end }
}
