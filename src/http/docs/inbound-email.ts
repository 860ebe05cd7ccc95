export const INBOUND_DESCRIPTION = `For a mail provider's inbound route (or your MTA): the raw RFC 822 message as the body
(\`Content-Type: message/rfc822\`, at most EMAIL_MAX_BYTES, default 10 MB → 413), authenticated by
\`X-Inbound-Signature: sha256=<hex HMAC-SHA256 of the body with INBOUND_EMAIL_SECRET>\` (no bearer token; 401
\`invalid-inbound-signature\`). The same use case as the SMTP listener: SPF/DKIM/DMARC are checked (the client IP and HELO
are read from the provider's topmost Received header), replies become public comments by the requester, new messages
from a registered organization domain open tickets on the \`email\` channel, auto-replies are ignored, and anything
that fails DMARC under p=reject/quarantine or comes from an unknown sender lands in the quarantine. A Message-ID seen
before is answered with the first result (\`duplicate: true\`), so the provider may retry safely. See docs/email.md.`
