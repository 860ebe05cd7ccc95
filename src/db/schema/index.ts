export * from './organizations.js'
export * from './events.js'
export * from './calendars.js'
export * from './idempotency.js'
