import {describe, expect, it} from 'vitest'
import {PgUrlError, pgConnectionOptions, redisTlsOptions, withTlsFiles, type PgTls} from '../../../../src/core/model/tls.js'

describe('pgConnectionOptions', () => {
  it.each([
    ['postgres://u:p@ec2-1.compute-1.amazonaws.com:5432/d', {rejectUnauthorized: false}],
    ['postgres://u:p@ec2-1.compute-1.amazonaws.com:5432/d?sslmode=require', {rejectUnauthorized: false}],
    ['postgres://u:p@ec2-1.compute-1.amazonaws.com:5432/d?sslmode=no-verify', {rejectUnauthorized: false}],
    ['postgres://u:p@ec2-1.compute-1.amazonaws.com:5432/d?sslmode=verify-full', {rejectUnauthorized: true}],
    ['postgres://u:p@db.internal:5432/d?sslmode=disable', false],
    ['postgres://127.0.0.1:5432/postgres', false],
    ['postgres://localhost:5432/postgres?sslmode=require', {rejectUnauthorized: false}],
  ] as const)('%s gets ssl %j', (url, ssl) => {
    expect(pgConnectionOptions(url).ssl).toEqual(ssl)
  })

  it('prefer tries TLS without verification first and falls back to plaintext; allow the other way round (libpq)', () => {
    const remote = 'postgres://u:p@db.example.org:5432/d'
    expect(pgConnectionOptions(`${remote}?sslmode=prefer`)).toMatchObject({ssl: {rejectUnauthorized: false}, fallback: false, mode: 'prefer'})
    expect(pgConnectionOptions(`${remote}?sslmode=allow`)).toMatchObject({ssl: false, fallback: {rejectUnauthorized: false}, mode: 'allow'})
    expect(pgConnectionOptions(`${remote}?sslmode=require`).fallback).toBeUndefined()
  })

  it.each(['verify_full', 'on', 'true', ''])('sslmode=%j is an error naming it, never a silent default', mode => {
    expect(() => pgConnectionOptions(`postgres://u:s3cr3t@h:5432/d?sslmode=${mode}`)).toThrow(PgUrlError)
    expect(() => pgConnectionOptions(`postgres://u:s3cr3t@h:5432/d?sslmode=${mode}`)).toThrow(`sslmode=${mode} is not an sslmode libpq knows`)
  })

  it('sslrootcert is kept for the TLS options: require then verifies the chain (verify-ca, as libpq), verify-full also the host', () => {
    const require_ = pgConnectionOptions('postgres://u:p@h:5432/d?sslmode=require&sslrootcert=/etc/ca.pem')
    expect(require_.files).toEqual({ca: '/etc/ca.pem'})
    expect(require_.ssl).toMatchObject({rejectUnauthorized: true})
    expect((require_.ssl as PgTls).checkServerIdentity?.()).toBeUndefined()
    const full = pgConnectionOptions('postgres://u:p@h:5432/d?sslmode=verify-full&sslrootcert=/etc/ca.pem&sslcert=/c.pem&sslkey=/k.pem')
    expect(full.ssl).toEqual({rejectUnauthorized: true})
    expect(full.files).toEqual({ca: '/etc/ca.pem', cert: '/c.pem', key: '/k.pem'})
    expect(withTlsFiles(full.ssl, full.files, path => `<${path}>`)).toEqual({rejectUnauthorized: true, ca: '</etc/ca.pem>', cert: '</c.pem>', key: '</k.pem>'})
    expect(() => withTlsFiles(full.ssl, full.files, () => {
      throw new Error('ENOENT')
    })).toThrow('sslrootcert=/etc/ca.pem cannot be read: ENOENT')
    // `system`: Node's own CAs, no file.
    expect(pgConnectionOptions('postgres://u:p@h:5432/d?sslmode=verify-full&sslrootcert=system').files).toEqual({})
  })

  it.each([
    'postgres:///app?host=/var/run/postgresql',
    'postgres://u@%2Fvar%2Frun%2Fpostgresql/app',
    'postgres://u@localhost:5433/app?host=/tmp/sock&sslmode=require',
  ])('a Unix-socket host (%s) gets no TLS, whatever sslmode says, as in libpq', url => {
    expect(pgConnectionOptions(url)).toMatchObject({ssl: false, socket: true})
    expect(pgConnectionOptions(url).fallback).toBeUndefined()
  })

  it('removes ssl parameters from the URL so pg cannot turn them into full verification', () => {
    const {connectionString} = pgConnectionOptions('postgres://u:p@h:5432/d?sslmode=require&application_name=x')
    expect(connectionString).toBe('postgres://u:p@h:5432/d?application_name=x')
  })
})

describe('redisTlsOptions', () => {
  it('accepts self-signed certificates for rediss:// and adds no TLS to redis://', () => {
    expect(redisTlsOptions('rediss://:p@h:6380')).toEqual({tls: {rejectUnauthorized: false}})
    expect(redisTlsOptions('redis://:p@h:6379')).toEqual({})
  })
})
