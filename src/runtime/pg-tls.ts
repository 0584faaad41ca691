// libpq's sslmode for node-postgres: the TLS options of a DATABASE_URL with its certificate files read, and a
// pg Client that does what libpq does for `prefer` (TLS, else plaintext) and `allow` (plaintext, else TLS).
import {readFileSync} from 'node:fs'
import pg from 'pg'
import {pgConnectionOptions, withTlsFiles, type PgSsl} from '../core/model/tls.js'

/** What the clients of one pool (or one probe) share: the sslmode's two tries, and which one the server took. */
export interface SslNegotiation {
  first: PgSsl
  fallback?: PgSsl
  /** Set once a connection succeeded with the fallback: the next connections start with it. */
  settled?: PgSsl
}

/** pg options (connectionString, ssl, Client) for a DATABASE_URL, with libpq's sslmode semantics. */
export function pgTlsConfig(databaseUrl: string): {connectionString: string, ssl: PgSsl, Client?: typeof pg.Client, tsqSsl?: SslNegotiation} {
  const options = pgConnectionOptions(databaseUrl)
  const read = (path: string) => readFileSync(path, 'utf8')
  const ssl = withTlsFiles(options.ssl, options.files, read)
  if (options.fallback === undefined) return {connectionString: options.connectionString, ssl}
  const negotiation: SslNegotiation = {first: ssl, fallback: withTlsFiles(options.fallback, options.files, read)}
  return {connectionString: options.connectionString, ssl, Client: SslFallbackClient, tsqSsl: negotiation}
}

/**
 * Whether a failed first connection was refused for its TLS choice: with TLS, a server without TLS answers
 * the SSLRequest with "N"; without TLS, a server that requires it has no pg_hba entry for plaintext
 * ("SSL off", "no encryption" since PostgreSQL 17).
 */
export function refusedForTls(error: unknown, triedTls: boolean): boolean {
  const message = error instanceof Error ? error.message : String(error)
  if (triedTls) return message === 'The server does not support SSL connections'
  return (error as {code?: string})?.code === '28000' && /SSL off|no encryption|SSL (connection )?(is )?required/i.test(message)
}

type ClientConfig = pg.ClientConfig & {tsqSsl?: SslNegotiation}

/**
 * A pg Client for `prefer`/`allow`: when the first connection attempt is refused for its TLS choice, it
 * connects again with the other choice, and the pool's later clients start with the one that worked.
 */
export class SslFallbackClient extends pg.Client {
  private readonly negotiation: SslNegotiation | undefined
  private readonly config: ClientConfig

  constructor(config: ClientConfig = {}) {
    const negotiation = config.tsqSsl
    super({...config, ssl: negotiation?.settled ?? config.ssl})
    this.config = config
    this.negotiation = negotiation
  }

  // Both of pg's forms: a callback (what pg.Pool uses) or a promise.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override connect(callback?: (...args: any[]) => void): any {
    const attempt = this.connectNegotiating()
    if (!callback) return attempt
    attempt.then(() => callback(null, this), (error: Error) => callback(error))
    return undefined
  }

  private async connectNegotiating(): Promise<this> {
    const n = this.negotiation
    const tried = (this as unknown as {ssl: PgSsl}).ssl
    try {
      await super.connect()
    } catch (error) {
      if (!n || n.fallback === undefined || n.settled !== undefined || !refusedForTls(error, tried !== false)) throw error
      this.reset(n.fallback)
      await super.connect()
      n.settled = n.fallback
    }
    return this
  }

  /** Makes this never-connected client ready for a second attempt with `ssl` (pg's state for one attempt). */
  private reset(ssl: PgSsl): void {
    const self = this as unknown as Record<string, unknown> & {connection: pg.Connection & {removeAllListeners(): void}}
    const old = self.connection
    old.removeAllListeners()
    old.on('error', () => {}) // the refused socket may still report its end
    clearTimeout(self.connectionTimeoutHandle as NodeJS.Timeout | undefined)
    self.connection = new pg.Connection({
      ssl, keepAlive: this.config.keepAlive ?? false, keepAliveInitialDelayMillis: this.config.keepAliveInitialDelayMillis ?? 0,
    } as ConstructorParameters<typeof pg.Connection>[0])
    Object.assign(self, {ssl, _connecting: false, _connected: false, _connectionError: false, _ending: false, _ended: false})
  }
}
