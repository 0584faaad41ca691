// Moved to scripts/lib/servers.ts, which the tests and `npm run demo` share.
export * from '../../../../scripts/lib/servers.js'
