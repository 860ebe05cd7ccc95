import { sql } from 'drizzle-orm'
import type { BlobStore } from '../application/ports/blob-store.js'
import type { Database } from './client.js'

/** the size of one stored chunk: a 25 MB file is 100 rows (see docs/attachments.md for the choice) */
export const CHUNK_BYTES = 256 * 1024

const asBuffer = (v: unknown): Buffer => Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array)

/**
 * The BlobStore port on PostgreSQL: bytes as ordered `blob_chunks` rows of CHUNK_BYTES. Each chunk is its own short
 * statement (no transaction held open while a client uploads slowly); a failed upload is cleaned up by the caller's
 * `delete`. Reads fetch one chunk per statement, cutting the first and last to the requested range in SQL.
 */
export function postgresBlobStore (database: Database): BlobStore {
  const db = database.db
  return {
    async put (key, source) {
      let seq = 0
      let size = 0
      let pending: Buffer[] = []
      let pendingBytes = 0
      const flush = async (piece: Buffer): Promise<void> => {
        await db.execute(sql`INSERT INTO blob_chunks (storage_key, seq, data) VALUES (${key}, ${seq}, ${piece})`)
        seq++
      }
      for await (const part of source) {
        let buf = asBuffer(part)
        size += buf.length
        while (pendingBytes + buf.length >= CHUNK_BYTES) {
          const take = CHUNK_BYTES - pendingBytes
          pending.push(buf.subarray(0, take))
          buf = buf.subarray(take)
          const chunk = Buffer.concat(pending, CHUNK_BYTES)
          pending = []
          pendingBytes = 0
          await flush(chunk)
        }
        if (buf.length > 0) {
          // copy: the source may reuse its buffer once we return to it
          pending.push(Buffer.from(buf))
          pendingBytes += buf.length
        }
      }
      if (pendingBytes > 0) await flush(Buffer.concat(pending, pendingBytes))
      return { size }
    },

    async * get (key, range) {
      if (range.end < range.start) return
      const first = Math.floor(range.start / CHUNK_BYTES)
      const last = Math.floor(range.end / CHUNK_BYTES)
      for (let seq = first; seq <= last; seq++) {
        const chunkStart = seq * CHUNK_BYTES
        const from = Math.max(range.start, chunkStart) - chunkStart
        const to = Math.min(range.end, chunkStart + CHUNK_BYTES - 1) - chunkStart
        const rows = await database.rows<{ data: unknown }>(sql`SELECT substring(data FROM ${from + 1}::int FOR ${to - from + 1}::int) AS data FROM blob_chunks WHERE storage_key = ${key} AND seq = ${seq}`)
        const row = rows[0]
        if (row === undefined) throw new Error(`blob ${key}: chunk ${seq} is missing`)
        yield asBuffer(row.data)
      }
    },

    async delete (key) {
      await db.execute(sql`DELETE FROM blob_chunks WHERE storage_key = ${key}`)
    }
  }
}
