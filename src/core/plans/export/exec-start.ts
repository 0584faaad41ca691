// A Procfile command as a systemd `ExecStart=`. Plain words run as they are (systemd splits them as sh would);
// anything sh must read (expansions, quotes, `&&`, `;`, redirections, `VAR=x cmd`) runs through `/bin/sh -c`,
// with `exec` before the last command so the program, not the shell, is the unit's main process: with
// `KillMode=mixed` only the main process gets SIGTERM, and a shell would not pass it on. Pure.
import {assignmentOf} from '../../stacks/shell-expand.js'
import {parseShell} from '../../stacks/shell-syntax.js'

export interface ExecStart {
  /** The value after `ExecStart=`, escaped for systemd (`%` specifiers, `$` expansion, quotes). */
  line: string
  /** True when the command runs through `/bin/sh -c`. */
  shell: boolean
  /** Why SIGTERM would not reach the program, when the command cannot end in `exec`; null otherwise. */
  note: string | null
}

/** Words systemd and sh read the same way, with nothing to expand. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/
/** Words that are not a program sh can `exec`: reserved words and builtins that must run in the shell. */
const NOT_EXECUTABLE = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'case', 'esac', 'while', 'until', 'for',
  '{', '}', '!', 'cd', '.', 'source', 'eval', 'exec', 'export', 'set', 'trap', 'ulimit', 'umask', 'wait', 'exit'])

/** The `ExecStart=` value of a Procfile command. */
export function execStartOf(command: string): ExecStart {
  const words = command.trim().split(/\s+/)
  const first = words[0] ?? ''
  // systemd reads a leading `-`, `@`, `:`, `+` or `!` on the program as a prefix of its own.
  if (words.every(w => PLAIN_WORD.test(w)) && !first.includes('=') && !/^[-@:+!]/.test(first) && !NOT_EXECUTABLE.has(first)) {
    return {line: words.map(w => w.replaceAll('%', '%%')).join(' '), shell: false, note: null}
  }
  const {script, note} = withExec(command.trim())
  return {line: `/bin/sh -c ${quoteForSystemd(script)}`, shell: true, note}
}

/** The command with `exec` before its last simple command, when sh allows it there. */
export function withExec(command: string): {script: string, note: string | null} {
  const syntax = parseShell(command)
  const last = syntax.pipelines[syntax.pipelines.length - 1]
  const cannot = (why: string) => ({script: command,
    note: `${why}: /bin/sh stays the main process and SIGTERM does not reach the program, so it cannot drain; ` +
      'end the command with `exec <program>` or move it into a script that does'})
  if (syntax.problems.length > 0 || !last) return cannot(`the command cannot be read (${syntax.problems[0] ?? 'empty'})`)
  if (last.background) return cannot('the command ends by starting a program in the background (&)')
  if (last.stages.length > 1) return cannot('the command ends in a pipeline (|)')
  const program = last.stages[0]!.find(w => assignmentOf(w) === null)
  if (!program) return cannot('the command ends in variable assignments only')
  if (program.raw === 'exec') return {script: command, note: null}
  if (NOT_EXECUTABLE.has(program.raw)) return cannot(`the command ends in the shell's own \`${program.raw}\``)
  const at = program.column - 1
  return {script: `${command.slice(0, at)}exec ${command.slice(at)}`, note: null}
}

/**
 * One double-quoted ExecStart argument that systemd turns back into `text`: backslashes and quotes escaped,
 * `$` doubled (systemd would expand `$VAR` itself) and `%` doubled (unit specifiers).
 */
export function quoteForSystemd(text: string): string {
  return `"${text.replace(/[\\"]/g, c => `\\${c}`).replaceAll('$', '$$$$').replaceAll('%', '%%')}"`
}
