/** `make token ROLE=agent` or `make token ROLE=customer ORG=<organization id>`: mints a development token. */
import { loadOrCreateDevKeys, mintToken } from '../src/auth/keys.js'

const [role = 'agent', org] = process.argv.slice(2)
const roles = role.split(',')
if (roles.includes('customer') && org === undefined) {
  console.error('a customer token needs ORG=<organization id>')
  process.exit(2)
}
const keys = await loadOrCreateDevKeys(process.env.AUTH_DEV_KEYS ?? '.data/dev-keys')
const token = await mintToken(keys.privateKey, { sub: `dev-${roles.join('-')}`, roles, ...(org === undefined ? {} : { org_id: org }) }, {
  issuer: process.env.JWT_ISSUER ?? 'support-desk',
  audience: process.env.JWT_AUDIENCE ?? 'support-desk-api',
  expiresIn: '12h'
})
console.log(token)
