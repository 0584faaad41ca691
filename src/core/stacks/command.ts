// Reading a Procfile/formation command as the dyno's shell does, with that process type's environment (spec §8):
// which program the long-running process is, its arguments and the environment it runs with. Nothing is run;
// what cannot be read is named in `unknown` so the caller marks what depends on it. Pure: no fs, no env, no clock.
import {posix} from 'node:path'
import type {Env} from '../model/settings.js'
import {lookThrough, type Reading, type WrapperOptions} from './command-wrappers.js'
import {assignmentOf, expandValue, expandWord, type ExpandContext} from './shell-expand.js'
import {parseShell, type Pipeline, type Word} from './shell-syntax.js'

export {classifyProgram, flagValue, type ProgramKind} from './command-program.js'

export interface ReadCommand {
  /** The long-running program after wrappers are looked through (`puma`, `bin/rails`, …), as written. */
  program: string | null
  /** Basename of program: `bin/rails` → `rails`. */
  name: string | null
  /** Its arguments after expansion, one word each (`['-C', 'config/sidekiq.yml', '-c', '5']`). */
  args: string[]
  /** The type's environment as the program sees it: config vars, then what the command set and unset. */
  env: Record<string, string>
  /** Variables the command itself set (prefix assignments, export, env), which win over config vars for that
   *  type; null for one it unset. */
  overrides: Record<string, string | null>
  /** Wrappers looked through, in order, for `sources`: `bundle exec`, `bin/start-pgbouncer`, `sh -c`, … */
  wrappers: string[]
  /** True when `bin/start-pgbouncer` (or `-stunnel`) wraps the program (spec §11). */
  pgbouncer: boolean
  /** Parts that could not be read, each saying what and where; values depending on them are unknown. */
  unknown: string[]
  /** Directory the program starts in, relative to the app's root (`.` unless the command `cd`s): relative
   *  paths of its arguments (`-C config/sidekiq.yml`) are relative to it. */
  dir: string
}

export type ReadOptions = WrapperOptions

/** Longest command read; the Platform API takes longer ones, but no real Procfile line comes near. */
export const MAX_COMMAND_LENGTH = 4096
/** Deepest `sh -c` inside `sh -c` read. */
export const MAX_SHELL_DEPTH = 4
const MAX_UNKNOWN = 10
const KEYWORDS = new Set(['if', 'then', 'elif', 'else', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac',
  '{', '}', '!', 'function'])

/** Reads `command` as sh would with `env` (the type's config vars); never throws. */
export function readCommand(command: string, env: Env, options: ReadOptions = {}): ReadCommand {
  const config = Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)
  const r: Reading = {words: [], env: new Map(config), overrides: new Map(), wrappers: [], pgbouncer: false, unknown: [], dir: '.'}
  read(command, r, options, 0)
  const program = r.words[0] ?? null
  return {
    program, name: program === null ? null : posix.basename(program), args: r.words.slice(1),
    env: Object.fromEntries(r.env), overrides: Object.fromEntries(r.overrides), wrappers: r.wrappers,
    pgbouncer: r.pgbouncer, unknown: capped([...new Set(r.unknown)]), dir: r.dir,
  }
}

/** A few reasons say enough; a pathological command must not make a report of thousands of lines. */
function capped(unknown: string[]): string[] {
  if (unknown.length <= MAX_UNKNOWN) return unknown
  return [...unknown.slice(0, MAX_UNKNOWN), `… and ${unknown.length - MAX_UNKNOWN} more parts that could not be read`]
}

function read(command: string, r: Reading, options: ReadOptions, depth: number): void {
  const where = depth === 0 ? '' : `in the \`sh -c\` string: `
  r.words = []
  if (command.length > MAX_COMMAND_LENGTH) return void r.unknown.push(`${where}the command is longer than ${MAX_COMMAND_LENGTH} characters: not read`)
  if (depth > MAX_SHELL_DEPTH) return void r.unknown.push(`\`sh -c\` nested deeper than ${MAX_SHELL_DEPTH}: not read`)
  const syntax = parseShell(command)
  const unknown: string[] = [...syntax.problems]
  const shell = new Shell(r, unknown)
  const last = programIndex(syntax.pipelines)
  syntax.pipelines.slice(0, last).forEach(p => {
    if (p.background) unknown.push(`\`${text(p.stages[0]!)} &\` at column ${p.column} runs beside the program: what it holds is not counted`)
    else if (p.stages.length === 1) shell.run(p.stages[0]!)
  })
  const program = syntax.pipelines[last]
  if (program !== undefined) {
    if (program.stages.length > 1) unknown.push(`pipeline at column ${program.column}: \`${text(program.stages[0]!)}\` is read as the program, not what it pipes into`)
    r.words = shell.program(program.stages[0]!)
  }
  r.unknown.push(...unknown.map(u => where + u))
  lookThrough(r, options, script => read(script, r, options, depth + 1))
}

/** The pipeline whose program runs last: the first that `exec`s a command (nothing after it runs), else the
 *  last that is more than the keywords of a construct (`fi`, `done`). */
function programIndex(pipelines: readonly Pipeline[]): number {
  const execs = pipelines.findIndex(p => {
    const words = p.stages[0]!.filter(w => assignmentOf(w) === null)
    return !p.background && words[0]?.raw === 'exec' && words.length > 1
  })
  if (execs >= 0) return execs
  const last = pipelines.findLastIndex(p => p.stages[0]!.some(w => !KEYWORDS.has(w.raw)))
  return last >= 0 ? last : pipelines.length - 1
}

function text(words: readonly Word[]): string {
  return words.map(w => w.raw).join(' ')
}

/** The variables of one sh: exported ones are the Reading's env; what changes them is recorded as an override. */
class Shell {
  private readonly vars: Map<string, string>
  private readonly exported: Set<string>
  private readonly ctx: ExpandContext

  constructor(private readonly r: Reading, unknown: string[]) {
    this.vars = new Map(r.env)
    this.exported = new Set(r.env.keys())
    this.ctx = {vars: this.vars, unknown}
  }

  /** A command before the program: only `X=v`, `export`, `unset` and `cd` change what the program runs with. */
  run(words: readonly Word[]): void {
    const rest = this.withoutKeywords(words)
    const assignments = leadingAssignments(rest)
    const [command, ...args] = rest.slice(assignments.length)
    if (command === undefined) return assignments.forEach(a => this.set(a.name, expandValue(a.value, this.ctx), false))
    const fields = (): string[] => args.flatMap(w => expandWord(w, this.ctx))
    if (command.raw === 'export') {
      for (const word of args) {
        const a = assignmentOf(word)
        if (a) this.set(a.name, expandValue(a.value, this.ctx), true)
        else expandWord(word, this.ctx).filter(f => !f.startsWith('-')).forEach(name => this.export(name))
      }
    } else if (command.raw === 'unset') fields().filter(f => !f.startsWith('-')).forEach(name => this.unset(name))
    else if (command.raw === 'cd') this.cd(fields()[0], command.column)
    else if (command.raw === '.' || command.raw === 'source' || command.raw === 'eval') {
      this.ctx.unknown.push(`\`${text(words)}\` at column ${command.column} is not read: it may change the environment`)
    }
  }

  /** The program's words after expansion; its `VAR=value` prefixes are exported to it (after its words expand). */
  program(words: readonly Word[]): string[] {
    const rest = this.withoutKeywords(words)
    const assignments = leadingAssignments(rest)
    const fields = rest.slice(assignments.length).flatMap(w => expandWord(w, this.ctx))
    assignments.forEach(a => this.set(a.name, expandValue(a.value, this.ctx), fields.length > 0))
    return fields
  }

  private withoutKeywords(words: readonly Word[]): readonly Word[] {
    let i = 0
    while (i < words.length && KEYWORDS.has(words[i]!.raw)) i++
    if (i > 0) this.ctx.unknown.push(`shell construct \`${words[0]!.raw}\` at column ${words[0]!.column} is read as plain commands`)
    return words.slice(i)
  }

  private set(name: string, value: string, exportIt: boolean): void {
    this.vars.set(name, value)
    if (exportIt) this.exported.add(name)
    if (this.exported.has(name)) this.record(name, value)
  }

  private export(name: string): void {
    this.exported.add(name)
    const value = this.vars.get(name)
    if (value !== undefined) this.record(name, value)
  }

  private unset(name: string): void {
    this.vars.delete(name)
    this.exported.delete(name)
    this.r.env.delete(name)
    this.r.overrides.set(name, null)
  }

  private record(name: string, value: string): void {
    this.r.env.set(name, value)
    this.r.overrides.set(name, value)
  }

  private cd(dir: string | undefined, column: number): void {
    if (dir === undefined || dir === '-' || dir.startsWith('~')) {
      this.ctx.unknown.push(`\`cd${dir === undefined ? '' : ' ' + dir}\` at column ${column}: the directory is not known`)
    } else this.r.dir = dir === '/app' || dir.startsWith('/app/') ? posix.normalize(`.${dir.slice(4)}`)
      : dir.startsWith('/') ? posix.normalize(dir) : posix.join(this.r.dir, dir)
  }
}

function leadingAssignments(words: readonly Word[]): Array<{name: string, value: Word['parts']}> {
  const out: Array<{name: string, value: Word['parts']}> = []
  for (const word of words) {
    const a = assignmentOf(word)
    if (a === null) break
    out.push(a)
  }
  return out
}
