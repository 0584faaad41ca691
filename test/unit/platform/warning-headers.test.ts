import {describe, expect, it} from 'vitest'
import {printableWarnings} from '../../../src/platform/exchange.js'
import {MAX_HEROKU_MESSAGE} from '../../../src/platform/errors.js'

describe('printableWarnings: the warning headers @heroku-cli/command prints', () => {
  it('strips ANSI escapes, OSC hyperlinks and control characters, and joins lines', () => {
    const headers = printableWarnings({'x-heroku-warning': '\u001B[31mDyno size\u001B[0m \u001B]8;;https://evil.example\u0007deprecated\u001B]8;;\u0007\r\nsoon\u0000\u0008'})
    expect(headers['x-heroku-warning']).toBe('Dyno size deprecated soon')
  })

  it('bounds a 10 KB header to the length of a server message', () => {
    const value = printableWarnings({'warning-message': 'A'.repeat(10_240)})['warning-message'] as string
    expect(value).toHaveLength(MAX_HEROKU_MESSAGE)
    expect(value.endsWith('…')).toBe(true)
  })

  it('masks a URL password and the API token, cleans every value of a repeated header, drops ones left empty, and leaves other headers alone', () => {
    const token = 'hrku-0123456789abcdef'
    const headers = printableWarnings({
      'x-heroku-warning': ['see postgres://u:s3cret@db.example:5432/d', `token ${token}`, '\u001B[2J'],
      'warning-message': '\u0007',
      'request-id': 'abc\u001B[31m',
    }, text => text.split(token).join('*****'))
    expect(headers).toEqual({'x-heroku-warning': ['see postgres://u:*****@db.example:5432/d', 'token *****'], 'request-id': 'abc\u001B[31m'})
  })

  it('masks a URL password that holds a space or a quote, which no URL parser can delimit, to the last @ before the host', () => {
    const headers = printableWarnings({'x-heroku-warning': 'rotate postgres://user:pa ss"SENTINELsp@h.example/d and redis://:r3d1s-pw@r.example:6379 soon'})
    const value = headers['x-heroku-warning'] as string
    expect(value).toBe('rotate postgres://*****@h.example/d and redis://:*****@r.example:6379 soon')
    expect(value).not.toMatch(/SENTINEL|pa ss|r3d1s/)
  })
})
