// The wrappers a dyno's command runs its program through (spec §8): `bundle exec`, `exec`, `env`, `nice`,
// `timeout`, Thruster, `sh -c`, the pgbouncer buildpack's start scripts (§11), a checkout script ending in
// `exec "$@"`, and an unreadable first word in front of a command tsq knows. Looked through, each named. Pure.
import {posix} from 'node:path'

/** The program being read: its words after expansion and what the command did to its environment. */
export interface Reading {
  words: string[]
  /** Exported variables, as the program sees them. */
  env: Map<string, string>
  overrides: Map<string, string | null>
  wrappers: string[]
  pgbouncer: boolean
  unknown: string[]
  dir: string
}

export interface WrapperOptions {
  /** Whether a file of the checkout ends by running its arguments (`exec "$@"`); null: no checkout, or not a
   *  file of it. Given the word as written when it has no `/` (sh looks it up on PATH), else its path from the
   *  app's root (`cd api && ./bin/x` → `api/bin/x`). */
  isWrapperScript?: (path: string) => boolean | null
}

/** Reads the string of `sh -c '…'` into the same Reading (its program replaces the words). */
export type ShellStringReader = (script: string) => void

const KNOWN_NAMES = new Set(['puma', 'sidekiq', 'rails', 'rake', 'node', 'npm', 'npx', 'yarn', 'pnpm', 'tsx', 'ts-node',
  'bun', 'good_job', 'solid_queue', 'clockwork', 'ruby', 'bundle'])
const KNOWN_PATHS = new Set(['bin/jobs', 'bin/rails', 'bin/rake', 'bin/good_job'])
const WRAPPER_NAMES = new Set(['exec', 'env', 'nice', 'timeout', 'thrust', 'start-pgbouncer', 'start-pgbouncer-stunnel',
  'sh', 'bash', 'dash'])
const SHELLS = new Set(['sh', 'bash', 'dash'])
const MAX_WRAPPERS = 32

/** `./bin/rails` and `/app/bin/rails` (the app's root on a dyno) → `bin/rails`. */
export function checkoutPath(word: string): string {
  return word.replace(/^(?:\.\/)+/, '').replace(/^\/app\//, '')
}

/** A program tsq has a model for, or a wrapper it looks through. */
export function isKnownCommand(word: string): boolean {
  const name = posix.basename(word)
  return KNOWN_PATHS.has(checkoutPath(word)) || KNOWN_NAMES.has(name) || WRAPPER_NAMES.has(name)
}

/** Drops wrappers from the front of `r.words` until the long-running program is first. */
export function lookThrough(r: Reading, options: WrapperOptions, readShellString: ShellStringReader): void {
  for (let n = 0; n < MAX_WRAPPERS && r.words.length > 0; n++) {
    const step = wrapperAt(r, options)
    if (step === 'program') return
    if (typeof step === 'object') {
      readShellString(step.script)
      return
    }
    r.words = r.words.slice(step)
  }
}

/** Words the wrapper at the front takes, `'program'` when the front is the program, or the string of `sh -c`. */
function wrapperAt(r: Reading, options: WrapperOptions): number | 'program' | {script: string} {
  const w = r.words
  const first = w[0]!
  const name = posix.basename(first)
  const named = (label: string, taken: number): number => {
    r.wrappers.push(label)
    return taken
  }
  if (first === 'exec') return named('exec', skipOptions(w, 1, ['-a'], ['-c', '-l']))
  if (name === 'bundle' && w[1] === 'exec') return named(`${first} exec`, skipOptions(w, 2, ['--gemfile'], ['--keep-file-descriptors']))
  if (name === 'env') return named(first, envOptions(r))
  if (name === 'nice') return named(first, skipOptions(w, 1, ['-n', '--adjustment'], [], /^-[0-9]+$/))
  if (name === 'timeout') {
    const at = skipOptions(w, 1, ['-s', '--signal', '-k', '--kill-after'], ['--preserve-status', '--foreground', '-v', '--verbose'])
    return named(first, Math.min(at + 1, w.length)) // and its duration
  }
  if (name === 'thrust') return named(first, 1)
  if (name === 'start-pgbouncer' || name === 'start-pgbouncer-stunnel') {
    r.pgbouncer = true
    return named(first, 1)
  }
  if (SHELLS.has(name)) return shellString(r, first)
  if (isKnownCommand(first) || w.length === 1) return 'program'
  const verdict = options.isWrapperScript?.(first.includes('/') ? posix.join(r.dir, checkoutPath(first)) : first)
  if (verdict === true) return named(first, 1)
  if (verdict === false || !isKnownCommand(w[1]!)) return 'program'
  return named(`${first} (${verdict === null ? 'not in the checkout' : 'no checkout'}: looked through)`, 1)
}

/** Index of the first word after the options of a wrapper (`valued` take the next word unless `--x=v`). */
function skipOptions(w: readonly string[], from: number, valued: readonly string[], flags: readonly string[], alsoFlag?: RegExp): number {
  let i = from
  while (i < w.length) {
    const a = w[i]!
    if (a === '--') return i + 1
    if (valued.includes(a)) i += 2
    else if (flags.includes(a) || alsoFlag?.test(a) || valued.some(v => a.startsWith(v.startsWith('--') ? `${v}=` : v) && a !== v)) i++
    else return i
  }
  return i
}

/** `env [-i] [-u X] [--unset=X] [-C dir] [VAR=v…]`: applies them to the program's environment. */
function envOptions(r: Reading): number {
  const w = r.words
  let i = 1
  const unset = (name: string): void => {
    if (name === '') return
    r.env.delete(name)
    r.overrides.set(name, null)
  }
  for (; i < w.length; i++) {
    const a = w[i]!
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a)
    if (a === '--') return i + 1
    if (a === '-i' || a === '-' || a === '--ignore-environment') [...r.env.keys()].forEach(unset)
    else if (a === '-u' || a === '--unset') unset(w[++i] ?? '')
    else if (a.startsWith('-u') || a.startsWith('--unset=')) unset(a.slice(a.startsWith('-u') ? 2 : 8))
    else if (a === '-C' || a === '--chdir') r.dir = posix.join(r.dir, w[++i] ?? '.')
    else if (assignment) {
      r.env.set(assignment[1]!, assignment[2]!)
      r.overrides.set(assignment[1]!, assignment[2]!)
    } else if (a.startsWith('-')) r.unknown.push(`\`env ${a}\` is not read`)
    else return i
  }
  return i
}

/** `sh -c 'string' [arg0 args…]` → the string (its positional arguments are not read); `sh file` is a program. */
function shellString(r: Reading, shell: string): {script: string} | 'program' {
  const w = r.words
  let i = 1
  let command = false
  for (; i < w.length && /^[-+]/.test(w[i]!); i++) {
    const a = w[i]!
    if (a === '--') { i++; break }
    if (/^[-+][oO]$/.test(a)) i++
    else if (/^-[a-zA-Z]*c/.test(a)) command = true
  }
  const script = w[i]
  if (!command || script === undefined) return 'program'
  r.wrappers.push(`${shell} -c`)
  return {script}
}
