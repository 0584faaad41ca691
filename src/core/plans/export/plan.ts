// The whole export decision: the doctor's judgement of the formation against the limits the servers
// reported, the unit files, and what they do to the output directory — then whether it may be written.
// Pure: the caller gathered the files and measurements and does the writing.
import type {AppState} from '../../model/app-state.js'
import type {LiveMeasurement} from '../../budget/budget.js'
import type {ResourceKind} from '../../model/catalogue.js'
import type {Check} from '../../checks/common.js'
import {type DoctorReport, diagnose} from '../../checks/doctor.js'
import type {ProcfileEntry} from '../../model/procfile.js'
import {systemdEnvFileNotes} from './env-file.js'
import {type SystemdPlan, localServices, planSystemdUnits} from './systemd.js'
import {type UnitFilesPlan, planUnitFiles} from './unit-files.js'

/** The checks whose failure refuses an export: the formation does not fit a connection limit. */
export const LIMIT_CHECKS: ReadonlySet<string> = new Set(['postgres.connections', 'redis.connections'])

export interface ExportIntent {
  /** Unit name prefix; default the directory's name. */
  app?: string
  /** Default the app name, as foreman does. */
  user?: string
  basePort: number
  /** Absolute app directory. */
  dir: string
  force: boolean
  dryRun: boolean
}

export interface ExportInput {
  /** The directory read as `tsq:doctor --local` reads it, with the formation to export. */
  state: AppState
  procfile: readonly ProcfileEntry[]
  hasDotenv: boolean
  /** The .env text, for the lines systemd's EnvironmentFile= reads otherwise than Node; absent or null: none checked. */
  dotenv?: string | null
  measurements: Partial<Record<ResourceKind, LiveMeasurement | null>>
  /** Unit files already in the output directory, by name. */
  existing: ReadonlyMap<string, string>
  /** This machine's host names and addresses: URLs pointing at them are local servers. */
  ownHosts: readonly string[]
}

export interface ExportBlock {
  code: 'TSQ_EXPORT_OVER_LIMIT' | 'TSQ_EXPORT_FILES_DIFFER'
  message: string
  suggestions: string[]
}

export interface ExportPlan {
  units: SystemdPlan
  files: UnitFilesPlan
  report: DoctorReport
  /** Failing limit checks (the export is refused for them unless forced). */
  overLimit: Check[]
  /** Why nothing may be written; null when the files can be written (or, under dry-run, would be). */
  blocked: ExportBlock | null
}

export function planExport(input: ExportInput, intent: ExportIntent): ExportPlan {
  const {report} = diagnose(input.state, {local: true, measurements: input.measurements})
  const app = intent.app ?? input.state.app
  const units = planSystemdUnits({
    app, dir: intent.dir, envFile: {path: `${intent.dir.replace(/\/$/, '')}/.env`, exists: input.hasDotenv},
    user: intent.user ?? app, basePort: intent.basePort, procfile: input.procfile,
    formation: input.state.formation.map(f => ({type: f.type, quantity: f.quantity})),
    services: localServices(input.state.config, input.ownHosts),
  })
  // systemd reads EnvironmentFile= after Environment=: a PORT or DYNO in .env would replace every unit's own.
  for (const name of ['PORT', 'DYNO'].filter(n => input.state.config[n] !== undefined)) {
    units.notes.push(`.env sets ${name}, which overrides each unit's own Environment=${name}= (systemd applies EnvironmentFile= last), ` +
      `so every instance would get the same ${name}: remove ${name} from .env`)
  }
  units.notes.push(...systemdEnvFileNotes(input.dotenv ?? null))
  const files = planUnitFiles(app, units.units, input.existing)
  const overLimit = report.checks.filter(c => LIMIT_CHECKS.has(c.id) && c.status === 'fail')
  return {units, files, report, overLimit, blocked: blockOf(overLimit, files, intent)}
}

function blockOf(overLimit: readonly Check[], files: UnitFilesPlan, intent: ExportIntent): ExportBlock | null {
  if (intent.force) return null
  if (overLimit.length > 0) {
    return {code: 'TSQ_EXPORT_OVER_LIMIT',
      message: `The formation does not fit its connection limits, so no unit file is written:\n${overLimit.map(c => `  ${c.id}: ${c.message}`).join('\n')}`,
      suggestions: [...overLimit.map(c => c.fix).filter((f): f is string => f !== null), 'pass --force to export it anyway']}
  }
  const differ = files.files.filter(f => f.action === 'update')
  if (differ.length > 0 && !intent.dryRun) {
    return {code: 'TSQ_EXPORT_FILES_DIFFER',
      message: `${differ.length} unit file(s) differ from what the export would write, so none is written: ${differ.map(f => f.name).join(', ')}`,
      suggestions: ['review the diff above, then run again with --force to replace them']}
  }
  return null
}
