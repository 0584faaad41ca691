// Live measurement of Redis and Postgres for `tsq:doctor --live` and `--local`.
export {measureRedis} from './redis.js'
export {measurePostgres} from './postgres.js'
export {type ProbeMeasurement, type ProbeOptions, probeName} from './common.js'
export {parseClientList, parseInfo, parseTsqName, attribute, type Attribution, type TsqName} from './parse.js'
export {measurementFromRedis, type RedisReadings, type Reading} from './redis-readings.js'
export {measurementFromPostgres, type PostgresSession, type PostgresSettings} from './postgres-readings.js'
export {readRedisServer, unreadRedisServer} from './redis-server.js'
