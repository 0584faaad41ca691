// Moved to scripts/lib/results.ts, which the tests and `npm run demo` share.
export * from '../../../../scripts/lib/results.js'
