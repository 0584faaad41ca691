import {describe, expect, it} from 'vitest'
import {expandWord} from '../../../../src/core/stacks/shell-expand.js'
import {parseShell} from '../../../../src/core/stacks/shell-syntax.js'

/** Every pipeline's stages as the fields sh would pass, with `vars` set, and what could not be read. */
function words(command: string, vars: Record<string, string> = {}): {fields: string[][][], unknown: string[]} {
  const syntax = parseShell(command)
  const ctx = {vars: new Map(Object.entries(vars)), unknown: [...syntax.problems]}
  const fields = syntax.pipelines.map(p => p.stages.map(stage => stage.flatMap(w => expandWord(w, ctx))))
  return {fields, unknown: ctx.unknown}
}

describe('parameter expansion as sh does it', () => {
  it('`${X:-n}` takes n when X is unset or empty; `${X-n}` only when unset', () => {
    expect(words('a ${X:-5} ${X-5}', {}).fields).toEqual([[['a', '5', '5']]])
    expect(words('a ${X:-5} ${X-5}', {X: ''}).fields).toEqual([[['a', '5']]])
    expect(words('a ${X:-5} ${X-5}', {X: '9'}).fields).toEqual([[['a', '9', '9']]])
  })

  it('`${X:+w}` gives w only when X is set and non-empty; `${X+w}` when X is set at all', () => {
    expect(words('a ${X:+on} ${X+set}', {X: ''}).fields).toEqual([[['a', 'set']]])
    expect(words('a ${X:+on} ${X+set}', {}).fields).toEqual([[['a']]])
    expect(words('a ${X:+on} ${X+set}', {X: '1'}).fields).toEqual([[['a', 'on', 'set']]])
  })

  it('expands inside double quotes without splitting, and not at all inside single quotes', () => {
    expect(words(`a "$Q" $Q '$Q' "\${Q}x"`, {Q: 'one two'}).fields).toEqual([[['a', 'one two', 'one', 'two', '$Q', 'one twox']]])
  })

  it('drops an unquoted empty expansion but keeps a quoted empty string as a field', () => {
    expect(words(`a $EMPTY "$EMPTY" '' ""`, {EMPTY: ''}).fields).toEqual([[['a', '', '', '']]])
  })

  it('splits an unquoted default word on blanks, as the expansion result it is', () => {
    expect(words('a ${OPTS:--c 5}').fields).toEqual([[['a', '-c', '5']]])
  })

  it('keeps an unset $PORT as written so the words after it keep their places', () => {
    expect(words('rails s -p $PORT -e $RAILS_ENV').fields).toEqual([[['rails', 's', '-p', '$PORT', '-e']]])
  })

  it('reads backslash escapes outside quotes and the four escapable characters inside double quotes', () => {
    expect(words(String.raw`a\ b "c\"d\$e\n" \$X`, {X: 'no'}).fields).toEqual([[['a b', 'c"d$e\\n', '$X']]])
  })
})

describe('lists, pipelines, redirections and comments', () => {
  it('separates pipelines at &&, ||, ; and &, and marks a backgrounded one', () => {
    const syntax = parseShell('a && b || c; d & e')
    expect(syntax.pipelines.map(p => [p.stages.map(s => s.map(w => w.raw)), p.background])).toEqual([
      [[['a']], false], [[['b']], false], [[['c']], false], [[['d']], true], [[['e']], false],
    ])
  })

  it('keeps the stages of a pipeline together', () => {
    expect(words('puma | logger -t web').fields).toEqual([[['puma'], ['logger', '-t', 'web']]])
  })

  it('drops redirections with their targets, including file descriptors like 2>&1', () => {
    expect(words('puma -C c.rb 2>&1 >> log/puma.log < /dev/null -q').fields).toEqual([[['puma', '-C', 'c.rb', '-q']]])
  })

  it('ends the line at a # that starts a word, not at one inside a word or quotes', () => {
    expect(words(`a b#c '#d' # e f`).fields).toEqual([[['a', 'b#c', '#d']]])
  })

  it('does not split on operators inside quotes', () => {
    expect(words(`nginx -g 'daemon off;' "x && y"`).fields).toEqual([[['nginx', '-g', 'daemon off;', 'x && y']]])
  })
})

describe('what cannot be read is kept as written and named with its column', () => {
  it('never runs $(...) or backquotes', () => {
    expect(words('sidekiq -c $(nproc) -t `cat t`')).toEqual({
      fields: [[['sidekiq', '-c', '$(nproc)', '-t', '`cat t`']]],
      unknown: ['command substitution `$(nproc)` at column 12 is not run', 'command substitution `cat t` at column 24 is not run'],
    })
  })

  it('names an unbalanced quote and reads the rest of the line as its content', () => {
    expect(words(`puma -C 'config/puma.rb`)).toEqual({fields: [[['puma', '-C', 'config/puma.rb']]], unknown: ['unbalanced single quote at column 9']})
    expect(words(`puma -C "x`)).toEqual({fields: [[['puma', '-C', 'x']]], unknown: ['unbalanced double quote at column 9']})
  })

  it('names expansions it does not support and positional parameters', () => {
    expect(words('a ${X%.rb} ${#X} $1 "$@"').unknown).toEqual([
      'expansion `${X%.rb}` at column 3 is not supported', 'expansion `${#X}` at column 12 is not supported',
      '`$1` at column 18 is not known before the dyno runs', '`$@` at column 22 is not known before the dyno runs',
    ])
  })

  it('names an unclosed ${ and a here-document', () => {
    expect(words('a ${X:-5').unknown).toEqual(['unclosed `${` at column 3'])
    expect(words('cat <<EOF').unknown).toEqual(['here-document `<<` at column 5 is not read'])
  })

  it('never throws on arbitrary bytes', () => {
    for (const s of ['', '\\', '$', '${', '$(', '`', '"', "'", '&&', '| |', '${X:-${Y:-', '\u0000\u000b\f', '2>', '((']) {
      expect(() => words(s)).not.toThrow()
    }
  })
})
