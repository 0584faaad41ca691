// Applies tsq:setup's plan one change at a time, in order, and records what happened to each: the first
// failure stops the run, so the report says exactly which changes were applied and which were not, and a
// second run (which re-inspects the app) plans only what is still missing.
import {rm} from 'node:fs/promises'
import {join} from 'node:path'
import {ux} from '@oclif/core'
import {checkDotenvEdit} from '../core/model/dotenv-edit.js'
import type {AttachChange, ConfigChange, SetupChange, SetupPlan} from '../core/plans/setup/setup-plan.js'
import {
  type Platform, attachAddon, attachConnectionPooling, getConfigVars, getLatestReleaseVersion, isPlatformError, patchConfigVars, promoteRedis,
} from '../platform/index.js'
import {readOptionalFile} from './local.js'
import {writeFileAtomic} from './setup-files.js'

/** `unknown`: sent, but its answer was lost (timeout, reset, unreadable): it may have been applied. */
export type ChangeStatus = 'planned' | 'applied' | 'failed' | 'unknown' | 'not-attempted'

export interface ChangeOutcome {
  status: ChangeStatus
  /** Why it failed (Heroku's message passed through), or null. */
  error: string | null
  /** What to do about the failure, or null. */
  hint: string | null
}

/** The side effects a plan needs; the command wires them to Heroku and --dir, tests to fakes. */
export interface SetupEffects {
  attach(change: AttachChange): Promise<void>
  readConfig(): Promise<Record<string, string>>
  setConfig(vars: Record<string, string>): Promise<void>
  /** Writes a file in --dir, atomically. */
  writeFile(name: string, text: string): Promise<void>
  /** A file of --dir as it is on disk now; null when there is none. */
  readFile(name: string): Promise<string | null>
  /** Removes a file of --dir (a restore of one that did not exist). */
  removeFile(name: string): Promise<void>
  /** Runs one change, showing it as it happens (a spinner on stderr). */
  step(change: SetupChange, run: () => Promise<void>): Promise<void>
}

/** Outcomes of a plan that is not applied: `planned` for --dry-run, `not-attempted` when blocked. */
export function unapplied(plan: SetupPlan, status: 'planned' | 'not-attempted'): ChangeOutcome[] {
  return plan.changes.map(() => ({status, error: null, hint: null}))
}

/** Applies the changes in order and stops at the first failure; returns one outcome per change. */
export async function applySetup(plan: SetupPlan, effects: SetupEffects): Promise<ChangeOutcome[]> {
  const outcomes = unapplied(plan, 'not-attempted')
  for (const [i, change] of plan.changes.entries()) {
    try {
      await effects.step(change, () => applyOne(plan.app, change, effects))
      outcomes[i] = {status: 'applied', error: null, hint: null}
    } catch (error) {
      outcomes[i] = {status: isPlatformError(error) && error.mayHaveApplied ? 'unknown' : 'failed',
        error: withStatus(error), hint: isPlatformError(error) ? error.hint : null}
      break
    }
  }
  return outcomes
}

/** The error's message, with the HTTP status and request when Heroku's own words do not say them (spec §1). */
function withStatus(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  if (!isPlatformError(error) || error.status === null || message.includes(`(${error.status})`)) return message
  return `${message} (${error.method} ${error.path}: ${error.status})`
}

async function applyOne(app: string, change: SetupChange, effects: SetupEffects): Promise<void> {
  if (change.kind === 'attach') {
    await effects.attach(change)
    if (!change.configVar) return
    // Heroku sets the attachment's config var itself; read it back rather than trust the POST.
    const config = await effects.readConfig()
    if (!config[change.configVar]) {
      throw new Error(`Heroku attached ${change.addon} as ${change.as}, but ${app} has no ${change.configVar} afterwards. ` +
        `Check with \`heroku config -a ${app}\` and \`heroku addons -a ${app}\`.`)
    }
  } else if (change.kind === 'config') {
    await (change.file ? writeDotenv(change.file, change.vars, effects) : effects.setConfig(change.vars))
  } else {
    await effects.writeFile(change.file, change.after)
  }
}

/**
 * Writes `.env`, then reads it back as Node will and checks every variable took its value and no other
 * changed; if not (another writer, a filesystem that altered it), the previous file is put back and the error
 * names the variables — never a value: .env holds secrets.
 */
async function writeDotenv(file: NonNullable<ConfigChange['file']>, vars: Readonly<Record<string, string>>, effects: SetupEffects): Promise<void> {
  await effects.writeFile(file.name, file.after)
  const written = await effects.readFile(file.name)
  const wrong = written === null ? [`${file.name} is missing after the write`] : checkDotenvEdit(file.before, written, vars)
  if (wrong.length === 0) return
  await (file.before === null ? effects.removeFile(file.name) : effects.writeFile(file.name, file.before))
  throw new Error(`${file.name} did not read back as planned, so the previous ${file.name} was put back (${file.before === null ? 'removed' : 'restored'}): ${wrong.join('; ')}`)
}

/** Effects against the Platform API for app `app`, files in `dir`; `describe` titles the spinner. */
export function platformEffects(input: {platform: Platform, app: string, dir: string, describe: (c: SetupChange) => string,
  onConfig: (config: Record<string, string>) => void}): SetupEffects {
  const {platform, app, dir} = input
  // Each attach and config change makes a release; the spinner ends with it (`done, v42`), as heroku's own do.
  let release: string | null = null
  const noteRelease = async () => {
    const version = await getLatestReleaseVersion(platform, app).catch(() => null)
    release = version === null ? null : `v${version}`
  }
  return {
    async attach(change) {
      const name = change.as ?? undefined
      if (change.pooling) {
        await attachConnectionPooling(platform, {app, database: change.addon, name: name ?? 'DATABASE_CONNECTION_POOL'})
        await noteRelease()
        return
      }
      // confirm up front when the plan replaces an attachment (redis:promote); otherwise only if Heroku asks.
      if (change.confirm) await promoteRedis(platform, app, [{addon: change.addon, name}])
      else await attachAddon(platform, {app, addon: change.addon, name})
      await noteRelease()
    },
    async readConfig() {
      const config = await getConfigVars(platform, app)
      input.onConfig(config)
      return config
    },
    async setConfig(vars) {
      input.onConfig(await patchConfigVars(platform, app, vars))
      await noteRelease()
    },
    ...fileEffects(dir),
    step: (change, run) => {
      release = null
      return spin(input.describe(change), run, () => release)
    },
  }
}

/** Effects of `--local`: files only; anything else is a bug in the plan. */
export function localEffects(dir: string, describe: (c: SetupChange) => string): SetupEffects {
  const none = () => Promise.reject(new Error('--local changes no Heroku app'))
  return {attach: none, readConfig: none, setConfig: none, ...fileEffects(dir), step: (change, run) => spin(describe(change), run)}
}

function fileEffects(dir: string): Pick<SetupEffects, 'writeFile' | 'readFile' | 'removeFile'> {
  return {writeFile: (name, text) => writeFileAtomic(join(dir, name), text), readFile: name => readOptionalFile(dir, name),
    removeFile: name => rm(join(dir, name), {force: true})}
}

async function spin(title: string, run: () => Promise<void>, suffix: () => string | null = () => null): Promise<void> {
  ux.action.start(title, undefined, {stdout: false})
  try {
    await run()
  } catch (error) {
    ux.action.stop('failed')
    throw error
  }
  const extra = suffix()
  ux.action.stop(extra ? `done, ${extra}` : 'done')
}
