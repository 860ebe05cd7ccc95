import type { TSchema } from '@sinclair/typebox'
import { calendarSchemas } from './calendars.js'
import { changeFeedSchemas } from './change-feed.js'
import { externalRefSchemas } from './external-refs.js'
import { externalTicketSchemas } from './external-tickets.js'
import { commonSchemas } from './common.js'
import { onboardingSchemas } from './onboarding.js'
import { organizationEventSchemas } from './organization-events.js'
import { organizationSchemas } from './organizations.js'
import { policySchemas } from './policy.js'
import { responsibilitySchemas } from './responsibilities.js'
import { slaSchemas } from './sla.js'
import { ticketSchemas } from './tickets.js'
import { emailSchemas } from './email.js'
import { applyFormatBounds } from './bounds.js'
import { reportSchemas } from './reports.js'
import { kbSchemas } from './kb.js'
import { webhookSchemas } from './webhooks.js'
import { attachmentSchemas } from './attachments.js'

/** every named schema, registered once with app.addSchema; order matters only for readability */
export const allSchemas: TSchema[] = [
  ...commonSchemas,
  ...policySchemas,
  ...organizationSchemas,
  ...calendarSchemas,
  ...slaSchemas,
  ...onboardingSchemas,
  ...responsibilitySchemas,
  ...organizationEventSchemas,
  ...changeFeedSchemas,
  ...externalRefSchemas,
  ...emailSchemas,
  ...ticketSchemas,
  ...externalTicketSchemas,
  ...reportSchemas,
  ...kbSchemas,
  ...webhookSchemas,
  ...attachmentSchemas
].map((schema) => applyFormatBounds(schema))
