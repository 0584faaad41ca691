// TLS as Heroku's data services need it, shared by the runtime pools and the --live probes.
// Heroku Postgres and Heroku Key-Value Store present self-signed certificates: verify only when asked.

/** Host names of a database or Redis on this machine (no TLS expected there). */
export const LOCAL_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])
const SSL_PARAMS = ['sslmode', 'ssl', 'sslcert', 'sslkey', 'sslrootcert', 'uselibpqcompat']

/** libpq's sslmode values, plus pg's own `no-verify` (TLS without verification). */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const
export type SslMode = typeof SSL_MODES[number]

/** TLS options for pg (Node `tls.connect` options); files named in the URL are read by `withTlsFiles`. */
export interface PgTls {
  rejectUnauthorized: boolean
  /** verify-ca: the chain is checked, the host name is not (Node checks it unless told otherwise). */
  checkServerIdentity?: () => undefined
  ca?: string
  cert?: string
  key?: string
}

export type PgSsl = false | PgTls

/** Files an sslrootcert/sslcert/sslkey parameter names (`sslrootcert=system` means Node's own CAs: no file). */
export interface PgTlsFiles {
  ca?: string
  cert?: string
  key?: string
}

export interface PgConnectionOptions {
  /** DATABASE_URL without its ssl parameters, which would otherwise replace the `ssl` object in pg. */
  connectionString: string
  /** TLS of the first attempt. */
  ssl: PgSsl
  /**
   * What libpq does when the first attempt is refused for its TLS choice: `prefer` retries in plaintext
   * when the server does not support TLS, `allow` retries with TLS when the server refuses plaintext.
   */
  fallback?: PgSsl
  /** The URL's sslmode (lower case), or null. */
  mode: SslMode | null
  /** Files to read into the TLS options (see withTlsFiles). */
  files: PgTlsFiles
  /** The host is a Unix-domain socket directory (`?host=/var/run/postgresql`): libpq uses no TLS there. */
  socket: boolean
}

/** A DATABASE_URL whose TLS parameters libpq would refuse. The message names the parameter and its value. */
export class PgUrlError extends Error {}

/** The host a Postgres URL connects to: its `host` parameter wins, as in libpq; `%2F`-encoded socket paths decoded. */
export function pgHost(url: URL): string {
  const host = url.searchParams.get('host') ?? url.hostname
  try {
    return decodeURIComponent(host)
  } catch {
    return host
  }
}

/** The sslmode a Postgres URL asks for (`ssl=true` is `require`), or null; a PgUrlError for a value libpq does not know. */
export function pgSslMode(url: URL): SslMode | null {
  const raw = url.searchParams.get('sslmode') ?? (url.searchParams.get('ssl') === 'true' ? 'require' : null)
  if (raw === null) return null
  const mode = raw.toLowerCase()
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new PgUrlError(`sslmode=${JSON.stringify(raw).slice(1, -1)} is not an sslmode libpq knows (${SSL_MODES.slice(0, 6).join(', ')}; pg also takes no-verify)`)
  }
  return mode as SslMode
}

/**
 * pg connection options for a DATABASE_URL, with libpq's sslmode semantics. A remote database without
 * sslmode gets TLS without certificate verification (Heroku Postgres); `disable` turns TLS off; `allow`
 * tries plaintext first and `prefer` TLS first, each falling back to the other; `require` is TLS without
 * verification unless `sslrootcert` is given (then, as in libpq, verify-ca); `verify-ca` checks the chain
 * against `sslrootcert` (or Node's CAs), `verify-full` also the host name. A local database or a Unix
 * socket gets no TLS unless the URL asks (a socket never). pg alone treats `sslmode=require` as
 * verify-full, which fails on Heroku's certificates, so the mode is read here and removed from the URL.
 */
export function pgConnectionOptions(databaseUrl: string): PgConnectionOptions {
  const url = new URL(databaseUrl)
  const mode = pgSslMode(url)
  const rootcert = url.searchParams.get('sslrootcert')
  const files: PgTlsFiles = {}
  if (rootcert && rootcert !== 'system') files.ca = rootcert
  const cert = url.searchParams.get('sslcert')
  const key = url.searchParams.get('sslkey')
  if (cert) files.cert = cert
  if (key) files.key = key
  for (const p of SSL_PARAMS) url.searchParams.delete(p)
  const host = pgHost(url)
  const socket = host.startsWith('/')
  const local = socket || LOCAL_HOSTS.has(host)
  const noVerify: PgTls = {rejectUnauthorized: false}
  const verifyCa: PgTls = {rejectUnauthorized: true, checkServerIdentity: () => undefined}
  const verifyFull: PgTls = {rejectUnauthorized: true}
  const options = (ssl: PgSsl, fallback?: PgSsl): PgConnectionOptions =>
    ({connectionString: url.toString(), ssl, ...(fallback === undefined ? {} : {fallback}), mode, files, socket})
  if (socket) return options(false)
  switch (mode) {
    case 'disable': return options(false)
    case 'allow': return options(false, noVerify)
    case 'prefer': return options(noVerify, false)
    case 'require': return options(rootcert ? verifyCa : noVerify)
    case 'no-verify': return options(noVerify)
    case 'verify-ca': return options(verifyCa)
    case 'verify-full': return options(verifyFull)
    default: return options(local && !rootcert ? false : rootcert ? verifyCa : noVerify)
  }
}

/** `ssl` with the certificate files of `files` read in (`read` is readFileSync in the runtime and the probes). */
export function withTlsFiles(ssl: PgSsl, files: PgTlsFiles, read: (path: string) => string): PgSsl {
  if (ssl === false) return false
  const loaded: PgTls = {...ssl}
  for (const [field, path] of Object.entries(files) as Array<[keyof PgTlsFiles, string]>) {
    try {
      loaded[field] = read(path)
    } catch (error) {
      const param = field === 'ca' ? 'sslrootcert' : field === 'cert' ? 'sslcert' : 'sslkey'
      throw new PgUrlError(`${param}=${path} cannot be read: ${(error as Error).message}`)
    }
  }
  return loaded
}

export interface RedisTlsOptions {
  tls?: {rejectUnauthorized: boolean}
}

/** ioredis TLS options for a Redis URL: `rediss://` works with self-signed certificates. */
export function redisTlsOptions(redisUrl: string): RedisTlsOptions {
  return new URL(redisUrl).protocol === 'rediss:' ? {tls: {rejectUnauthorized: false}} : {}
}
