// Moved to scripts/lib/formation.ts, which the tests and `npm run demo` share.
export * from '../../scripts/lib/formation.js'
