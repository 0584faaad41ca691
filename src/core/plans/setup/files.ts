// What tsq:setup writes in --dir: the Procfile (web, worker, release, and autoscale when asked) and, with
// --local, `.env`. Both are merged into what is there, so comments, order and lines setup does not manage
// survive. Pure.
import type {FileChange, SetupProblem, SkippedStep} from './types.js'
import {type DotenvEdit, editDotenv} from '../../model/dotenv-edit.js'
import {type ProcfileEntry, parseProcfile, procfileWarnings} from '../../model/procfile.js'
import {AUTOSCALE_COMMAND, AUTOSCALE_TYPE, autoscalerType} from './autoscale.js'
import {redactDiff} from '../../model/text-diff.js'
import {redactLine} from '../../model/redact.js'

export const PROCFILE = 'Procfile'
export const DOTENV = '.env'

/** The process types setup writes, and the package.json script each falls back to. */
export const MANAGED_TYPES = ['web', 'worker', 'release'] as const
export type ManagedType = typeof MANAGED_TYPES[number]
const FROM_SCRIPT: Record<ManagedType, {script: string, command: string}> = {
  web: {script: 'start', command: 'npm start'},
  worker: {script: 'worker', command: 'npm run worker'},
  release: {script: 'release', command: 'npm run release'},
}

export interface ProcfileIntent {
  /** The Procfile's text; null when there is none. */
  existing: string | null
  /** package.json `scripts`; null without a package.json. */
  scripts: Readonly<Record<string, string>> | null
  /** --web, --worker, --release. */
  commands: Partial<Record<ManagedType, string>>
  /** Commands for types the Procfile lacks when no flag gives one (a Rails app's Puma and Sidekiq lines); over package.json scripts. */
  defaults?: Partial<Record<ManagedType, string>>
  force: boolean
  /**
   * Types that keep a direct database URL behind a pooler (`--pooling`): their command, from a flag or the existing
   * line, starts with `VARIABLE=$DATABASE_URL` (any type, not only web/worker/release).
   */
  direct?: {variable: string, types: readonly string[]}
  /** `--autoscale`: a line that runs tsq:autoscale, unless a type of the Procfile already runs it (under any name). */
  autoscale?: boolean
}

export interface ProcfilePlan {
  change: FileChange | null
  skipped: SkippedStep[]
  problems: SetupProblem[]
  /** Process types of the Procfile once setup is done (or as it stays). */
  types: string[]
  /** Its lines once setup is done (or as they stay): each type's command decides its stack. */
  entries: ProcfileEntry[]
  /** Types the existing Procfile defines twice (procfileWarnings). */
  warnings: string[]
}

/**
 * The Procfile setup would write. A flag sets its type's command; without one an existing line is kept, and
 * a missing type comes from its package.json script. Lines of other types and comments are kept. Writing
 * over an existing, different Procfile needs `force`; without it the diff is reported and the file left alone.
 */
export function planProcfile(intent: ProcfileIntent): ProcfilePlan {
  const problems = validateCommands(intent.commands)
  const skipped: SkippedStep[] = []
  let existing: ProcfileEntry[] = []
  let warnings: string[] = []
  try {
    existing = intent.existing === null ? [] : parseProcfile(intent.existing)
    warnings = intent.existing === null ? [] : procfileWarnings(intent.existing)
  } catch (error) {
    const reason = `${PROCFILE} is left alone: ${(error as Error).message}. Fix or remove it, then run setup again.`
    return {change: null, skipped: [{kind: 'procfile', reason}], problems, types: [], entries: [], warnings: []}
  }
  const existingTypes = existing.map(e => e.type)
  if (problems.length > 0) return {change: null, skipped, problems, types: existingTypes, entries: existing, warnings}

  const wanted = new Map<string, string>()
  for (const type of MANAGED_TYPES) {
    const flag = intent.commands[type]?.trim()
    const script = FROM_SCRIPT[type]
    if (flag) {
      if (existing.find(e => e.type === type)?.command !== flag) wanted.set(type, flag)
    }
    else if (!existingTypes.includes(type) && intent.defaults?.[type]) wanted.set(type, intent.defaults[type])
    else if (!existingTypes.includes(type) && intent.scripts?.[script.script]) wanted.set(type, script.command)
    else if (!existingTypes.includes(type) && type !== 'release') {
      skipped.push({kind: 'procfile', reason: `no ${type} process: pass --${type} CMD or add a "${script.script}" script to package.json`})
    }
  }
  if (intent.direct) {
    const prefix = `${intent.direct.variable}=$DATABASE_URL`
    for (const type of intent.direct.types) {
      const command = wanted.get(type) ?? existing.findLast(e => e.type === type)?.command
      if (command && !command.trimStart().startsWith(`${intent.direct.variable}=`)) wanted.set(type, `${prefix} ${command.trimStart()}`)
    }
  }
  // A user's own autoscaler line (its flags tuned, or another type name) is kept as it is. A type named
  // `autoscale` that runs something else is the user's own process: never replaced, even with --force.
  const taken = existing.findLast(e => e.type === AUTOSCALE_TYPE)
  if (intent.autoscale && autoscalerType(existing) === null) {
    if (taken) problems.push(autoscaleTaken(taken))
    else wanted.set(AUTOSCALE_TYPE, AUTOSCALE_COMMAND)
  }
  const merged = mergeLines(intent.existing, wanted, line => procfileType(line), (type, command) => `${type}: ${command}`)
  const entries = parseProcfile(merged.text)
  const types = entries.map(e => e.type)
  if (merged.text === (intent.existing ?? '')) {
    const reason = types.length === 0 ? `nothing to write in ${PROCFILE}` : `${PROCFILE} already runs ${types.join(', ')}`
    return {change: null, skipped: [...skipped, {kind: 'procfile', reason}], problems, types, entries, warnings}
  }
  const change: FileChange = {
    kind: 'procfile', file: PROCFILE, action: intent.existing === null ? 'create' : 'update',
    before: intent.existing, after: merged.text, diff: merged.diff,
  }
  if (intent.existing !== null && !intent.force) {
    const reason = `${PROCFILE} differs from what setup would write and is left alone; run again with --force to write it`
    return {change: null, skipped: [...skipped, {kind: 'procfile', reason, diff: merged.diff}], problems, types: existingTypes, entries: existing, warnings}
  }
  return {change, skipped, problems, types, entries, warnings}
}

/**
 * `.env` text with these variables set as Node reads it (editDotenv: the winning assignment edited in place,
 * new ones appended); `problems` say why it cannot be, naming the variable and never a value.
 */
export function planDotenv(existing: string | null, vars: Readonly<Record<string, string>>): DotenvEdit {
  return editDotenv(existing, vars)
}

/** `--autoscale` refused: the Procfile's `autoscale:` type runs the user's own program. */
function autoscaleTaken(entry: ProcfileEntry): SetupProblem {
  return {id: 'setup.autoscale', blocking: false,
    message: `--autoscale: ${PROCFILE} already has an ${AUTOSCALE_TYPE} process type that runs \`${redactLine(entry.command)}\`, not tsq:autoscale; setup does not replace a process type of yours, so no autoscaler was set up`,
    fix: `rename that type in ${PROCFILE} and run setup again, or run tsq's autoscaler under another type name yourself: add \`tsq-autoscale: ${AUTOSCALE_COMMAND}\` to ${PROCFILE}, then run setup with --autoscale again (it keeps a line that runs tsq:autoscale under any name)`}
}

function validateCommands(commands: ProcfileIntent['commands']): SetupProblem[] {
  const problems: SetupProblem[] = []
  for (const type of MANAGED_TYPES) {
    const command = commands[type]
    if (command === undefined) continue
    if (command.trim() === '' || /[\r\n]/.test(command)) {
      problems.push({id: 'setup.procfile', blocking: true,
        message: `--${type} must be a one-line, non-empty command; got ${JSON.stringify(command)}`,
        fix: `Pass the command as it should run on a ${type} dyno, e.g. --${type} "${FROM_SCRIPT[type].command}"`})
    }
  }
  return problems
}

function procfileType(line: string): string | null {
  return /^\s*([A-Za-z0-9_-]+):/.exec(line)?.[1] ?? null
}

/**
 * Rewrites the line whose key is in `wanted` when its text differs — the last one of a key, the definition that
 * wins on Heroku — appends keys that have no line, and
 * keeps every other line as it is. Returns the text and a diff of it against the original.
 */
function mergeLines(existing: string | null, wanted: ReadonlyMap<string, string>, keyOf: (line: string) => string | null,
  render: (key: string, value: string) => string): {text: string, diff: string[]} {
  const eol = existing?.includes('\r\n') ? '\r\n' : '\n'
  const lines = existing === null || existing === '' ? [] : existing.replace(/\r?\n$/, '').split(/\r?\n/)
  const done = new Set<string>()
  const out: string[] = []
  const diff: string[] = []
  const last = new Map<string, number>()
  lines.forEach((line, i) => {
    const key = keyOf(line)
    if (key !== null) last.set(key, i)
  })
  for (const [i, line] of lines.entries()) {
    const key = keyOf(line)
    const value = key === null || last.get(key) !== i ? undefined : wanted.get(key)
    if (key !== null && value !== undefined) done.add(key)
    const next = key !== null && value !== undefined ? render(key, value) : line
    if (next === line) diff.push(` ${line}`)
    else diff.push(`-${line}`, `+${next}`)
    out.push(next)
  }
  for (const [key, value] of wanted) {
    if (done.has(key)) continue
    out.push(render(key, value))
    diff.push(`+${render(key, value)}`)
  }
  if (out.length === 0) return {text: existing ?? '', diff: redactDiff(diff)}
  const text = out.join(eol) + eol
  return {text: existing !== null && text.replace(/\r?\n$/, '') === existing.replace(/\r?\n$/, '') ? existing : text, diff: redactDiff(diff)}
}
