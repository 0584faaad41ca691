// Moved to scripts/lib/services-redis.ts, which the tests and `npm run demo` share.
export * from '../../scripts/lib/services-redis.js'
