import fc from 'fast-check'
import t from 'tap'
import { canAccessOrg, isStaff, orgScope, ROLES, type Principal } from '../../src/domain/access.js'

// a comment's statement filters by orgScope instead of checking the row it read (issue 15): both must say the same
const orgs = ['org-a', 'org-b', 'org-c']
const principal = fc.record({
  subject: fc.constant('someone'),
  roles: fc.subarray([...ROLES]),
  orgId: fc.option(fc.constantFrom(...orgs), { nil: null })
}) as fc.Arbitrary<Principal>

t.test('orgScope and canAccessOrg agree, and keep the tenancy rule', async (t) => {
  fc.assert(fc.property(principal, fc.constantFrom(...orgs), (p, org) => {
    const scope = orgScope(p)
    const byScope = scope === null || scope === org
    // the rule: a token with org_id sees only that organization; without one, only staff see every organization
    const rule = p.orgId === null ? isStaff(p) : p.orgId === org
    return canAccessOrg(p, org) === rule && byScope === rule
  }), { numRuns: 500 })
  t.equal(orgScope({ subject: 'c', roles: ['customer'], orgId: null }), undefined, 'a customer token without org_id sees none')
  t.equal(orgScope({ subject: 'a', roles: ['agent'], orgId: null }), null, 'an unscoped agent sees every organization')
  t.equal(orgScope({ subject: 'a', roles: ['agent'], orgId: 'org-a' }), 'org-a', 'a scoped agent sees its own')
})
