import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'

/** the variable a refused config names */
function refused (env: Record<string, string>): string | undefined {
  try { loadConfig(env) } catch (err) { return err instanceof ConfigError ? err.variable : `not a ConfigError: ${String(err)}` }
  return undefined
}

const base = { JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nMFk=\n-----END PUBLIC KEY-----' }

t.test('email is off by default; SMTP_URL and MAIL_FROM go together; a token secret is required once email is on', async (t) => {
  const off = loadConfig(base).email
  t.same({ smtp: off.smtpUrl, from: off.mailFrom, port: off.inboundSmtpPort, max: off.maxMessageBytes }, { smtp: undefined, from: undefined, port: undefined, max: 10 * 1024 * 1024 })
  t.throws(() => loadConfig({ ...base, SMTP_URL: 'smtp://relay:25' }), new ConfigError('MAIL_FROM', 'SMTP_URL and MAIL_FROM go together: set both to send email, or neither'))
  t.equal(refused({ ...base, SMTP_URL: 'smtp://relay:25', MAIL_FROM: 'support@desk.example' }), 'EMAIL_TOKEN_SECRET')
  t.equal(refused({ ...base, INBOUND_SMTP_PORT: '2525', EMAIL_TOKEN_SECRET: 'x'.repeat(16) }), 'MAIL_FROM')
  t.equal(refused({ ...base, SMTP_URL: 'http://relay', MAIL_FROM: 'support@desk.example', EMAIL_TOKEN_SECRET: 'x'.repeat(16) }), 'SMTP_URL')
  const on = loadConfig({ ...base, SMTP_URL: 'smtp://relay:25', MAIL_FROM: 'Support <support@desk.example>', EMAIL_TOKEN_SECRET: 'x'.repeat(16), INBOUND_SMTP_PORT: '2525', INBOUND_EMAIL_SECRET: 'y'.repeat(16) }).email
  t.match(on, { smtpUrl: 'smtp://relay:25', inboundSmtpPort: 2525, inboundSmtpHost: '127.0.0.1', templatesDir: 'templates/email' })
})
