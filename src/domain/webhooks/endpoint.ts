/** which events an endpoint receives (issue 13) */
export interface EndpointScope {
  organizationId: string | null
  eventTypes: string[] | null
  enabled: boolean
}

export interface EventScope {
  type: string
  organizationId: string | null
  visibility: 'public' | 'internal'
}

/** the test event is sent only to the endpoint it was asked for, never dispatched from the feed */
export const TEST_EVENT_TYPE = 'webhook.test'

/**
 * A global endpoint (no organization) receives every event, internal ones included, like an admin reading the feed;
 * an organization's endpoint receives only that organization's public events (never internal comments). The
 * eventTypes filter, when set, narrows both.
 */
export function receives (endpoint: EndpointScope, event: EventScope): boolean {
  if (!endpoint.enabled || event.type === TEST_EVENT_TYPE) return false
  if (endpoint.eventTypes !== null && !endpoint.eventTypes.includes(event.type)) return false
  if (endpoint.organizationId === null) return true
  return event.organizationId === endpoint.organizationId && event.visibility === 'public'
}
