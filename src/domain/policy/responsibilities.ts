/**
 * The "Customer Responsibilities" paragraph of the support terms as a checklist with stable keys. The keys are part
 * of the public contract (URLs, events): never rename one, only add.
 *
 * "In order to successfully provide the aforementioned Service Support, Customer is responsible for the following:
 * (i) modifying or delegating the DNS records, or modifying other necessary settings, as outlined in the relevant
 * Documentation, and for also restoring those records or settings to their original state at the end of the
 * Subscription Term; (ii) assign a technical representative with the authority to approve or deny sending services;
 * (iii) address SAML/SSO functionality prior to engaging Service Support, via Documentation or technical support; and
 * (iii) Cooperate with Valimail for the replacement of sending services that cannot be aligned."
 */
export const RESPONSIBILITY_KEYS = [
  'dns-records',
  'dns-restore-at-term-end',
  'technical-representative',
  'saml-sso',
  'unalignable-senders'
] as const
export type ResponsibilityKey = (typeof RESPONSIBILITY_KEYS)[number]

export interface ResponsibilityDefinition {
  key: ResponsibilityKey
  title: string
  description: string
  /** the clause of the terms it comes from */
  clause: string
  /** 'term-end': due at the end of the subscription term (overdue after it); null: no due date */
  due: 'term-end' | null
  /** an ongoing duty rather than a one-off task */
  ongoing: boolean
  /** 'technical-representative': the status follows the representative record (set → done, cleared → pending) */
  managedBy: 'technical-representative' | null
  /**
   * Who may mark the item not_applicable (which takes it out of the checklist's total and clears overdue):
   * 'never' — the terms make the duty mandatory for every customer (the DNS changes and their restoration at the end
   * of the term, the technical representative); 'staff' — support staff may waive it when it does not apply to the
   * organization (no SAML/SSO in use, no sending services that cannot be aligned). Customers never waive a duty.
   */
  notApplicable: 'never' | 'staff'
}

export const RESPONSIBILITIES: readonly ResponsibilityDefinition[] = Object.freeze([
  {
    key: 'dns-records',
    title: 'Modify or delegate DNS records',
    description: 'Modify or delegate the DNS records, or modify the other necessary settings, as outlined in the relevant Documentation.',
    clause: '(i)',
    due: null,
    ongoing: false,
    managedBy: null,
    notApplicable: 'never'
  },
  {
    key: 'dns-restore-at-term-end',
    title: 'Restore DNS records at the end of the term',
    description: 'Restore those DNS records and settings to their original state at the end of the Subscription Term.',
    clause: '(i)',
    due: 'term-end',
    ongoing: false,
    managedBy: null,
    notApplicable: 'never'
  },
  {
    key: 'technical-representative',
    title: 'Assign a technical representative',
    description: 'Assign a technical representative with the authority to approve or deny sending services.',
    clause: '(ii)',
    due: null,
    ongoing: false,
    managedBy: 'technical-representative',
    notApplicable: 'never'
  },
  {
    key: 'saml-sso',
    title: 'Address SAML/SSO before engaging support',
    description: 'Address SAML/SSO functionality prior to engaging Service Support, via Documentation or technical support.',
    clause: '(iii)',
    due: null,
    ongoing: false,
    managedBy: null,
    notApplicable: 'staff'
  },
  {
    key: 'unalignable-senders',
    title: 'Cooperate on replacing unalignable senders',
    description: 'Cooperate with the vendor on the replacement of sending services that cannot be aligned (ongoing).',
    clause: '(iv)',
    due: null,
    ongoing: true,
    managedBy: null,
    notApplicable: 'staff'
  }
].map((d) => Object.freeze(d as ResponsibilityDefinition)))

export const isResponsibilityKey = (key: string): key is ResponsibilityKey =>
  (RESPONSIBILITY_KEYS as readonly string[]).includes(key)

export function responsibility (key: ResponsibilityKey): ResponsibilityDefinition {
  const def = RESPONSIBILITIES.find((r) => r.key === key)
  if (def === undefined) throw new Error(`unknown responsibility ${key}`)
  return def
}
