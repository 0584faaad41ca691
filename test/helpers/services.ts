// Throwaway Redis and Postgres servers with tight limits for integration tests (see each module).
export {startRedis, type RedisService, type RedisServiceOptions} from './services-redis.js'
export {startPostgres, type PostgresService, type PostgresServiceOptions} from './services-postgres.js'
