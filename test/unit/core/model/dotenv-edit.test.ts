import {parseEnv} from 'node:util'
import {describe, expect, it} from 'vitest'
import {checkDotenvEdit, editDotenv, renderDotenvValues} from '../../../../src/core/model/dotenv-edit.js'
import {locateDotenv, winningAssignments} from '../../../../src/core/model/dotenv.js'
import {ISSUE_DOTENV, ODD_INPUTS} from './dotenv-fixtures.js'

const SECRET = 'SENTINELdotenvPW4471'

describe('editDotenv', () => {
  it('the issue\'s file: edits the winning TSQ_WORKER_CONCURRENCY=8 on line 3, keeps line 1\'s export and the quoted CERT with its TSQ_ line as written', () => {
    const edit = editDotenv(ISSUE_DOTENV, {TSQ_WORKER_CONCURRENCY: '4'})
    expect(edit.problems).toEqual([])
    expect(edit.changed).toEqual(['TSQ_WORKER_CONCURRENCY'])
    expect(edit.text).toBe(ISSUE_DOTENV.replace('\nTSQ_WORKER_CONCURRENCY=8\n', '\nTSQ_WORKER_CONCURRENCY=4\n'))
    expect(edit.text).toContain('\nTSQ_WORKER_CONCURRENCY=3\n')
    expect(parseEnv(edit.text)).toEqual({...parseEnv(ISSUE_DOTENV), TSQ_WORKER_CONCURRENCY: '4'})
  })

  it('the issue\'s file, edited: a second edit with the same value changes nothing', () => {
    const once = editDotenv(ISSUE_DOTENV, {TSQ_WORKER_CONCURRENCY: '4'}).text
    expect(editDotenv(once, {TSQ_WORKER_CONCURRENCY: '4'})).toEqual({text: once, changed: [], problems: []})
  })

  it('keeps `export ` and the line\'s quotes and comment when it replaces a value', () => {
    expect(editDotenv('export A=1\nB=\'1\'\nC="1" # note\nD=1 # note\n', {A: '2', B: '2', C: '2', D: '2'}).text)
      .toBe('export A=2\nB=\'2\'\nC="2" # note\nD=2 # note\n')
  })

  it('quotes a value that needs it (a #, surrounding spaces, a newline, a leading double quote) and not one that does not', () => {
    const edit = editDotenv('A=1\n', {A: 'a # b', B: ' x ', C: 'one\ntwo', D: '"hi" she said', E: 'say "hi"'})
    expect(edit.text).toBe('A="a # b"\nB=" x "\nC="one\ntwo"\nD=\'"hi" she said\'\nE=say "hi"\n')
    expect(parseEnv(edit.text)).toEqual({A: 'a # b', B: ' x ', C: 'one\ntwo', D: '"hi" she said', E: 'say "hi"'})
  })

  it('keeps a value quoted, in other quotes, when the new value does not fit its own: text after the closing quote stays ignored', () => {
    expect(editDotenv('A="x" junk\n', {A: 'say "hi"'}).text).toBe('A=\'say "hi"\' junk\n')
  })

  it('CRLF: edits in place and appends with CRLF, keeping every other byte', () => {
    expect(editDotenv('A=1\r\nB=\r\n', {A: '3', B: '4', C: '5'}).text).toBe('A=3\r\nB=4\r\nC=5\r\n')
  })

  it('BOM: keeps it; Node reads the first key with the BOM in its name, so A is appended and the BOM line left as it is', () => {
    const edit = editDotenv('\uFEFFA=1\nB=2\n', {A: '3', B: '4'})
    expect(edit.text).toBe('\uFEFFA=1\nB=4\nA=3\n')
    expect(parseEnv(edit.text)).toMatchObject({A: '3', B: '4'})
  })

  it('no trailing newline: ends the last line before appending', () => {
    expect(editDotenv('A=1', {B: '2'}).text).toBe('A=1\nB=2\n')
    expect(editDotenv('A=1', {A: '2'}).text).toBe('A=2')
  })

  it('duplicate keys: edits only the last assignment, the one Node applies', () => {
    expect(editDotenv('A=1\nexport A=2\nA=3\n', {A: '4'}).text).toBe('A=1\nexport A=2\nA=4\n')
    expect(editDotenv('A=1\nA=2\nexport A=3\n', {A: '4'}).text).toBe('A=1\nA=2\nexport A=4\n')
  })

  it('leaves commented-out assignments alone and appends instead', () => {
    expect(editDotenv('# A=1\n#A=2\n', {A: '3'}).text).toBe('# A=1\n#A=2\nA=3\n')
  })

  it('empty values: fills `A=`, `B=""` and a last `C=` without newline', () => {
    expect(editDotenv('A=\nB=""\nC=', {A: '1', B: '2', C: '3'}).text).toBe('A=1\nB="2"\nC=3')
  })

  it('never edits a line inside a single-, double- or backtick-quoted value: the variable is appended', () => {
    for (const q of ['\'', '"', '`']) {
      const text = `K=${q}x\nTSQ_A=1\n${q}\n`
      expect(editDotenv(text, {TSQ_A: '2'}).text).toBe(`${text}TSQ_A=2\n`)
    }
  })

  it('creates the file when there is none', () => {
    expect(editDotenv(null, {A: '1', B: '2'})).toEqual({text: 'A=1\nB=2\n', changed: ['A', 'B'], problems: []})
  })

  it('refuses an edit Node would read otherwise, naming the variable and the stray line and no value', () => {
    const text = `DATABASE_URL=postgres://u:${SECRET}@h/db\njust text`
    const edit = editDotenv(text, {TSQ_WORKER_CONCURRENCY: '2'})
    expect(edit.text).toBe(text)
    expect(edit.changed).toEqual([])
    expect(edit.problems).toEqual([expect.stringMatching(/^TSQ_WORKER_CONCURRENCY does not read back as set.*line 2 is neither KEY=value nor a # comment/)])
    expect(edit.problems.join('\n')).not.toContain(SECRET)
  })

  it('refuses a value no quoting can hold, naming the variable', () => {
    expect(editDotenv('A=1\n', {A: 'a"b\'c`d #'}).problems).toEqual([expect.stringContaining('the value for A holds')])
    expect(editDotenv('A=1\n', {'1A': 'x'}).problems).toEqual([expect.stringContaining('"1A" is not a variable name')])
  })

  it('on every odd input, setting each variable Node reads to a new value changes that variable and no other', () => {
    const failures: string[] = []
    for (const [name, text] of Object.entries(ODD_INPUTS)) {
      for (const key of winningAssignments(locateDotenv(text)).keys()) {
        if (!/^[A-Za-z_]\w*$/.test(key)) continue
        for (const value of ['9', 'a # b', 'multi\nline']) {
          const edit = editDotenv(text, {[key]: value})
          const expected = {...parseEnv(text), [key]: value}
          if (edit.problems.length > 0 || JSON.stringify(parseEnv(edit.text)) !== JSON.stringify(expected)) failures.push(`${name}: ${key}=${JSON.stringify(value)}`)
        }
      }
    }
    expect(failures).toEqual([])
  })
})

describe('checkDotenvEdit', () => {
  it('names a variable that does not read back as set and one that changed though it was not set', () => {
    expect(checkDotenvEdit('A=1\nB=2\n', 'A=1\nB=3\n', {A: '5'})).toEqual([
      'A does not read back as set (Node reads another value for it); B would change too, though setup does not set it',
    ])
    expect(checkDotenvEdit(null, 'A=5\n', {A: '5'})).toEqual([])
  })
})

describe('renderDotenvValues', () => {
  it('writes a plain value bare first, and a value that was quoted in its own quotes first', () => {
    expect(renderDotenvValues('12', null)).toEqual(['12', '"12"', '\'12\'', '`12`'])
    expect(renderDotenvValues('12', '\'')).toEqual(['\'12\'', '"12"', '`12`'])
    expect(renderDotenvValues('', null)[0]).toBe('')
  })

  it('does not use double quotes for a value with a literal \\n, which Node would turn into a newline', () => {
    expect(renderDotenvValues('a\\nb #', '"')).toEqual(['\'a\\nb #\'', '`a\\nb #`'])
  })
})
