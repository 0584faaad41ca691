// Moved to scripts/lib/services-postgres.ts, which the tests and `npm run demo` share.
export * from '../../scripts/lib/services-postgres.js'
