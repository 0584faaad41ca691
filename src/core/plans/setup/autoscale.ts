// tsq:setup --autoscale (spec §10, §5): the Procfile line that runs tsq:autoscale as its own process type, the
// one dyno the budget counts for it before Heroku runs any (a new type gets 0 until it is scaled), the config var
// that names its app on the dyno, and the steps only the user can take (scale it, give it a token). Pure.
import type {FormationEntry} from '../../model/app-state.js'
import type {ProcfileEntry} from '../../model/procfile.js'
import type {Env} from '../../model/settings.js'
import {commandRunsAutoscale} from '../../stacks/index.js'
import type {SetupNote} from './types.js'

export const AUTOSCALE_TYPE = 'autoscale'
/** Seconds between steps: the spec's example (§10), well inside Heroku's 4,500 requests an hour. */
export const AUTOSCALE_INTERVAL = 30
/**
 * `npx heroku-tsq`, not `npx tsq`: npx runs the installed package's `tsq` bin when heroku-tsq is in node_modules,
 * and otherwise fetches heroku-tsq itself, where `npx tsq` would fetch whatever package is named `tsq`. No `-a`:
 * the Procfile travels with the slug (pipeline promotion, review apps), so the app comes from HEROKU_APP.
 */
export const AUTOSCALE_COMMAND = `npx heroku-tsq tsq:autoscale --interval ${AUTOSCALE_INTERVAL}`

/** Where package.json lists heroku-tsq; null when it does not (or there is no package.json). */
export type TsqDependency = 'dependencies' | 'devDependencies' | null

export interface AutoscaleIntent {
  tsqDependency: TsqDependency
}

/** The process type of these Procfile lines that runs tsq:autoscale, whatever it is called; null when none does. */
export function autoscalerType(entries: readonly ProcfileEntry[]): string | null {
  return entries.find(e => commandRunsAutoscale(e.command))?.type ?? null
}

/**
 * The formation with the autoscaler's type at one dyno at least, running its Procfile command: Heroku gives a
 * type that is new in the Procfile 0 dynos, but setup sizes for the autoscaler the user is about to scale.
 */
export function withAutoscaler(formation: readonly FormationEntry[], type: string, command: string): FormationEntry[] {
  const current = formation.find(f => f.type === type)
  if (!current) return [...formation, {type, quantity: 1, size: '', command}]
  return formation.map(f => f.type === type ? {...f, quantity: Math.max(1, f.quantity), command} : f)
}

export interface AutoscaleSetupInput {
  app: string
  local: boolean
  /** The Procfile type that runs tsq:autoscale once setup is done. */
  type: string
  /** The app's config vars (or the local environment): only names are read, never a token's value. */
  config: Env
  /** The formation as it runs today (before setup). */
  formation: readonly FormationEntry[]
  rails: boolean
  tsqDependency: TsqDependency
}

export interface AutoscaleSetup {
  /** Config vars to set: HEROKU_APP on Heroku; none locally (there is no app to name). */
  vars: Record<string, string>
  reasons: string[]
  /** What only the user can do: scale the type, give it a token, put Node and heroku-tsq on its dyno. */
  notes: SetupNote[]
}

/** The config var and the next steps of an autoscaler setup adds (or finds) in the Procfile. */
export function planAutoscaleSetup(input: AutoscaleSetupInput): AutoscaleSetup {
  const {type, local} = input
  const app = local ? 'APP' : input.app
  const plan: AutoscaleSetup = {vars: {}, reasons: [], notes: []}
  if (!local && input.config.HEROKU_APP !== input.app) {
    plan.vars.HEROKU_APP = input.app
    plan.reasons.push(`HEROKU_APP=${input.app}: tsq:autoscale on the ${type} dyno reads its app from it (a dyno has no git remote; ` +
      'a config var rather than -a in the Procfile, so a slug promoted to another app scales that app)')
  }
  if (local) {
    plan.notes.push({id: 'autoscale.app', message: `The ${type} process type scales a Heroku app: locally it has none (\`heroku local web worker\` starts the others)`,
      fix: `on Heroku, name the app it scales: heroku config:set HEROKU_APP=APP -a APP (or run heroku tsq:setup --autoscale -a APP, which sets it)`})
  }
  const running = input.formation.find(f => f.type === type)?.quantity ?? 0
  if (local || running === 0) {
    plan.notes.push({id: 'autoscale.dynos', message: `The ${type} process type runs no dyno until it is scaled (Heroku gives a new type 0); ` +
      'the budget above counts 1, with its one Redis connection', fix: `once deployed: heroku ps:scale ${type}=1 -a ${app}`})
  }
  if (local || !input.config.HEROKU_API_KEY) {
    plan.notes.push({id: 'autoscale.token', message: `tsq:autoscale on a dyno calls the Platform API with the HEROKU_API_KEY config var, which ${local ? 'the app needs' : `${app} does not have`}`,
      fix: 'create a long-lived token for it with `heroku authorizations:create --description "tsq autoscale"` and set it yourself as the app\'s ' +
        `HEROKU_API_KEY (heroku config:set ... -a ${app}); tsq never prints or copies a token`})
  }
  const install = input.tsqDependency === 'dependencies' ? null : 'npm install --save-prod heroku-tsq, then commit package.json and package-lock.json'
  if (input.rails) {
    plan.notes.push({id: 'autoscale.node', message: `A Rails app's dynos have Node and its node_modules (for \`npx heroku-tsq\`) only with the heroku/nodejs buildpack, ` +
      'which installs heroku-tsq from the package.json at the root', fix: [`heroku buildpacks:add --index 1 heroku/nodejs -a ${app}`, install].filter(Boolean).join('; then ')})
  } else if (install) {
    const where = input.tsqDependency === 'devDependencies' ? 'package.json has heroku-tsq in devDependencies, which the Node buildpack prunes from the slug'
      : 'package.json does not list heroku-tsq in dependencies'
    plan.notes.push({id: 'autoscale.node', message: `${where}: \`npx heroku-tsq\` on the ${type} dyno would download it at every start`, fix: install})
  }
  return plan
}
