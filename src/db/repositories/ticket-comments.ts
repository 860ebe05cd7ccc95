import { and, asc, eq, sql, type SQL } from 'drizzle-orm'
import type { ActorRef, CommentEmail, TicketComment } from '../../domain/tickets/ticket.js'
import type { DbOrTx } from '../client.js'
import { PreparedStatement, placeholder as p } from '../prepared.js'
import { ticketComments } from '../schema/tickets.js'
import { eventParams, withEvent, type NewEvent } from '../events.js'
import { iso } from '../../domain/time.js'

type Row = typeof ticketComments.$inferSelect
type Insert = typeof ticketComments.$inferInsert

export const toComment = (r: Row): TicketComment => ({
  id: r.id,
  ticketId: r.ticketId,
  organizationId: r.organizationId,
  body: r.body,
  visibility: r.visibility,
  awaitingCustomer: r.awaitingCustomer,
  firstResponse: r.firstResponse,
  slaCycle: r.slaCycle,
  author: { id: r.authorId, role: r.authorRole as ActorRef['role'] },
  email: (r.email as CommentEmail | null) ?? null,
  createdAt: r.createdAt
})

/** a comment's columns as placeholders */
const commentPlaceholders = (): Insert => ({
  id: p('id', 'uuid'),
  ticketId: p('ticketId', 'uuid'),
  organizationId: p('organizationId', 'uuid'),
  body: p('body'),
  visibility: p('visibility'),
  awaitingCustomer: p('awaitingCustomer', 'boolean'),
  firstResponse: p('firstResponse', 'boolean'),
  slaCycle: p('slaCycle', 'integer'),
  authorId: p('authorId'),
  authorRole: p('authorRole'),
  email: p('email', 'jsonb'),
  createdAt: p('createdAt', 'timestamptz')
} as unknown as Insert)

const commentParams = (c: TicketComment): Record<string, unknown> => ({
  id: c.id,
  ticketId: c.ticketId,
  organizationId: c.organizationId,
  body: c.body,
  visibility: c.visibility,
  awaitingCustomer: c.awaitingCustomer,
  firstResponse: c.firstResponse,
  slaCycle: c.slaCycle,
  authorId: c.author.id,
  authorRole: c.author.role,
  email: c.email === undefined || c.email === null ? null : JSON.stringify(c.email),
  createdAt: iso(c.createdAt)
})

// no RETURNING (issue 15): every column is the given comment's, so the row would be the comment again
const insert = new PreparedStatement('ticket_comment_insert', (db, name) =>
  db.insert(ticketComments).values(commentPlaceholders()).prepare(name))

// the comment and its outbox event in one statement (src/db/events.ts `withEvent`)
const insertWithEvent = new PreparedStatement('ticket_comment_insert_with_event', (db, name) =>
  withEvent(db, 'comment', db.insert(ticketComments).values(commentPlaceholders()).returning({ id: ticketComments.id })).prepare(name))

/** the comment as stored: the one given (client-generated id, every column set) */
const stored = (c: TicketComment): TicketComment => ({ ...c, email: c.email ?? null })

/** inserts a comment under its (client-generated) id; returns it as stored */
export async function insertComment (db: DbOrTx, c: TicketComment): Promise<TicketComment> {
  await insert.execute(db, commentParams(c))
  return stored(c)
}

/** inserts a comment and its outbox event, in this order, in one statement; returns the comment as stored */
export async function insertCommentWithEvent (db: DbOrTx, c: TicketComment, event: NewEvent): Promise<TicketComment> {
  await insertWithEvent.execute(db, { ...commentParams(c), ...eventParams(event) })
  return stored(c)
}

export async function findComment (db: DbOrTx, ticketId: string, commentId: string): Promise<TicketComment | undefined> {
  const rows = await db.select().from(ticketComments).where(and(eq(ticketComments.ticketId, ticketId), eq(ticketComments.id, commentId)))
  return rows[0] === undefined ? undefined : toComment(rows[0])
}

type ListStatement = PreparedStatement<{ execute: Row[]; all: unknown; values: unknown }>
const lists = new Map<string, ListStatement>()

function listStatement (publicOnly: boolean, keyset: boolean): ListStatement {
  const key = `${publicOnly ? 'public' : 'all'}_${keyset ? 'keyset' : 'first'}`
  let stmt = lists.get(key)
  if (stmt === undefined) {
    stmt = new PreparedStatement(`ticket_comments_${key}`, (db, name) => {
      const where: SQL[] = [eq(ticketComments.ticketId, p('ticketId', 'uuid'))]
      if (publicOnly) where.push(eq(ticketComments.visibility, 'public'))
      if (keyset) where.push(sql`(${ticketComments.createdAt}, ${ticketComments.id}) > (${p('afterCreatedAt', 'timestamptz')}, ${p('afterId', 'uuid')})`)
      return db.select().from(ticketComments).where(and(...where))
        .orderBy(asc(ticketComments.createdAt), asc(ticketComments.id))
        .limit(sql.placeholder('limit')).prepare(name)
    }) as unknown as ListStatement
    lists.set(key, stmt)
  }
  return stmt
}

/** the conversation in order (oldest first); `publicOnly` for customers */
export async function listComments (db: DbOrTx, ticketId: string, opts: { publicOnly: boolean; limit: number; after?: { createdAt: Date; id: string } }): Promise<TicketComment[]> {
  const rows = await listStatement(opts.publicOnly, opts.after !== undefined).execute(db, {
    ticketId,
    limit: opts.limit,
    afterCreatedAt: opts.after?.createdAt.toISOString(),
    afterId: opts.after?.id
  })
  return rows.map(toComment)
}
