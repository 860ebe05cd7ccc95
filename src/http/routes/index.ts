import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../application/context.js'
import { calendarRoutes } from './calendars.js'
import { changeFeedRoutes } from './change-feed.js'
import { externalTicketBatchRoutes, externalTicketRoutes } from './external-tickets.js'
import { healthRoutes } from './health.js'
import { onboardingRoutes } from './onboarding.js'
import { organizationEventRoutes } from './organization-events.js'
import { organizationRoutes } from './organizations.js'
import { policyRoutes } from './policy.js'
import { responsibilityRoutes } from './responsibilities.js'
import { reopenRequestRoutes } from './reopen-requests.js'
import { severityChangeRoutes } from './severity-changes.js'
import { ticketCommentRoutes } from './ticket-comments.js'
import { ticketRoutes } from './tickets.js'
import { slaRoutes } from './sla.js'
import { inboundEmailRoutes } from './inbound-email.js'
import type { Config } from '../../config.js'
import { reportRoutes } from './reports.js'
import { kbRoutes } from './kb.js'
import { attachmentRoutes } from './attachments.js'

/**
 * every route module, registered explicitly; each is an encapsulated plugin. Handlers take their use cases' context
 * from `request.ctx` (src/http/plugins/request-context.ts), never from here: `ctx` only configures registration.
 */
export async function registerRoutes (app: FastifyInstance, ctx: AppContext, config?: Config): Promise<void> {
  await app.register(healthRoutes)
  await app.register(policyRoutes)
  await app.register(organizationRoutes)
  await app.register(calendarRoutes)
  await app.register(slaRoutes)
  await app.register(onboardingRoutes)
  await app.register(responsibilityRoutes)
  await app.register(organizationEventRoutes)
  await app.register(changeFeedRoutes)
  await app.register(ticketRoutes)
  await app.register(ticketCommentRoutes)
  await app.register(severityChangeRoutes)
  await app.register(reopenRequestRoutes)
  await app.register(externalTicketRoutes)
  await app.register(externalTicketBatchRoutes)
  await app.register(inboundEmailRoutes, { inboundSecret: config?.email.inboundSecret, maxMessageBytes: config?.email.maxMessageBytes ?? 10 * 1024 * 1024 })
  await app.register(reportRoutes)
  await app.register(kbRoutes)
  await app.register(attachmentRoutes, { settings: ctx.attachments?.settings })
}
