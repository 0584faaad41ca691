import {describe, expect, it} from 'vitest'
import {pgConnectionOptions, redisTlsOptions} from '../../../src/core/model/tls.js'

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
