import { createHmac, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import * as inbound from '../../application/email-inbound.js'
import { DomainError } from '../../domain/errors.js'
import { iso } from '../../domain/time.js'
import { principal } from '../plugins/auth.js'
import { keyset } from '../cursor.js'
import { CursorParam, Limit, Uuid, problemResponses, ref } from '../schemas/common.js'
import { InboundResultSchema, QuarantinePage, ReleaseBody } from '../schemas/email.js'
import { presentQuarantined } from '../presenters/inbound-email.js'
import { INBOUND_DESCRIPTION } from '../docs/inbound-email.js'

export const SIGNATURE_HEADER = 'x-inbound-signature'

/** `sha256=<hex HMAC-SHA256 of the raw message with INBOUND_EMAIL_SECRET>` */
export const signInbound = (secret: string, raw: Buffer): string => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`

function verifySignature (secret: string | undefined, header: string | undefined, raw: Buffer): void {
  if (secret === undefined) throw new DomainError('inbound-email-off', 'POST /v1/inbound-email is off: set INBOUND_EMAIL_SECRET')
  const expected = Buffer.from(signInbound(secret, raw))
  const given = Buffer.from(header ?? '')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DomainError('invalid-inbound-signature', `${SIGNATURE_HEADER} must be sha256=<hex HMAC-SHA256 of the raw body with the shared secret>`)
  }
}

export const inboundEmailRoutes: FastifyPluginAsyncTypebox<{ inboundSecret?: string; maxMessageBytes: number }> = async (app, { inboundSecret, maxMessageBytes }) => {
  // the raw message travels as a latin1 string (byte-exact), so the route schema can describe it
  app.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: maxMessageBytes }, (_req, body, done) => {
    done(null, (body as Buffer).toString('latin1'))
  })

  app.post('/v1/inbound-email', {
    config: { public: true },
    schema: {
      operationId: 'receiveInboundEmail', tags: ['email'], summary: 'Receive one email (provider inbound route)',
      description: INBOUND_DESCRIPTION,
      // no bearer token: the provider signs the raw message with the shared secret (INBOUND_EMAIL_SECRET)
      security: [{ inboundSignature: [] }],
      consumes: ['message/rfc822'],
      headers: Type.Object({ [SIGNATURE_HEADER]: Type.Optional(Type.String({ maxLength: 100, pattern: '^sha256=[0-9a-f]{64}$' })) }),
      body: Type.String({ maxLength: 50 * 1024 * 1024, description: 'The raw message (RFC 822)' }),
      response: { 200: ref(InboundResultSchema), ...problemResponses(401, 404) }
    }
  }, async (request) => {
    const raw = Buffer.from(request.body, 'latin1')
    const sig = request.headers[SIGNATURE_HEADER]
    verifySignature(inboundSecret, typeof sig === 'string' ? sig : undefined, raw)
    return await inbound.receiveEmail(request.ctx, raw, { via: 'http' })
  })

  app.get('/v1/inbound-email/quarantine', {
    schema: {
      operationId: 'listQuarantinedEmails', tags: ['email'], summary: 'Messages held in quarantine (staff)',
      description: 'Oldest first. Mail that failed DMARC for a domain with p=reject or p=quarantine, from an unknown domain, from a sender that does not belong to the ticket it answers, or that could not be filed. Agents and admins with an unscoped token.',
      querystring: Type.Object({ limit: Limit(), cursor: Type.Optional(CursorParam) }, { additionalProperties: false }),
      response: { 200: ref(QuarantinePage), ...problemResponses(404) }
    }
  }, async (request) => {
    const keys = keyset(request.query.cursor, {}, ['timestamp', 'uuid'])
    const page = await inbound.listQuarantine(request.ctx, principal(request), {
      limit: request.query.limit,
      after: keys.after('receivedAt')
    })
    return {
      items: page.items.map(presentQuarantined),
      nextCursor: keys.next(page, (last) => [iso(last.receivedAt), last.id])
    }
  })

  const Params = Type.Object({ inboundEmailId: Uuid })

  app.post('/v1/inbound-email/quarantine/:inboundEmailId/release', {
    schema: {
      operationId: 'releaseQuarantinedEmail', tags: ['email'], summary: 'Release a quarantined message (agent)',
      description: 'The agent vouches for the message: it is filed as if it had passed (a comment on its ticket, or a new ticket; `organizationId` names the organization when the sender\'s domain is not registered, else 422 `no-destination`). 409 `quarantine-decided` when already released or discarded; 409 `conflict` when it still cannot be filed (e.g. its ticket is closed).',
      params: Params,
      body: ref(ReleaseBody),
      response: { 200: ref(InboundResultSchema), ...problemResponses(404, 409, 422) }
    }
  }, async (request) => {
    return await inbound.releaseQuarantined(request.ctx, principal(request), request.params.inboundEmailId, { organizationId: request.body.organizationId })
  })

  app.post('/v1/inbound-email/quarantine/:inboundEmailId/discard', {
    schema: {
      operationId: 'discardQuarantinedEmail', tags: ['email'], summary: 'Discard a quarantined message (agent)',
      description: 'Drops the stored message; the record of its receipt stays. 409 `quarantine-decided` when already released or discarded.',
      params: Params,
      response: { 200: ref(InboundResultSchema), ...problemResponses(404, 409) }
    }
  }, async (request) => {
    return await inbound.discardQuarantined(request.ctx, principal(request), request.params.inboundEmailId)
  })
}
