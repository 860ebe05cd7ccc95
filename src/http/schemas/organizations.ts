import { Type } from '@sinclair/typebox'
import { SUBSCRIPTION_STATUSES } from '../../domain/organizations/organization.js'
import { Page, Timestamp, Uuid, ref, Count } from './common.js'
import { PlanIdSchema } from './policy.js'
import { EmailDomain } from './email.js'

export const SubscriptionStatusSchema = Type.Union(SUBSCRIPTION_STATUSES.map((s) => Type.Literal(s)), { $id: 'SubscriptionStatus' })

export const SubscriptionSchema = Type.Object({
  status: ref(SubscriptionStatusSchema),
  termStart: Timestamp,
  termEnd: Timestamp,
  current: Type.Boolean({ description: 'active and now within [termStart, termEnd): support applies only to current paying subscribers' })
}, { $id: 'Subscription', additionalProperties: false })

export const OrganizationSchema = Type.Object({
  id: Uuid,
  name: Type.String({ maxLength: 200 }),
  plan: ref(PlanIdSchema),
  subscription: ref(SubscriptionSchema),
  emailDomains: Type.Array(EmailDomain, { maxItems: 50, description: 'Registered email domains: mail from them may open email tickets for this organization (docs/email.md)' }),
  version: Count({ minimum: 1 }),
  createdAt: Timestamp,
  updatedAt: Timestamp
}, {
  $id: 'Organization',
  additionalProperties: false,
  examples: [{ id: '3f0e9a43-8f64-4f55-9d43-5cf2cbd3a0a1', name: 'Acme Mail', plan: 'premier', subscription: { status: 'active', termStart: '2026-01-01T00:00:00.000Z', termEnd: '2027-01-01T00:00:00.000Z', current: true }, emailDomains: ['acme.example'], version: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' }]
})

export const OrganizationPage = Page(ref(OrganizationSchema), 'OrganizationPage')

export const CreateOrganizationBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  plan: ref(PlanIdSchema),
  subscription: Type.Object({
    status: Type.Optional(ref(SubscriptionStatusSchema)),
    termStart: Timestamp,
    termEnd: Timestamp
  }, { additionalProperties: false }),
  emailDomains: Type.Optional(Type.Array(EmailDomain, { maxItems: 50, uniqueItems: true, description: 'Admin-managed; a domain belongs to at most one organization (409 email-domain-taken)' }))
}, {
  $id: 'CreateOrganization',
  additionalProperties: false,
  examples: [{ name: 'Acme Mail', plan: 'enhanced', subscription: { status: 'active', termStart: '2026-01-01T00:00:00.000Z', termEnd: '2027-01-01T00:00:00.000Z' } }]
})

export const UpdateOrganizationBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  plan: Type.Optional(ref(PlanIdSchema)),
  subscription: Type.Optional(Type.Object({
    status: Type.Optional(ref(SubscriptionStatusSchema)),
    termStart: Type.Optional(Timestamp),
    termEnd: Type.Optional(Timestamp)
  }, { additionalProperties: false, minProperties: 1 })),
  emailDomains: Type.Optional(Type.Array(EmailDomain, { maxItems: 50, uniqueItems: true, description: 'Replaces the registered email domains' }))
}, { $id: 'UpdateOrganization', additionalProperties: false, minProperties: 1, examples: [{ plan: 'premier' }] })

export const OrganizationParams = Type.Object({ organizationId: Uuid })

export const organizationSchemas = [SubscriptionStatusSchema, SubscriptionSchema, OrganizationSchema, OrganizationPage, CreateOrganizationBody, UpdateOrganizationBody]
