// Moved to scripts/lib/load.ts, which the tests and `npm run demo` share.
export * from '../../../../scripts/lib/load.js'
