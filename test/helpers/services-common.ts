// Moved to scripts/lib/services-common.ts, which the tests and `npm run demo` share.
export * from '../../scripts/lib/services-common.js'
