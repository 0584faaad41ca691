// tsq:setup's --json document and its human output: the plan before anything is applied, what happened to
// each change, what was left alone and why, and what the doctor will still say. Pure.
import type {AppState} from '../core/model/app-state.js'
import type {Assessment} from '../core/assess/assess.js'
import {RESOURCE_TITLE} from '../core/model/catalogue.js'
import {type DoctorResource, buildDoctorReport} from '../core/checks/doctor.js'
import type {SetupChange, SetupNote, SetupPlan, SetupProblem, SkippedStep} from '../core/plans/setup/setup-plan.js'
import type {ChangeOutcome} from '../cli/setup-apply.js'
import {type Style, paint} from './style.js'

/** One change of the --json document: what the plan says, minus file contents, plus what happened to it. */
export type ChangeReport = (
  | Extract<SetupChange, {kind: 'attach'}>
  | (Omit<Extract<SetupChange, {kind: 'config'}>, 'file'> & {file: string | null})
  | Omit<Extract<SetupChange, {kind: 'procfile'}>, 'before' | 'after'>
  | Omit<Extract<SetupChange, {kind: 'file'}>, 'before' | 'after'>
) & ChangeOutcome

export interface SetupResult {
  app: string
  /** `--dry-run`: nothing was sent or written. */
  dryRun: boolean
  local: boolean
  /** False when setup was blocked, a change failed, or the doctor would still fail: the command exits 1. */
  ok: boolean
  changes: ChangeReport[]
  skipped: SkippedStep[]
  problems: SetupProblem[]
  notes: SetupNote[]
  /** The doctor's resources once every planned change is applied. */
  budget: DoctorResource[]
}

/** The --json document; `state` (the app as read) names the sharing apps that could not be read, as the doctor does. */
export function setupResult(plan: SetupPlan, outcomes: readonly ChangeOutcome[], dryRun: boolean, state?: AppState): SetupResult {
  const changes = plan.changes.map((c, i): ChangeReport => {
    const outcome = outcomes[i] ?? {status: 'not-attempted', error: null, hint: null}
    if (c.kind === 'config') {
      const {file, ...rest} = c
      return {...rest, file: file?.name ?? null, ...outcome}
    }
    if (c.kind === 'procfile' || c.kind === 'file') {
      const {before: _before, after: _after, ...rest} = c
      return {...rest, ...outcome}
    }
    return {...c, ...outcome}
  })
  const ok = !plan.blocked && plan.problems.length === 0 && outcomes.every(o => o.status !== 'failed' && o.status !== 'unknown')
  return {app: plan.app, dryRun, local: plan.local, ok, changes, skipped: plan.skipped, problems: plan.problems, notes: plan.notes,
    budget: budgetOf(plan.after, state)}
}

function budgetOf(assessment: Assessment, state: AppState | undefined): DoctorResource[] {
  return buildDoctorReport(assessment, [], 'heroku', state).resources
}

/** What a change does, in one line: the spinner's title and the plan's list. */
export function describeChange(app: string, change: SetupChange): string {
  const where = app ? ` to ⬢ ${app}` : ''
  if (change.kind === 'attach') {
    if (change.pooling) return `Enabling Connection Pooling on ${change.addon}${where} as ${change.as}${change.configVar ? ` (sets ${change.configVar})` : ''}`
    return change.as ? `Attaching ${change.addon} as ${change.as}${where}${change.configVar ? ` (sets ${change.configVar})` : ''}`
      : `Attaching ${change.addon} again under its default name${where}`
  }
  if (change.kind === 'config') {
    const pairs = Object.entries(change.vars).map(([k, v]) => `${k}=${v}`).join(' ')
    return change.file ? `Writing ${pairs} to ${change.file.name}` : `Setting ${pairs} on ⬢ ${app}`
  }
  return `${change.action === 'create' ? 'Creating' : 'Rewriting'} ${change.file}`
}

/** The plan, before anything is applied (or instead, with --dry-run). */
export function renderPlan(plan: SetupPlan, style: Style, dryRun: boolean): string {
  const where = plan.local ? `local directory ${plan.app}` : `⬢ ${plan.app}`
  const head = paint(style, 'bold', `=== tsq:setup ${where}${dryRun ? ' (dry run: nothing will be changed)' : ''}`)
  const lines = [head]
  // What stops setup is the error the command ends with; saying it here too would print it twice.
  if (plan.blocked) return [...lines, 'Setup cannot go on, so nothing will be changed.'].join('\n')
  if (plan.changes.length === 0) lines.push(`Nothing to change: ${where} is set up as far as setup can tell.`)
  plan.changes.forEach((c, i) => {
    lines.push(`${i + 1}. ${describeChange(plan.local ? '' : plan.app, c)}`)
    // A new generated file is shown by size: its text is in the file (and in --dry-run --json), not worth a screen.
    const detail = c.kind === 'attach' ? [c.reason] : c.kind === 'config' ? detailOfConfig(c)
      : c.kind === 'file' && c.action === 'create' ? [`(new file, ${c.diff.length} lines)`] : c.diff
    for (const d of detail) lines.push(`     ${c.kind === 'procfile' || c.kind === 'file' ? colourDiff(style, d) : paint(style, 'dim', d)}`)
  })
  if (plan.skipped.length > 0) {
    lines.push('', paint(style, 'bold', 'Left as they are:'))
    for (const s of plan.skipped) {
      lines.push(`  - ${s.reason}`)
      for (const d of s.diff ?? []) lines.push(`      ${colourDiff(style, d)}`)
    }
  }
  return lines.join('\n')
}

function detailOfConfig(c: Extract<SetupChange, {kind: 'config'}>): string[] {
  const was = Object.entries(c.previous).map(([k, v]) => `${k} was ${v === null ? 'not set' : v}`).join(', ')
  return [...c.reasons, was]
}

function colourDiff(style: Style, line: string): string {
  return line.startsWith('+') ? paint(style, 'green', line) : line.startsWith('-') ? paint(style, 'red', line) : line
}

const MARK: Record<ChangeOutcome['status'], string> = {applied: '✔ applied', failed: '✖ failed', unknown: '? maybe applied',
  'not-attempted': '- not attempted', planned: '· planned'}

/** After applying: each change's outcome, then what the doctor would still say. */
export function renderOutcome(result: SetupResult, plan: SetupPlan, style: Style): string {
  const sections: string[] = []
  const attempted = result.changes.some(c => c.status === 'applied' || c.status === 'failed' || c.status === 'unknown')
  if (attempted && result.changes.some(c => c.status !== 'applied')) {
    sections.push(result.changes.map((c, i) => {
      const mark = paint(style, c.status === 'applied' ? 'green' : c.status === 'failed' ? 'red' : c.status === 'unknown' ? 'yellow' : 'dim', MARK[c.status].padEnd(15))
      const error = c.error ? `\n${' '.repeat(17)}${c.error}${c.hint ? `\n${' '.repeat(17)}${c.hint}` : ''}` : ''
      return `${mark}  ${describeChange(plan.local ? '' : plan.app, plan.changes[i]!)}${error}`
    }).join('\n'))
  } else if (attempted) {
    sections.push(paint(style, 'green', `Done: ${result.changes.length} change${result.changes.length === 1 ? '' : 's'} applied.`))
  }
  const written = result.changes.filter(c => (c.kind === 'procfile' || c.kind === 'file') && c.status === 'applied').map(c => 'file' in c ? c.file : '')
  if (written.length > 0 && !result.local) sections.push(`Commit ${written.join(', ')} and deploy (\`git push heroku main\`): Heroku reads them from the build.`)
  if (result.budget.length > 0 && !(plan.blocked)) sections.push(renderBudgetLine(result, style))
  sections.push(...renderFindings(result, style))
  if (result.dryRun && result.changes.length > 0) sections.push('Dry run: nothing was changed. Run again without --dry-run to apply the changes above.')
  return sections.filter(Boolean).join('\n\n')
}

/** `Budget once applied: Postgres postgresql-x (essential-0) 10 of 18 available ✔ ok; Redis …`. */
function renderBudgetLine(result: SetupResult, style: Style): string {
  const parts = result.budget.map(r => {
    const of = r.available === null ? 'limit unknown' : `of ${r.available} available (limit ${r.limit}, reserve ${r.reserve})`
    const colour = r.status === 'ok' ? 'green' : r.status === 'warn' ? 'yellow' : 'red'
    return `${RESOURCE_TITLE[r.kind]} ${r.addon ?? r.configVar ?? ''}: ${r.demand} ${of} ${paint(style, colour, r.status)}`
  })
  const done = result.changes.every(c => c.status === 'applied')
  return `${paint(style, 'bold', done ? 'Budget now:' : 'Budget once every change is applied:')}\n${parts.map(p => `  ${p}`).join('\n')}`
}

function renderFindings(result: SetupResult, style: Style): string[] {
  const item = (mark: string, colour: 'red' | 'yellow', p: {id: string, message: string, fix: string | null}) =>
    `  ${paint(style, colour, mark)} ${paint(style, 'bold', p.id)}  ${p.message}${p.fix ? `\n      ${paint(style, 'cyan', 'fix:')} ${p.fix}` : ''}`
  const sections: string[] = []
  const problems = result.problems.filter(p => !p.blocking)
  if (problems.length > 0) sections.push([paint(style, 'bold', 'Problems the doctor would still report:'), ...problems.map(p => item('✖', 'red', p))].join('\n'))
  if (result.notes.length > 0) sections.push([paint(style, 'bold', 'Warnings:'), ...result.notes.map(n => item('▲', 'yellow', n))].join('\n'))
  return sections
}

/** The error that ends a failed run (exit 1): what stopped it and what to do next. */
export function failureOf(result: SetupResult): {message: string, suggestions: string[]} {
  const rerun = result.local ? 'heroku tsq:setup --local' : `heroku tsq:setup -a ${result.app}`
  const failed = result.changes.find(c => c.status === 'failed' || c.status === 'unknown')
  if (failed) {
    const applied = result.changes.filter(c => c.status === 'applied').length
    const left = result.changes.filter(c => c.status === 'not-attempted').length
    const how = failed.status === 'unknown' ? '1 may have been applied' : '1 failed'
    return {message: `Setup stopped: ${failed.error} (${applied} change(s) applied, ${how}, ${left} not attempted)`,
      suggestions: [...(failed.hint ? [failed.hint] : []), `Run \`${rerun}\` again to finish: it plans only what is still missing.`]}
  }
  const blocking = result.problems.filter(p => p.blocking)
  if (blocking.length > 0) {
    return {message: `Nothing was changed: ${blocking.map(p => p.message).join(' ')}`, suggestions: blocking.map(p => p.fix)}
  }
  const what = result.dryRun ? 'Once applied, the doctor would still fail' : 'Setup applied what it safely could, but the doctor still fails'
  return {message: `${what}: ${result.problems.map(p => p.id).join(', ')}`, suggestions: result.problems.map(p => p.fix)}
}
