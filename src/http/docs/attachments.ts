export const UPLOAD_DESCRIPTION = `Uploads one file, to attach afterwards (\`attachmentIds\` on ticket creation or on a comment) — so a
comment and its files arrive together and retries are safe. Send either \`multipart/form-data\` with one part named
\`file\`, or the raw bytes with any \`Content-Type\` (name it with \`?filename=\`). The body is streamed into storage,
never held in memory whole.
- At most \`ATTACHMENT_MAX_BYTES\` (25 MiB by default) per file: 413 \`attachment-too-large\`, nothing kept.
- The stored type is detected from the bytes, never taken from the client: images (PNG, JPEG, GIF, WebP), PDF, text,
  CSV, XML, e-mail messages (.eml), and gzip/zip of those; anything else (an executable renamed \`.pdf\`, …) is 415
  \`attachment-type-not-allowed\` with \`detectedType\`.
- SHA-256 is recorded; the same content uploaded again by the organization is stored once.
- The organization's stored bytes are limited (\`ATTACHMENT_ORG_QUOTA_BYTES\`): 422 \`attachment-quota-exceeded\`
  with \`usedBytes\` and \`quotaBytes\`.
- An upload not attached within \`ATTACHMENT_UPLOAD_TTL_HOURS\` (24 h) is deleted (\`expiresAt\`).
Customers upload for their own organization; agents and admins name it with \`organizationId\`.`

export const GET_ATTACHMENT_CONTENT_DESCRIPTION = `The stored bytes, to the same callers as the metadata. Always \`Content-Disposition: attachment\` (never
rendered inline) with a safe file name (RFC 6266, \`filename*\` per RFC 8187), \`X-Content-Type-Options: nosniff\`, a
\`Content-Security-Policy\` that allows nothing, \`Cache-Control: private\`. \`ETag\` is the SHA-256 (\`If-None-Match\` → 304).
One byte range per request (\`Range: bytes=…\`, \`If-Range\`) → 206 with \`Content-Range\`; past the end → 416.`
