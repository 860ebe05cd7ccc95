import { Type } from '@sinclair/typebox'
import { RESPONSIBILITY_STATUSES } from '../../domain/checklists/checklist.js'
import { RESPONSIBILITY_KEYS } from '../../domain/policy/responsibilities.js'
import { Nullable, Timestamp, Uuid, ref, Count, Subject, Role } from './common.js'

const ORG_ID = '3f0e9a43-8f64-4f55-9d43-5cf2cbd3a0a1'

export const ResponsibilityKeySchema = Type.Union(RESPONSIBILITY_KEYS.map((k) => Type.Literal(k)), {
  $id: 'ResponsibilityKey',
  description: 'Stable key of a customer responsibility from the support terms'
})

export const ResponsibilityStatusSchema = Type.Union(RESPONSIBILITY_STATUSES.map((s) => Type.Literal(s)), {
  $id: 'ResponsibilityStatus',
  description: 'pending | in_progress | done | not_applicable'
})

const ActorRef = Type.Object({
  id: Subject({ description: 'token subject' }),
  role: Role
}, { additionalProperties: false })

const ITEM_EXAMPLE = {
  key: 'dns-restore-at-term-end',
  title: 'Restore DNS records at the end of the term',
  description: 'Restore those DNS records and settings to their original state at the end of the Subscription Term.',
  clause: '(i)',
  ongoing: false,
  status: 'pending',
  dueAt: '2027-01-01T00:00:00.000Z',
  overdue: false,
  note: null,
  evidenceUrl: null,
  version: 1,
  updatedBy: null,
  updatedAt: null
}

export const ResponsibilityItemSchema = Type.Object({
  key: ref(ResponsibilityKeySchema),
  title: Type.String({ maxLength: 200 }),
  description: Type.String({ maxLength: 5000 }),
  clause: Type.String({ maxLength: 5000, description: 'Clause of the Customer Responsibilities paragraph' }),
  ongoing: Type.Boolean({ description: 'An ongoing duty rather than a one-off task' }),
  status: ref(ResponsibilityStatusSchema),
  dueAt: Nullable(Timestamp),
  overdue: Type.Boolean({ description: 'dueAt has passed and the item is neither done nor not_applicable' }),
  note: Nullable(Type.String({ maxLength: 4000 })),
  evidenceUrl: Nullable(Type.String({ format: 'uri' })),
  version: Count({ minimum: 1, description: 'Also served as the item\'s ETag' }),
  updatedBy: Nullable(ActorRef),
  updatedAt: Nullable(Timestamp)
}, { $id: 'ResponsibilityItem', additionalProperties: false, examples: [ITEM_EXAMPLE] })

export const ResponsibilityChecklistSchema = Type.Object({
  organizationId: Uuid,
  items: Type.Array(ref(ResponsibilityItemSchema), { maxItems: 100 }),
  summary: Type.Object({
    done: Count(),
    total: Count({ description: 'Applicable items (all but not_applicable)' }),
    overdue: Count(),
    notApplicable: Count()
  }, { additionalProperties: false })
}, {
  $id: 'ResponsibilityChecklist',
  additionalProperties: false,
  examples: [{ organizationId: ORG_ID, items: [ITEM_EXAMPLE], summary: { done: 2, total: 5, overdue: 0, notApplicable: 0 } }]
})

export const UpdateResponsibilityBody = Type.Object({
  status: Type.Optional(ref(ResponsibilityStatusSchema)),
  note: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 4000 }))),
  evidenceUrl: Type.Optional(Nullable(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 })))
}, {
  $id: 'UpdateResponsibility',
  additionalProperties: false,
  minProperties: 1,
  examples: [{ status: 'done', note: 'DMARC and SPF records delegated', evidenceUrl: 'https://wiki.acme.example/dns-change-4711' }]
})

export const TechnicalRepresentativeSchema = Type.Object({
  organizationId: Uuid,
  name: Type.String({ maxLength: 200 }),
  email: Type.String({ format: 'email' }),
  phone: Nullable(Type.String({ maxLength: 40 })),
  userId: Nullable(Type.String({ maxLength: 200 })),
  version: Count({ minimum: 1 }),
  updatedBy: ActorRef,
  updatedAt: Timestamp
}, {
  $id: 'TechnicalRepresentative',
  additionalProperties: false,
  examples: [{ organizationId: ORG_ID, name: 'Sam Admin', email: 'sam@acme.example', phone: '+1 415 555 0100', userId: null, version: 1, updatedBy: { id: 'customer-1', role: 'customer' }, updatedAt: '2026-10-20T16:00:00.000Z' }]
})

export const SetTechnicalRepresentativeBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Type.String({ format: 'email', maxLength: 320 }),
  phone: Type.Optional(Nullable(Type.String({ minLength: 3, maxLength: 40, pattern: '^[0-9+().\\- ]+$' }))),
  userId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200, description: 'Identity (token subject) of the representative, when they have an account' })))
}, {
  $id: 'SetTechnicalRepresentative',
  additionalProperties: false,
  examples: [{ name: 'Sam Admin', email: 'sam@acme.example', phone: '+1 415 555 0100' }]
})

export const responsibilitySchemas = [
  ResponsibilityKeySchema, ResponsibilityStatusSchema, ResponsibilityItemSchema, ResponsibilityChecklistSchema,
  UpdateResponsibilityBody, TechnicalRepresentativeSchema, SetTechnicalRepresentativeBody
]
