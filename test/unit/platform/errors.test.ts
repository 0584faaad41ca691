// Heroku's own messages are passed through, but as text that is safe to print: no escape sequences or control
// characters, a bounded length; and a 5xx on a mutation names the command that shows what happened.
import {describe, expect, it} from 'vitest'

import {printable} from '../../../src/core/model/printable.js'
import {errorFromResponse} from '../../../src/platform/errors.js'

const ESC = '\u001B'

describe('server messages', () => {
  it('strips ANSI escapes and control characters from Heroku\'s message', () => {
    const body = {id: 'invalid_params', message: `bad ${ESC}[31mred${ESC}[0m value${ESC}]0;pwned\u0007\u0000\r here`}
    const error = errorFromResponse({status: 422, body, method: 'PATCH', path: '/apps/a/config-vars', attempts: 1})
    expect(error.message).toBe('bad red value\n here')
    expect([...error.herokuMessage!].filter(c => c !== '\n' && c.charCodeAt(0) < 0x20)).toEqual([])
  })

  it('bounds the length of Heroku\'s message, JSON or text', () => {
    const long = 'x'.repeat(5000)
    const json = errorFromResponse({status: 503, body: {id: 'internal_server_error', message: long}, method: 'GET', path: '/apps/a', attempts: 4})
    const text = errorFromResponse({status: 502, body: `<html>${long}</html>`, method: 'GET', path: '/apps/a', attempts: 4})
    expect(json.herokuMessage!.length).toBeLessThanOrEqual(300)
    expect(text.herokuMessage!.length).toBeLessThanOrEqual(300)
    expect(json.message.length).toBeLessThan(420)
  })

  it.each([
    ['/apps/demo/formation', 'PATCH', 'heroku ps -a demo'],
    ['/apps/demo/config-vars', 'PATCH', 'heroku config -a demo'],
    ['/addon-attachments', 'POST', 'heroku addons'],
  ])('a 5xx on %s (%s) names %s', (path, method, command) => {
    const error = errorFromResponse({status: 500, body: {id: 'internal_server_error', message: 'oops'}, method, path, attempts: 1})
    expect(error.hint).toContain(`\`${command}\``)
    expect(error.hint).toContain('may or may not have been applied')
    expect(error.hint).not.toContain('heroku releases')
  })

  it('printable keeps tabs and newlines and cuts with an ellipsis', () => {
    expect(printable('a\tb\nc')).toBe('a\tb\nc')
    expect(printable('abcdef', 4)).toBe('abc…')
  })
})
