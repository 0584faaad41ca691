// Throwaway redis-servers for the calling test file, one per call, all stopped after each test.
import {afterEach} from 'vitest'
import {type RedisService, type RedisServiceOptions, startRedis} from './services-redis.js'

/** Registers the afterEach that stops them; returns the function that starts one with these options. */
export function useThrowawayRedis(): (options?: RedisServiceOptions) => Promise<RedisService> {
  let servers: RedisService[] = []
  afterEach(async () => {
    await Promise.all(servers.map(s => s.stop()))
    servers = []
  })
  return async (options = {}) => {
    const s = await startRedis(options)
    servers.push(s)
    return s
  }
}
