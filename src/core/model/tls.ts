// TLS as Heroku's data services need it, shared by the runtime pools and the --live probes.
// Heroku Postgres and Heroku Key-Value Store present self-signed certificates: verify only when asked.

/** Host names of a database or Redis on this machine (no TLS expected there). */
export const LOCAL_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])
const SSL_PARAMS = ['sslmode', 'ssl', 'sslcert', 'sslkey', 'sslrootcert', 'uselibpqcompat']

export type PgSsl = false | {rejectUnauthorized: boolean}

export interface PgConnectionOptions {
  /** DATABASE_URL without its ssl parameters, which would otherwise replace the `ssl` object in pg. */
  connectionString: string
  ssl: PgSsl
}

/**
 * pg connection options for a DATABASE_URL. A remote database gets TLS without certificate verification
 * (Heroku Postgres); `sslmode=verify-ca|verify-full` in the URL asks for verification; `sslmode=disable`
 * turns TLS off; a local database gets no TLS unless the URL asks. pg treats `sslmode=require` as
 * verify-full, which fails on Heroku's certificates, so the mode is read here and removed from the URL.
 */
export function pgConnectionOptions(databaseUrl: string): PgConnectionOptions {
  const url = new URL(databaseUrl)
  const mode = (url.searchParams.get('sslmode') ?? (url.searchParams.get('ssl') === 'true' ? 'require' : null))?.toLowerCase() ?? null
  for (const p of SSL_PARAMS) url.searchParams.delete(p)
  const local = LOCAL_HOSTS.has(url.hostname)
  let ssl: PgSsl
  if (mode === 'disable') ssl = false
  else if (mode === 'verify-ca' || mode === 'verify-full') ssl = {rejectUnauthorized: true}
  else if (mode === null && local) ssl = false
  else ssl = {rejectUnauthorized: false}
  return {connectionString: url.toString(), ssl}
}

export interface RedisTlsOptions {
  tls?: {rejectUnauthorized: boolean}
}

/** ioredis TLS options for a Redis URL: `rediss://` works with self-signed certificates. */
export function redisTlsOptions(redisUrl: string): RedisTlsOptions {
  return new URL(redisUrl).protocol === 'rediss:' ? {tls: {rejectUnauthorized: false}} : {}
}
