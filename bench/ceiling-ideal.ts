/**
 * Ceiling I ("ideal", issue 15): the minimal server on the service's own stack — Fastify 5 + postgres.js with prepared
 * statements, on the same database and tables — doing only the durable work of each operation and nothing else (no
 * authentication, no idempotency record, no rule checks, no SLA computation):
 * - POST /v1/tickets: BEGIN, INSERT the ticket row, INSERT its outbox event, COMMIT; answers the row
 * - PATCH /v1/tickets/:id with If-Match: BEGIN, version-checked UPDATE … RETURNING, INSERT the event, COMMIT; ETag
 * - POST /v1/tickets/:id/comments: BEGIN, INSERT the comment, INSERT the event, COMMIT
 * - GET /v1/tickets/:id: one SELECT by primary key
 * - GET /v1/tickets?limit=50: the first page of the default order (created_at DESC, id DESC)
 * The paths are the service's, so the benchmark's scenarios run against it unchanged.
 * Usage: node --import tsx bench/ceiling-ideal.ts <database url> [port] [pool size]   (prints `listening <port>`)
 */
import { randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import postgres from 'postgres'

const url = process.argv[2]
if (url === undefined) throw new Error('usage: ceiling-ideal.ts <database url> [port] [pool]')
const port = Number(process.argv[3] ?? 0)
const sql = postgres(url, { max: Number(process.argv[4] ?? 10), prepare: true, onnotice: () => {} })
const app = Fastify({ logger: false })

const TICKET_COLUMNS = 'id, organization_id, subject, description, severity, priority, channel, requester_name, requester_email, category, assignee_id, status, contact_attempts, sla_cycle, sla_plan, sla_priority, sla_target_seconds, sla_calendar_id, sla_clock_started_at, sla_due_at, sla_at_risk_at, first_responded_at, sla_phase, version, received_at, created_at, updated_at'
const PRIORITY: Record<string, string> = { urgent: 'P1', high: 'P2', medium: 'P2', low: 'P3' }

interface CreateBody { organizationId: string; subject: string; description: string; severity: string; channel: string; requester: { name: string; email: string } }

app.post('/v1/tickets', async (request, reply) => {
  const b = request.body as CreateBody
  const now = new Date()
  const due = new Date(now.getTime() + 8 * 3_600_000)
  const atRisk = new Date(now.getTime() + 6 * 3_600_000)
  const id = randomUUID()
  const row = await sql.begin(async (tx) => {
    const [t] = await tx.unsafe(`insert into tickets (id, organization_id, subject, description, severity, priority, channel, requester_name, requester_email,
        status, sla_plan, sla_priority, sla_target_seconds, sla_calendar_id, sla_clock_started_at, sla_due_at, sla_at_risk_at, sla_phase,
        created_by_id, created_by_role, received_at, created_at, updated_at)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', 'enhanced', $6, 28800, 'business-hours', $10, $11, $12, 'pending', 'bench-ideal', 'agent', $10, $10, $10)
      returning ${TICKET_COLUMNS}`, [id, b.organizationId, b.subject, b.description, b.severity, PRIORITY[b.severity] ?? 'P2', b.channel, b.requester.name, b.requester.email, now, due, atRisk], { prepare: true })
    await tx.unsafe(`insert into events (type, organization_id, resource_type, resource_id, resource_version, ticket_id, visibility, actor_id, actor_role, occurred_at, data)
      values ('ticket.created', $1, 'ticket', $2, 1, $2, 'public', 'bench-ideal', 'agent', $3, $4)`, [b.organizationId, id, now, JSON.stringify({ ticketId: id, after: { subject: b.subject, severity: b.severity } })], { prepare: true })
    return t
  })
  reply.header('etag', '"1"').header('location', `/v1/tickets/${id}`)
  return await reply.code(201).send(row)
})

app.get('/v1/tickets/:id', async (request, reply) => {
  const { id } = request.params as { id: string }
  const [t] = await sql.unsafe(`select ${TICKET_COLUMNS} from tickets where id = $1`, [id], { prepare: true })
  if (t === undefined) return await reply.code(404).send({ code: 'not-found' })
  return await reply.header('etag', `"${String(t.version)}"`).send(t)
})

app.get('/v1/tickets', async () => {
  const rows = await sql.unsafe(`select ${TICKET_COLUMNS} from tickets order by created_at desc, id desc limit 51`, [], { prepare: true })
  return { items: rows.slice(0, 50), nextCursor: rows.length > 50 ? 'next' : null }
})

app.patch('/v1/tickets/:id', async (request, reply) => {
  const { id } = request.params as { id: string }
  const version = Number(/^"(\d+)"$/.exec(String(request.headers['if-match']))?.[1])
  const b = request.body as { category?: string; assigneeId?: string }
  const now = new Date()
  const row = await sql.begin(async (tx) => {
    const [t] = await tx.unsafe(`update tickets set category = coalesce($3, category), assignee_id = coalesce($4, assignee_id), version = version + 1, updated_at = $5
      where id = $1 and version = $2 returning ${TICKET_COLUMNS}`, [id, version, b.category ?? null, b.assigneeId ?? null, now], { prepare: true })
    if (t === undefined) return undefined
    await tx.unsafe(`insert into events (type, organization_id, resource_type, resource_id, resource_version, ticket_id, visibility, actor_id, actor_role, occurred_at, data)
      values ('ticket.updated', $1, 'ticket', $2, $3, $2, 'public', 'bench-ideal', 'agent', $4, $5)`, [t.organization_id, id, t.version, now, JSON.stringify({ ticketId: id, after: b })], { prepare: true })
    return t
  })
  if (row === undefined) return await reply.code(412).send({ code: 'precondition-failed' })
  return await reply.header('etag', `"${String(row.version)}"`).send(row)
})

app.post('/v1/tickets/:id/comments', async (request, reply) => {
  const { id } = request.params as { id: string }
  const b = request.body as { body: string; visibility: string }
  const now = new Date()
  const row = await sql.begin(async (tx) => {
    const [c] = await tx.unsafe(`insert into ticket_comments (ticket_id, organization_id, body, visibility, sla_cycle, author_id, author_role, created_at)
      select id, organization_id, $2, $3, sla_cycle, 'bench-ideal', 'agent', $4 from tickets where id = $1
      returning id, ticket_id, organization_id, body, visibility, created_at`, [id, b.body, b.visibility, now], { prepare: true })
    if (c === undefined) return undefined
    await tx.unsafe(`insert into events (type, organization_id, resource_type, resource_id, resource_version, ticket_id, visibility, actor_id, actor_role, occurred_at, data)
      values ('ticket.comment_added', $1, 'ticket_comment', $2, null, $3, $4, 'bench-ideal', 'agent', $5, $6)`, [c.organization_id, c.id, id, b.visibility, now, JSON.stringify({ commentId: c.id })], { prepare: true })
    return c
  })
  if (row === undefined) return await reply.code(404).send({ code: 'not-found' })
  return await reply.code(201).send(row)
})

const address = await app.listen({ port, host: '127.0.0.1' })
console.log(`listening ${new URL(address).port}`)

const stop = (): void => { void app.close().then(async () => { await sql.end({ timeout: 5 }); process.exit(0) }) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
