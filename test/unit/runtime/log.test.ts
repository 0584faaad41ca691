import {describe, expect, it} from 'vitest'
import {createLogger} from '../../../src/runtime/index.js'
import {formatLogLine} from '../../../src/runtime/log.js'

describe('runtime log lines', () => {
  it('masks a URL password, in the message and in an error field', () => {
    const line = formatLogLine('tsq web.1[1]', 'error', 'cannot reach redis://:hunter22@host:6379',
      {err: new Error('connect postgres://u:pw-secret@db:5432/x failed')})
    expect(line).not.toMatch(/hunter22|pw-secret/)
    expect(line).toContain('redis://:*****@host:6379')
  })

  it('keeps a multi-line message or field on one line', () => {
    expect(formatLogLine('tsq web.1[1]', 'info', 'a\nb', {detail: 'c\nd'})).not.toContain('\n')
  })

  it('writes info to stdout and warnings and errors to stderr, each line naming dyno and pid', () => {
    const out: string[] = []
    const err: string[] = []
    const log = createLogger({dyno: 'worker.2'}, {stdout: l => out.push(l), stderr: l => err.push(l)})
    log.info('ready', {redis: '4/4'})
    log.warn('slow')
    log.error('broken')
    expect(out).toEqual([`tsq worker.2[${process.pid}] ready redis=4/4\n`])
    expect(err).toEqual([`tsq worker.2[${process.pid}] warn: slow\n`, `tsq worker.2[${process.pid}] error: broken\n`])
  })
})

describe('createLogger redaction of the process\'s own passwords', () => {
  it('masks the Redis and Postgres passwords even where a message repeats them outside a URL', () => {
    const err: string[] = []
    const log = createLogger(
      {dyno: 'web.1', redisUrl: 'rediss://:SENTINELlogRedisPW@host:6380', databaseUrl: 'postgres://u:SENTINELlogPgPW@host:5432/d'},
      {stdout: () => undefined, stderr: l => err.push(l)})
    log.error('client options', {options: {password: 'SENTINELlogRedisPW'}, err: new Error('auth SENTINELlogPgPW failed')})
    expect(err.join('')).not.toContain('SENTINEL')
    expect(err.join('')).toContain('*****')
  })
})

describe('createLogger and a Redis URL that is not a URL', () => {
  it('never prints the value of a REDIS_URL that is a bare password', () => {
    const err: string[] = []
    const log = createLogger({dyno: 'web.1', redisUrl: 'SENTINELbareLogPW5501', databaseUrl: null}, {stdout: () => undefined, stderr: l => err.push(l)})
    log.error('cannot connect', {url: 'SENTINELbareLogPW5501', err: new Error('bad url SENTINELbareLogPW5501')})
    expect(err.join('')).not.toContain('SENTINEL')
  })
})
