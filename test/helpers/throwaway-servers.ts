// Throwaway redis-servers and Postgres clusters for the calling test file, as many as it starts, all stopped
// after each test.
import {afterEach} from 'vitest'
import {type PostgresService, type PostgresServiceOptions, type RedisService, type RedisServiceOptions, startPostgres, startRedis} from './services.js'

export interface ThrowawayServers {
  redis(options?: RedisServiceOptions): Promise<RedisService>
  postgres(options?: PostgresServiceOptions): Promise<PostgresService>
}

/** Registers the afterEach that stops them; returns the functions that start one. */
export function useThrowawayServers(): ThrowawayServers {
  let servers: Array<RedisService | PostgresService> = []
  afterEach(async () => {
    await Promise.all(servers.map(s => s.stop()))
    servers = []
  })
  const started = <T extends RedisService | PostgresService>(s: T): T => {
    servers.push(s)
    return s
  }
  return {
    redis: async (options = {}) => started(await startRedis(options)),
    postgres: async (options = {}) => started(await startPostgres(options)),
  }
}

/** Only redis-servers: the `redis` starter of useThrowawayServers(). */
export function useThrowawayRedis(): ThrowawayServers['redis'] {
  return useThrowawayServers().redis
}
