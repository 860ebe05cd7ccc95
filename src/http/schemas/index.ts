import type { TSchema } from '@sinclair/typebox'
import { calendarSchemas } from './calendars.js'
import { commonSchemas } from './common.js'
import { organizationSchemas } from './organizations.js'
import { policySchemas } from './policy.js'
import { slaSchemas } from './sla.js'

/** every named schema, registered once with app.addSchema; order matters only for readability */
export const allSchemas: TSchema[] = [
  ...commonSchemas,
  ...policySchemas,
  ...organizationSchemas,
  ...calendarSchemas,
  ...slaSchemas
]
