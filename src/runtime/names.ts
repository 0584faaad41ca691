// The names every runtime connection carries, so `tsq:doctor --live` can attribute live connections to a
// dyno, a process and a purpose (spec §7), and the runtime's own error type.
import type {Settings} from '../core/model/settings.js'

/** Why a Redis connection exists; the doctor's formula counts one producer, one consumer, one blocking per queue. */
export type RedisPurpose = 'producer' | 'consumer' | 'blocking'
export const REDIS_PURPOSES: readonly RedisPurpose[] = ['producer', 'consumer', 'blocking']

/** `tsq:<dyno>:<pid>`: the Postgres `application_name` of this process's connections. */
export function processName(settings: Pick<Settings, 'dyno'>, pid: number = process.pid): string {
  return `tsq:${settings.dyno}:${pid}`
}

/** `tsq:<dyno>:<pid>:<purpose>`: the Redis client name (CLIENT SETNAME) of one connection. */
export function redisClientName(settings: Pick<Settings, 'dyno'>, purpose: RedisPurpose, pid: number = process.pid): string {
  return `${processName(settings, pid)}:${purpose}`
}

/** An error of the runtime's own making (missing URL, a connection beyond the budget); never holds a secret. */
export class RuntimeError extends Error {
  constructor(message: string, readonly code: string) {
    super(message)
    this.name = 'RuntimeError'
  }
}
