// TLS checks: Heroku Key-Value Store needs rediss://, Heroku Postgres needs TLS without certificate
// verification (unless Enhanced Certificates). Judged with the same TLS options the runtime uses. Pure.
import {type Check, type CheckContext, fail, heroku, ok, warn} from './common.js'
import {LOCAL_HOSTS, PgUrlError, SSL_MODES, pgConnectionOptions, pgHost} from '../model/tls.js'

function parse(url: string | null): URL | null {
  if (!url) return null
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/** `redis.tls`: Heroku Key-Value Store refuses plain redis:// (every plan since December 2024). */
export function checkRedisTls(ctx: CheckContext): Check | null {
  const {configVar, used} = ctx.assessment.redis
  const url = parse(ctx.assessment.redis.url)
  if (!url || !configVar) return null
  const tls = url.protocol === 'rediss:'
  if (tls) return ok('redis.tls', `${configVar} uses rediss://; the runtime accepts the self-signed certificates Heroku Key-Value Store presents`)
  if (used?.service === 'heroku-redis') {
    const tlsVar = ctx.assessment.config.REDIS_TLS_URL?.startsWith('rediss:') && configVar !== 'REDIS_TLS_URL'
    // Versions 6 and later serve rediss://; `heroku redis:info` shows the current one and --version is required.
    const upgrade = `${heroku(ctx, `redis:upgrade ${used.name} --version VERSION`)} (VERSION 6 or later; heroku redis:info shows the current one)`
    return fail('redis.tls', `${configVar} uses redis://, but Heroku Key-Value Store requires TLS (rediss://) on every plan since December 2024: connections are refused`,
      tlsVar
        ? `the add-on also sets REDIS_TLS_URL (rediss://); upgrade so REDIS_URL itself is rediss://: ${upgrade}`
        : `${upgrade}, then check ${heroku(ctx, 'config:get REDIS_URL')} starts with rediss://`)
  }
  const where = LOCAL_HOSTS.has(url.hostname) ? 'a local server' : used ? `${used.service}, which does not require TLS` : 'a server tsq knows nothing about'
  return ok('redis.tls', `${configVar} uses plain redis:// to ${where}`)
}

/** `postgres.tls`: how the runtime will connect, given DATABASE_URL's sslmode. */
export function checkPostgresTls(ctx: CheckContext): Check | null {
  const {configVar, used} = ctx.assessment.postgres
  const raw = ctx.assessment.postgres.url
  const url = parse(raw)
  if (!url || !raw || !configVar) return null
  const rawMode = url.searchParams.get('sslmode')
  let options: ReturnType<typeof pgConnectionOptions>
  try {
    options = pgConnectionOptions(raw)
  } catch (error) {
    if (!(error instanceof PgUrlError)) throw error
    return fail('postgres.tls', `${configVar}: ${error.message}, so the runtime refuses to connect`,
      `${ctx.local ? 'in .env, ' : ''}set sslmode in ${configVar} to one of ${SSL_MODES.slice(0, 6).join(', ')}, or remove it`)
  }
  const {ssl, mode} = options
  const local = options.socket || LOCAL_HOSTS.has(pgHost(url))
  const heroku_ = used?.service === 'heroku-postgresql' || /\.(amazonaws\.com|heroku\.com)$/.test(url.hostname)
  const removeMode = ctx.local ? `remove sslmode=${rawMode} from ${configVar} in .env` : `remove sslmode=${rawMode} from ${configVar}`
  if (options.socket) return ok('postgres.tls', `${configVar} points at a Unix socket: no TLS (libpq uses none there)`)
  if (local) return ok('postgres.tls', `${configVar} points at a local database: ${ssl || options.fallback ? 'TLS as the URL asks' : 'no TLS'}`)
  if (mode === 'allow') {
    const text = `${configVar} has sslmode=allow, so the runtime first connects without TLS, as libpq does, and uses TLS only if the server refuses that`
    return heroku_
      ? warn('postgres.tls', `${text}: Heroku Postgres always refuses it, so every new connection takes two attempts`, `${removeMode}: the runtime then uses TLS at once`)
      : warn('postgres.tls', `${text}: to a remote database that accepts it, credentials and data cross the network in clear`, removeMode)
  }
  if (ssl === false) {
    const text = `${configVar} has sslmode=disable, so the runtime connects without TLS`
    return heroku_
      ? fail('postgres.tls', `${text}, and Heroku Postgres refuses connections without TLS`, `${removeMode}: the runtime then uses TLS without certificate verification, as Heroku Postgres needs`)
      : warn('postgres.tls', `${text} to a remote database: credentials and data cross the network in clear`, removeMode)
  }
  if (ssl.rejectUnauthorized && heroku_) {
    return warn('postgres.tls', `${configVar} has sslmode=${mode}, which verifies the server certificate: Heroku Postgres certificates verify only with Enhanced Certificates, otherwise every connection fails`,
      `${removeMode} unless the database has Enhanced Certificates`)
  }
  const how = ssl.rejectUnauthorized ? 'TLS with certificate verification' : 'TLS without certificate verification, as Heroku Postgres needs'
  const fallback = mode === 'prefer' ? ', and without TLS if the server has none, as libpq does' : ''
  const note = mode === 'require' || mode === 'prefer' ? `${fallback} (pg alone would treat sslmode=${mode} as verify-full and fail; the runtime does not)` : ''
  return ok('postgres.tls', `${configVar}: the runtime connects with ${how}${note}`)
}
