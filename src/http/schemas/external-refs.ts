import { Type } from '@sinclair/typebox'
import { Nullable } from './common.js'

/** pattern of a system name / external id in a path segment: no slashes, no spaces */
export const SYSTEM_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,63}$'
export const EXTERNAL_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:@#-]{0,199}$'

export const ExternalRefSchema = Type.Object({
  system: Type.String({ pattern: SYSTEM_PATTERN, maxLength: 64, description: 'The integrator\'s system, lower case (e.g. jira, salesforce, zendesk)' }),
  externalId: Type.String({ pattern: EXTERNAL_ID_PATTERN, maxLength: 200, description: 'The ticket\'s id in that system; unique per organization and system' }),
  url: Nullable(Type.String({ format: 'uri', maxLength: 2000, description: 'Where the ticket lives in that system' }))
}, {
  $id: 'ExternalRef',
  description: 'The ticket\'s identity in an integrator\'s system. Set by PUT /v1/organizations/{organizationId}/external-tickets/{system}/{externalId}.',
  additionalProperties: false,
  examples: [{ system: 'jira', externalId: 'SUP-1234', url: 'https://acme.atlassian.net/browse/SUP-1234' }]
})

export const externalRefSchemas = [ExternalRefSchema]
