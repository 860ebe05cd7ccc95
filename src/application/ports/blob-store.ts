/**
 * Where attachment bytes live. The use cases know only this port; src/db/blob-store.ts keeps the bytes in
 * PostgreSQL (chunked bytea rows), and an object store (S3 and the like) can be added later behind the same three
 * operations without touching them (docs/attachments.md).
 *
 * Contract:
 * - `put` consumes the source as it arrives and never holds more than one chunk of it; it resolves once every byte is
 *   stored. If the source throws (size limit, client gone), `put` rejects and the caller deletes the key.
 * - `get` yields the bytes [start, end] (inclusive, like an HTTP range), one chunk at a time.
 * - `delete` is idempotent: deleting a key that is absent (or half written) is not an error.
 */
export interface BlobStore {
  put: (key: string, source: AsyncIterable<Uint8Array>) => Promise<{ size: number }>
  get: (key: string, range: { start: number; end: number }) => AsyncIterable<Uint8Array>
  delete: (key: string) => Promise<void>
}
