import { RESPONSIBILITIES } from '../../domain/policy/responsibilities.js'

export const WHO = 'Customers of the organization, agents and admins.'

export const keysWhere = (notApplicable: 'never' | 'staff'): string => RESPONSIBILITIES.filter((r) => r.notApplicable === notApplicable).map((r) => r.key).join(', ')
