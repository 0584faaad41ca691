// Moved to scripts/lib/sampler.ts, which the tests and `npm run demo` share.
export * from '../../../../scripts/lib/sampler.js'
