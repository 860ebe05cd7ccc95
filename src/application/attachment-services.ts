import type { Config } from '../config.js'
import type { Database } from '../db/client.js'
import { postgresBlobStore } from '../db/blob-store.js'
import type { AttachmentServices } from './attachments.js'

/** the attachment services of one app instance: bytes in PostgreSQL (the one BlobStore implementation so far) */
export function attachmentServices (config: Config, database: Database): AttachmentServices {
  return { store: postgresBlobStore(database), settings: config.attachments, background: new Set() }
}
