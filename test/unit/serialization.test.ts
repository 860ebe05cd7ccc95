import t from 'tap'
import { Type } from '@sinclair/typebox'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import { buildSerializerFactory, rewrite } from '../../src/http/serialization.js'
import { TicketSchema } from '../../src/http/schemas/tickets.js'
import { allSchemas } from '../../src/http/schemas/index.js'

const Status = Type.Union([Type.Literal('open'), Type.Literal('closed')], { $id: 'Status' })
const Actor = Type.Object({ id: Type.String(), role: Type.Union([Type.Literal('agent'), Type.Literal('customer')]) }, { $id: 'Actor', additionalProperties: false })
const external = { Status, Actor } as unknown as Record<string, Record<string, unknown>>

t.test('enums and nullable fields become type checks; the input is left as it was', async (t) => {
  const schema = Type.Object({
    status: Type.Ref('Status'),
    reason: Type.Union([Type.Ref('Status'), Type.Null()]),
    at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    n: Type.Union([Type.Integer(), Type.Null()]),
    by: Type.Union([Type.Ref('Actor'), Type.Null()]),
    mixed: Type.Union([Type.String(), Type.Integer()])
  })
  const before = JSON.stringify(schema)
  const out = rewrite(schema as unknown as Record<string, unknown>, external) as { properties: Record<string, Record<string, unknown>> }
  t.equal(JSON.stringify(schema), before, 'not modified')
  t.equal(out.properties.status?.$ref, 'Status', 'a plain $ref stays (its target is rewritten in the registered schemas)')
  t.same(out.properties.reason, { type: ['string', 'null'] })
  t.match(out.properties.at, { type: ['string', 'null'], format: 'date-time' })
  t.match(out.properties.n, { type: ['integer', 'null'] })
  t.match(out.properties.by, { type: ['object', 'null'], properties: { id: { type: 'string' }, role: { type: 'string' } } })
  t.ok(Array.isArray(out.properties.mixed?.anyOf), 'a real union of two types stays a union')
  t.same(rewrite(Status as unknown as Record<string, unknown>, external), { $id: 'Status', type: 'string' }, 'a registered enum keeps its $id')
})

t.test('the ticket serializer writes exactly what the stock serializer writes', async (t) => {
  const externals: Record<string, unknown> = {}
  for (const s of allSchemas) externals[(s as { $id: string }).$id] = s
  const route = { method: 'GET', url: '/x', httpStatus: '200', schema: Type.Ref(TicketSchema.$id!) }
  const stock = SerializerSelector()(externals, {})(route)
  const ours = buildSerializerFactory()(externals, {})(route)
  const base = {
    id: '7d1c1e9c-5a3f-4a51-9c3e-0a4c3b2f9d10', organizationId: '7d1c1e9c-5a3f-4a51-9c3e-0a4c3b2f9d11', subject: 'Exports "stall"\n', description: 'd',
    severity: 'urgent', priority: 'P1', channel: 'portal', requester: { name: 'Dana', email: 'dana@example.com' }, category: null, assigneeId: null,
    status: 'open', closedReason: null, closeNote: null, closedAt: null, closedBy: null, contactAttempts: 0,
    sla: { cycle: 1, plan: 'premier', priority: 'P1', targetSeconds: 3600, targetDuration: 'PT1H', calendarId: 'always', clockStartedAt: '2026-03-07T01:30:00.000Z', dueAt: '2026-03-07T02:30:00.000Z', firstRespondedAt: null, status: 'on_track', remainingBusinessSeconds: 3600 },
    slaHistory: [], externalRefs: [], tags: ['dmarc', 'vip'], email: { enabled: false, replyAddress: null }, createdBy: { id: 'customer-1', role: 'customer' }, receivedAt: '2026-03-07T01:00:00.000Z', version: 1, createdAt: '2026-03-07T01:30:00.000Z', updatedAt: '2026-03-07T01:30:00.000Z'
  }
  const closed = {
    ...base, category: 'billing', assigneeId: 'agent-7', status: 'closed', closedReason: 'no_response', closeNote: 'x', closedAt: '2026-03-09T01:30:00.000Z',
    closedBy: { id: 'agent-7', role: 'agent' }, contactAttempts: 3,
    sla: { ...base.sla, firstRespondedAt: '2026-03-07T02:00:00.000Z', status: 'met', remainingBusinessSeconds: 0 },
    slaHistory: [{ cycle: 1, plan: 'premier', priority: 'P1', targetSeconds: 3600, targetDuration: 'PT1H', calendarId: 'always', clockStartedAt: '2026-03-01T00:00:00.000Z', dueAt: '2026-03-01T01:00:00.000Z', firstRespondedAt: null, status: 'breached', endedAt: '2026-03-02T00:00:00.000Z' }],
    externalRefs: [{ system: 'jira', externalId: 'SUP-1', url: null }],
    email: { enabled: true, replyAddress: 'support+abc@desk.example' }
  }
  for (const doc of [base, closed]) t.equal(ours(doc), stock(doc))
})
