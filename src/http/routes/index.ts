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

/** every route module, registered explicitly; each is an encapsulated plugin */
export async function registerRoutes (app: FastifyInstance, ctx: AppContext, config?: Config): Promise<void> {
  await app.register(healthRoutes, { ctx })
  await app.register(policyRoutes)
  await app.register(organizationRoutes, { ctx })
  await app.register(calendarRoutes, { ctx })
  await app.register(slaRoutes, { ctx })
  await app.register(onboardingRoutes, { ctx })
  await app.register(responsibilityRoutes, { ctx })
  await app.register(organizationEventRoutes, { ctx })
  await app.register(changeFeedRoutes, { ctx })
  await app.register(ticketRoutes, { ctx })
  await app.register(ticketCommentRoutes, { ctx })
  await app.register(severityChangeRoutes, { ctx })
  await app.register(reopenRequestRoutes, { ctx })
  await app.register(externalTicketRoutes, { ctx })
  await app.register(externalTicketBatchRoutes, { ctx })
  await app.register(inboundEmailRoutes, { ctx, inboundSecret: config?.email.inboundSecret, maxMessageBytes: config?.email.maxMessageBytes ?? 10 * 1024 * 1024 })
  await app.register(reportRoutes, { ctx })
  await app.register(kbRoutes, { ctx })
  await app.register(attachmentRoutes, { ctx })
}
