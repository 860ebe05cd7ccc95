import { eq } from 'drizzle-orm'
import { calendarHolidays, calendarHolidaySeeds, calendars } from '../db/schema/calendars.js'
import { countOrganizations, insertOrganization } from '../db/repositories/organizations.js'
import { recordEvent } from '../db/events.js'
import { usFederalHolidays } from '../domain/sla/calendars.js'
import type { PlanId } from '../domain/policy/policy.js'
import type { AppContext } from './context.js'

const SYSTEM = { id: 'system', role: 'system' as const }

/**
 * Seeds the library's US federal holidays (observed dates) into every calendar that observes holidays, for the
 * current year and the next two. Each (calendar, year) is seeded once: an admin's later edits are never undone.
 */
export async function seedHolidays (ctx: AppContext): Promise<number> {
  const year = ctx.now().getUTCFullYear()
  const years = [year, year + 1, year + 2]
  let inserted = 0
  await ctx.transaction(async (tx) => {
    const observing = await tx.select({ id: calendars.id }).from(calendars).where(eq(calendars.observesHolidays, true))
    for (const cal of observing) {
      for (const y of years) {
        const claimed = await tx.insert(calendarHolidaySeeds).values({ calendarId: cal.id, year: y }).onConflictDoNothing().returning()
        if (claimed.length === 0) continue
        const holidays = usFederalHolidays([y])
        if (holidays.length === 0) continue
        const rows = await tx.insert(calendarHolidays)
          .values(holidays.map((h) => ({ calendarId: cal.id, date: h.date, name: h.name })))
          .onConflictDoNothing().returning()
        inserted += rows.length
      }
    }
  })
  return inserted
}

/** one organization per plan, only when the database has none */
export async function seedDemoData (ctx: AppContext): Promise<boolean> {
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    if (await countOrganizations(tx) > 0) return false
    const termStart = new Date(now.getTime() - 30 * 86_400_000)
    const termEnd = new Date(termStart.getTime() + 365 * 86_400_000)
    for (const plan of ['basic', 'enhanced', 'premier'] as PlanId[]) {
      const org = await insertOrganization(tx, {
        name: `Demo ${plan[0]?.toUpperCase()}${plan.slice(1)} Customer`,
        plan,
        subscription: { status: 'active', termStart, termEnd }
      }, now)
      await recordEvent(tx, {
        type: 'organization.created', organizationId: org.id, resourceType: 'organization', resourceId: org.id,
        resourceVersion: org.version, actor: SYSTEM, occurredAt: now, data: { seeded: true }
      })
    }
    return true
  })
}

