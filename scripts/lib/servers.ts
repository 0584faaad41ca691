// Throwaway Redis and Postgres with Heroku's smallest limits (20 and 20), and a Postgres login role for the
// app that is not a superuser, as on Heroku: it gets max_connections − superuser_reserved_connections
// slots, while the harness's own superuser connection stays out of its way.
import pg from 'pg'
import {type PostgresService, startPostgres} from './services-postgres.js'
import {type RedisService, startRedis} from './services-redis.js'

export const APP_ROLE = 'tsq_app'

export interface Servers {
  redis: RedisService
  postgres: PostgresService
  /** Redis URL for the app and its tools. */
  redisUrl: string
  /** Postgres URL of the app's non-superuser role. */
  databaseUrl: string
  /** A superuser client (application_name `tsq-proof-harness`) for counting sessions and results. */
  admin: pg.Client
  stop(): Promise<void>
}

export async function startServers(limits: {maxclients?: number, maxConnections?: number} = {}): Promise<Servers> {
  const [redis, postgres] = await Promise.all([
    startRedis({maxclients: limits.maxclients ?? 20}),
    startPostgres({maxConnections: limits.maxConnections ?? 20}),
  ])
  const admin = new pg.Client({connectionString: postgres.url, application_name: HARNESS_NAME})
  admin.on('error', () => {})
  try {
    await admin.connect()
    // PG 15+ lets only the owner create in schema public: the app's role owns what the release phase creates.
    await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN; GRANT ALL ON SCHEMA public TO ${APP_ROLE}`)
  } catch (error) {
    await Promise.allSettled([admin.end(), redis.stop(), postgres.stop()])
    throw error
  }
  const databaseUrl = postgres.url.replace('postgres://postgres@', `postgres://${APP_ROLE}@`)
  return {
    redis, postgres, redisUrl: redis.url, databaseUrl, admin,
    async stop() {
      await admin.end().catch(() => {})
      await Promise.allSettled([redis.stop(), postgres.stop()])
    },
  }
}

/** application_name / client name of every connection the harness itself opens (not the app's). */
export const HARNESS_NAME = 'tsq-proof-harness'
