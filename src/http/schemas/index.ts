import type { TSchema } from '@sinclair/typebox'
import { commonSchemas } from './common.js'
import { organizationSchemas } from './organizations.js'
import { policySchemas } from './policy.js'

/** every named schema, registered once with app.addSchema; order matters only for readability */
export const allSchemas: TSchema[] = [
  ...commonSchemas,
  ...policySchemas,
  ...organizationSchemas
]
