import {describe, expect, it} from 'vitest'
import {systemdEnvFileNotes} from '../../../../../src/core/plans/export/env-file.js'
import {ISSUE_DOTENV} from '../../model/dotenv-fixtures.js'

const SECRET = 'SENTINELenvfilePW2209'

describe('systemdEnvFileNotes', () => {
  it('says nothing for plain KEY=value, single- and double-quoted values (multiline too) and comment lines', () => {
    expect(systemdEnvFileNotes('# c\nA=1\nB=\'x y\'\nC="one\ntwo"\nD=\n')).toEqual([])
    expect(systemdEnvFileNotes(null)).toEqual([])
  })

  it('the issue\'s file: names line 1, whose export systemd does not take', () => {
    expect(systemdEnvFileNotes(ISSUE_DOTENV)).toEqual([
      '.env line 1 (TSQ_WORKER_CONCURRENCY): "export " before the name, which systemd\'s EnvironmentFile= does not take: systemd ignores the assignment; remove "export "',
    ])
  })

  it('names each kind of difference once, with its lines and variables, and never a value', () => {
    const text = [
      `export DATABASE_URL=postgres://u:${SECRET}@h/db`, 'A=`one', 'two`', `B=a\\b${SECRET}`, `C=${SECRET} # note`, `D="${SECRET}" tail`,
      `E="open ${SECRET}`, 'export F=2', 'G=fine',
    ].join('\n') + '\n'
    const notes = systemdEnvFileNotes(text)
    expect(notes.map(n => n.replace(/\): .*/, ')'))).toEqual([
      '.env lines 1, 8 (DATABASE_URL, F)', '.env line 2 (A)', '.env line 4 (B)', '.env line 5 (C)', '.env line 6 (D)', '.env line 7 (E)',
    ])
    expect(notes.map(n => n.split('): ')[1]!.split(',')[0])).toEqual(['"export " before the name', 'backtick quotes', 'a backslash in the value',
      'a # comment after an unquoted value: Node drops it', 'text after the closing quote: Node ignores it', 'a quote that is not closed: Node reads the rest of the line'])
    expect(notes.join('\n')).not.toContain(SECRET)
  })

  it('names the line after a stray one, which Node reads into the name and systemd skips, without showing the stray text', () => {
    const notes = systemdEnvFileNotes(`A=1\n${SECRET}\nX=1\n`)
    expect(notes).toEqual([expect.stringMatching(/^\.env line 3: after a line that is neither KEY=value nor a # comment/)])
    expect(notes.join('\n')).not.toContain(SECRET)
  })
})
