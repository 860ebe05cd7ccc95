import { and, asc, eq, gt, or, sql } from 'drizzle-orm'
import type { Organization } from '../../domain/organizations/organization.js'
import type { DbOrTx } from '../client.js'
import { PreparedStatement } from '../prepared.js'
import { organizations } from '../schema/organizations.js'

type Row = typeof organizations.$inferSelect

export const toOrganization = (row: Row): Organization => ({
  id: row.id,
  name: row.name,
  plan: row.plan,
  subscription: { status: row.subscriptionStatus, termStart: row.termStart, termEnd: row.termEnd },
  emailDomains: row.emailDomains,
  version: row.version,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt
})

// prepared (issue 7): opening a ticket and every organization-scoped write read the organization first
const byId = new PreparedStatement('organization_by_id', (db, name) =>
  db.select().from(organizations).where(eq(organizations.id, sql`${sql.placeholder('id')}::uuid`)).prepare(name))
const byIdForUpdate = new PreparedStatement('organization_by_id_for_update', (db, name) =>
  db.select().from(organizations).where(eq(organizations.id, sql`${sql.placeholder('id')}::uuid`)).for('update').prepare(name))

export async function findOrganization (db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<Organization | undefined> {
  const rows = await (opts.forUpdate === true ? byIdForUpdate : byId).execute(db, { id })
  return rows[0] === undefined ? undefined : toOrganization(rows[0])
}

export async function insertOrganization (db: DbOrTx, org: Omit<Organization, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'emailDomains'>, now: Date): Promise<Organization> {
  const [row] = await db.insert(organizations).values({
    name: org.name,
    plan: org.plan,
    subscriptionStatus: org.subscription.status,
    termStart: org.subscription.termStart,
    termEnd: org.subscription.termEnd,
    createdAt: now,
    updatedAt: now
  }).returning()
  if (row === undefined) throw new Error('insert returned no row')
  return toOrganization(row)
}

/** writes the new state when the stored version is still `fromVersion`; undefined when someone else won */
export async function updateOrganization (db: DbOrTx, org: Organization, fromVersion: number, now: Date): Promise<Organization | undefined> {
  const [row] = await db.update(organizations).set({
    name: org.name,
    plan: org.plan,
    subscriptionStatus: org.subscription.status,
    termStart: org.subscription.termStart,
    termEnd: org.subscription.termEnd,
    version: sql`${organizations.version} + 1`,
    updatedAt: now
  }).where(and(eq(organizations.id, org.id), eq(organizations.version, fromVersion))).returning()
  return row === undefined ? undefined : toOrganization(row)
}

export async function listOrganizations (db: DbOrTx, opts: { limit: number; after?: { createdAt: Date; id: string }; onlyId?: string }): Promise<Organization[]> {
  const conditions = []
  if (opts.onlyId !== undefined) conditions.push(eq(organizations.id, opts.onlyId))
  if (opts.after !== undefined) {
    conditions.push(or(gt(organizations.createdAt, opts.after.createdAt), and(eq(organizations.createdAt, opts.after.createdAt), gt(organizations.id, opts.after.id))))
  }
  const rows = await db.select().from(organizations)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(asc(organizations.createdAt), asc(organizations.id))
    .limit(opts.limit)
  return rows.map(toOrganization)
}

export async function countOrganizations (db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(organizations)
  return row?.n ?? 0
}
