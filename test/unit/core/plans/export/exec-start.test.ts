import {describe, expect, it} from 'vitest'
import {execStartOf, quoteForSystemd, withExec} from '../../../../../src/core/plans/export/exec-start.js'

describe('execStartOf', () => {
  it('runs plain words as they are, with % doubled for systemd', () => {
    expect(execStartOf('node app.js')).toEqual({line: 'node app.js', shell: false, note: null})
    expect(execStartOf('bundle exec puma -C config/puma.rb')).toEqual({line: 'bundle exec puma -C config/puma.rb', shell: false, note: null})
    expect(execStartOf('node app.js --share=50%').line).toBe('node app.js --share=50%%')
  })

  it.each([
    ['FOO=1 node app.js', '/bin/sh -c "FOO=1 exec node app.js"'],
    ['npm run migrate && node app.js', '/bin/sh -c "npm run migrate && exec node app.js"'],
    ['cd web; node app.js', '/bin/sh -c "cd web; exec node app.js"'],
    ['node app.js -p $PORT', '/bin/sh -c "exec node app.js -p $$PORT"'],
    ['node app.js --title "a b" 2>&1', '/bin/sh -c "exec node app.js --title \\"a b\\" 2>&1"'],
    ['exec node app.js', '/bin/sh -c "exec node app.js"'],
  ])('runs %j through sh with exec before the program', (command, line) => {
    expect(execStartOf(command)).toEqual({line, shell: true, note: null})
  })

  it.each([
    ['node app.js | logger', 'the command ends in a pipeline (|)'],
    ['node app.js &', 'the command ends by starting a program in the background (&)'],
    ['node app.js; cd /', 'the command ends in the shell\'s own `cd`'],
    ['node "app.js', 'the command cannot be read (unbalanced double quote at column 6)'],
  ])('notes when %j cannot end in exec', (command, why) => {
    const exec = execStartOf(command)
    expect(exec.shell).toBe(true)
    expect(exec.note).toBe(`${why}: /bin/sh stays the main process and SIGTERM does not reach the program, so it cannot drain; ` +
      'end the command with `exec <program>` or move it into a script that does')
  })

  it('inserts exec after leading assignments of the last command only', () => {
    expect(withExec('A=1 B="x y" node app.js').script).toBe('A=1 B="x y" exec node app.js')
    expect(withExec('A=1 node a.js && B=2 node b.js').script).toBe('A=1 node a.js && B=2 exec node b.js')
  })
})

describe('quoteForSystemd', () => {
  it('escapes backslashes and quotes, and doubles $ and %', () => {
    expect(quoteForSystemd('a\\b "c" $X 5%')).toBe('"a\\\\b \\"c\\" $$X 5%%"')
  })
})
