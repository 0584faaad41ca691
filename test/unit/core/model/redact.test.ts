import {describe, expect, it} from 'vitest'
import {Redactor, redactLine, redactUrl, secretsOf} from '../../../../src/core/model/redact.js'

const PW = 'SENTINELredactPW9001'

describe('redactUrl', () => {
  it.each([
    [`redis://h:${PW}@ec2-1.compute:6379`, 'redis://h:*****@ec2-1.compute:6379'],
    [`rediss://:${PW}@host:6380/0`, 'rediss://:*****@host:6380/0'],
    [`postgres://user:${PW}@host:5432/db?sslmode=require`, 'postgres://user:*****@host:5432/db?sslmode=require'],
    [`redis://${PW}@host:6379`, 'redis://*****@host:6379'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
  ])('masks the secret of %s', (input, output) => {
    expect(redactUrl(input)).toBe(output)
  })
})

describe('redactUrl with an unencoded @ or / in the password', () => {
  // WHATWG URL (and so the runtime) takes everything up to the last `@` as userinfo.
  it.each([
    [`postgres://user:p@s${PW}@host:5432/db`, 'postgres://user:*****@host:5432/db'],
    [`rediss://:a/b${PW}@host:6380`, 'rediss://:*****@host:6380'],
    [`redis://to@ken${PW}@host:6379`, 'redis://*****@host:6379'],
    [`url="redis://:p@${PW}@h:1" next=a@b`, 'url="redis://:*****@h:1" next=a@b'],
  ])('masks all of the secret of %s', (input, output) => {
    expect(redactUrl(input)).toBe(output)
  })

  it('collects the whole password as a secret, so it is masked in free text too', () => {
    const r = new Redactor().addVars({DATABASE_URL: `postgres://u:p@s/${PW}@h/db`})
    expect(r.text(`auth failed with p@s/${PW} for u`)).toBe('auth failed with ***** for u')
  })

  it('leaves URLs without userinfo alone, even with an @ after the host', () => {
    expect(redactUrl('see https://devcenter.heroku.com/articles/a@b and postgres://127.0.0.1:5432/postgres')).toBe('see https://devcenter.heroku.com/articles/a@b and postgres://127.0.0.1:5432/postgres')
  })
})

describe('Redactor', () => {
  it('masks URL passwords and secret-named config var values wherever they appear, also URL-encoded', () => {
    const secret = 'p@ss/wörd+SENTINEL'
    const r = new Redactor().addVars({
      REDIS_URL: `redis://h:${encodeURIComponent(secret)}@host:1`, STRIPE_API_KEY: 'sk_live_SENTINEL42', PLAIN: 'visible-value',
    })
    const text = r.text(`failed: ${secret} / ${encodeURIComponent(secret)} / sk_live_SENTINEL42 / visible-value`)
    expect(text).not.toContain('SENTINEL')
    expect(text).toContain('visible-value')
  })

  it('scrubs every string of a nested JSON value without changing its shape', () => {
    const r = new Redactor([PW])
    expect(r.value({a: [`x${PW}y`, 3, null], b: {c: PW}})).toEqual({a: ['x*****y', 3, null], b: {c: '*****'}})
  })

  it('collects the passwords of URLs in config vars', () => {
    expect(secretsOf({DATABASE_URL: `postgres://u:${PW}@h/db`, WEB_CONCURRENCY: '2'})).toEqual([PW])
  })
})

describe('Redactor and common words', () => {
  it('does not treat a URL user name or a common word as a secret to mask in free text', () => {
    const r = new Redactor().addVars({DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', REDIS_URL: 'redis://:redis@127.0.0.1:6379'})
    expect(r.text('check postgres.connections on redis')).toBe('check postgres.connections on redis')
    expect(r.text('redis://:redis@127.0.0.1:6379')).toBe('redis://:*****@127.0.0.1:6379')
  })
})

describe('Redactor.value on any object', () => {
  it('survives a cycle (as in oclif\'s parse error, whose context is the command): the cycle is cut, secrets scrubbed', () => {
    const r = new Redactor([PW])
    const command: Record<string, unknown> = {token: PW}
    command.self = command
    const error = {message: `bad ${PW}`, parse: {input: {context: command}}}
    const out = r.value(error) as {message: string, parse: {input: {context: {token: string, self: unknown}}}}
    expect(out.message).toBe('bad *****')
    expect(out.parse.input.context.token).toBe('*****')
    expect(out.parse.input.context.self).toBe('[Circular]')
    expect(JSON.stringify(out)).not.toContain(PW)
  })

  it('skips a getter that throws and keeps the rest', () => {
    const r = new Redactor([PW])
    const value = {ok: PW, get broken(): string {
      throw new Error('no')
    }}
    expect(r.value(value)).toEqual({ok: '*****'})
  })

  it('bounds depth and size: a 10 000-deep chain and a million-entry array end in bounded output', () => {
    const r = new Redactor([PW])
    let deep: Record<string, unknown> = {leaf: PW}
    for (let i = 0; i < 10_000; i++) deep = {next: deep}
    expect(() => JSON.stringify(r.value(deep))).not.toThrow()
    const huge = Array.from({length: 1_000_000}, () => PW)
    const out = r.value(huge) as unknown[]
    expect(out.length).toBeLessThan(20_000)
    expect(JSON.stringify(out)).not.toContain(PW)
  })

  it('keeps a shared (non-cyclic) object, Dates as JSON, and drops functions', () => {
    const r = new Redactor([PW])
    const shared = {a: 1}
    const out = r.value({x: shared, y: shared, at: new Date(0), f: () => PW})
    expect(out).toEqual({x: {a: 1}, y: {a: 1}, at: '1970-01-01T00:00:00.000Z'})
  })
})

describe('secrets the URL mask used to miss (issue 16 item 7)', () => {
  const BARE = 'SENTINELbarePW8812'

  it.each(['password', 'pass', 'token', 'access_token', 'api_key', 'secret', 'sslpassword'])('masks ?%s= in a URL', name => {
    const text = redactUrl(`redis://host:6379/0?db=1&${name}=${PW}&x=y`)
    expect(text).toBe(`redis://host:6379/0?db=1&${name}=*****&x=y`)
  })

  it('learns a query-string password of a config var as a secret', () => {
    expect(secretsOf({REDIS_URL: `rediss://host:6380?password=${PW}`})).toContain(PW)
  })

  it.each([
    ['a space', `pa ss${PW}`],
    ['a double quote', `pa"ss${PW}`],
  ])('learns a userinfo password containing %s whole, and masks it in any text', (_name, password) => {
    const url = `redis://user:${password}@host:6379`
    expect(secretsOf({REDIS_URL: url})).toContain(password)
    const r = new Redactor().addVars({REDIS_URL: url})
    expect(r.text(`connect ${url} failed`)).not.toContain(PW)
  })

  it('the value of a URL variable that is not a URL (a bare password) is a secret', () => {
    expect(secretsOf({REDIS_URL: BARE, MY_SERVICE_URL: `x${BARE}`})).toEqual(expect.arrayContaining([BARE, `x${BARE}`]))
    expect(new Redactor().addVars({REDIS_URL: BARE}).text(`bad value ${BARE}`)).toBe('bad value *****')
  })

  it('a URL variable that parses is not a secret as a whole', () => {
    expect(secretsOf({REDIS_URL: 'redis://127.0.0.1:6379'})).toEqual([])
  })
})

describe('redactLine', () => {
  it.each([
    ['  password: SENTINELyaml', '  password: *****'],
    ['  password: "SENTINELq" # keep', '  password: "*****" # keep'],
    ['secret = ENV.fetch("SECRET") { "SENTINELdefault" }', 'secret = *****'],
    ['Environment=GITHUB_TOKEN=SENTINELunit', 'Environment=GITHUB_TOKEN=*****'],
    ['  password: <%= ENV.fetch("DB_PASSWORD") { "SENTINELerb" } %>', '  password: *****'],
  ])('masks the literal of %s', (input, output) => {
    expect(redactLine(input)).toBe(output)
  })

  it.each([
    '  password: <%= ENV["DB_PASSWORD"] %>',
    '  primary_key: id',
    'if token == "x"',
    'TSQ_CONCURRENCY=3',
    'release: DATABASE_CONNECTION_POOL_URL=$DATABASE_URL bin/rails db:migrate',
    'SECRET_KEY_BASE=${SECRET_KEY_BASE}',
    'threads_count = Integer(ENV.fetch("RAILS_MAX_THREADS") { 5 })',
    '  password: ',
  ])('leaves %s as it is (a reference, no literal, or no secret-named key)', line => {
    expect(redactLine(line)).toBe(line)
  })
})
