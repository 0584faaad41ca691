import {flags} from '@heroku-cli/command'
import {Flags, ux} from '@oclif/core'
import {TsqCommand} from '../../src/cli/base-command.js'
import {stat} from 'node:fs/promises'
import {join} from 'node:path'
import {readCheckout} from '../../src/cli/checkout.js'
import {measureLive, parseFormationFlag} from '../../src/cli/local.js'
import {parseProcfile} from '../../src/core/model/procfile.js'
import {applySetup, localEffects, platformEffects, unapplied} from '../../src/cli/setup-apply.js'
import {localSetupState, readSetupFiles} from '../../src/cli/setup-files.js'
import type {AppState} from '../../src/core/model/app-state.js'
import {type SetupChange, type SetupIntent, planSetup} from '../../src/core/plans/setup/setup-plan.js'
import {type SetupResult, describeChange, failureOf, renderOutcome, renderPlan, setupResult} from '../../src/render/setup.js'
import {wantsColor} from '../../src/render/style.js'

export default class Setup extends TsqCommand {
  static override description = 'set up an app\'s web and BullMQ worker processes: REDIS_URL, pool sizes that fit, a Procfile\n' +
    'Attaches the app\'s one Redis add-on as REDIS so Heroku keeps REDIS_URL in sync (never copies a URL), sets the ' +
    'TSQ_* config vars that make the formation fit its Postgres and Redis connection limits, and writes the Procfile ' +
    'in --dir. Prints the plan first; changes only what differs, so a second run changes nothing.\n' +
    'Exits 1 when it cannot start (no or several Redis add-ons, invalid settings: nothing is changed), when a change ' +
    'fails (it says which were applied; run it again to finish), or when tsq:doctor would still fail (say, even pools ' +
    'of 1 exceed the plan: it names the fixes). With --local, no Heroku: the TSQ_* values go into .env, judged against ' +
    'the limits the local Redis and Postgres report, for one dyno per Procfile type or the --formation you will run ' +
    '(give tsq:doctor --local the same --formation). With --autoscale, the Procfile also gets ' +
    '`autoscale: npx heroku-tsq tsq:autoscale --interval 30`, counted in the budget at one dyno; setup sets HEROKU_APP for it ' +
    'and names what is left to you: `heroku ps:scale autoscale=1`, and a HEROKU_API_KEY of your own.'

  static override examples = [
    '$ heroku tsq:setup -a example-app',
    '$ heroku tsq:setup -a example-app --redis rediscloud-rigid-67890 --dry-run',
    '$ heroku tsq:setup -a example-app --pooling',
    '$ heroku tsq:setup -a example-app --autoscale --force',
    '$ heroku tsq:setup -a example-app --web "node dist/web.js" --worker "node dist/worker.js" --force',
    '$ heroku tsq:setup --local --dir examples/web-worker',
    '$ heroku tsq:setup --local --dir examples/web-worker --formation web=2,worker=2',
  ]

  static override flags = {
    app: flags.app(),
    remote: flags.remote(),
    dir: Flags.string({description: 'the app\'s checkout: its Procfile and package.json, or for a Rails app its Gemfile.lock and config/ files', default: '.'}),
    web: Flags.string({description: 'command of the web process (default: `npm start` when package.json has a start script)'}),
    worker: Flags.string({description: 'command of the worker process (default: `npm run worker` when package.json has a worker script)'}),
    release: Flags.string({description: 'command of the release phase (default: `npm run release` when package.json has a release script)'}),
    redis: Flags.string({description: 'the Redis add-on to attach as REDIS, when the app has several (name, id or attachment name)', exclusive: ['local']}),
    pooling: Flags.boolean({description: 'when the formation cannot fit its Postgres plan, attach Heroku\'s server-side connection pooler (as pg:connection-pooling:attach does) and point the processes at it', exclusive: ['local']}),
    autoscale: Flags.boolean({description: 'add an `autoscale` process type that runs tsq:autoscale --interval 30 (kept as it is when a Procfile line already runs tsq:autoscale), sized for in the budget at one dyno'}),
    'dry-run': Flags.boolean({description: 'print the plan; send no change to Heroku and write no file', default: false}),
    force: Flags.boolean({description: 'write the Procfile (and a Rails app\'s config/puma.rb, config/sidekiq.yml, config/initializers/tsq.rb) even when it differs from the existing one', default: false}),
    // No default: oclif's dependsOn counts a defaulted `false` as given, and --formation depends on --local.
    local: Flags.boolean({description: 'no Heroku: write the Procfile and the TSQ_* values into .env, judged against the local Redis and Postgres'}),
    formation: Flags.string({description: 'dynos per process type to size the pools for (with --local; default one per Procfile type), as tsq:scale takes them: web=2,worker=1', dependsOn: ['local']}),
  }

  public async run(): Promise<SetupResult> {
    const {flags: f} = await this.parse(Setup)
    const formation = parseFormationFlag(f.formation)
    const files = await readSetupFiles(f.dir)
    const {state, live} = f.local ? await this.readLocal(localSetupState(f.dir, files, process.env)) : {state: await this.inspect(f.app), live: undefined}
    // A Rails app's config files decide its stacks and sizes (spec §9); the Procfile's -C files are read too.
    state.checkout = await readCheckout(f.dir, [...state.formation, ...procfileCommands(files.procfile)])
    const migrations = await stat(join(f.dir, 'db', 'migrate')).then(d => d.isDirectory(), () => false)
    const intent: SetupIntent = {redis: f.redis ?? null, local: f.local ? {dotenv: files.dotenv, formation} : null, live, migrations, pooling: f.pooling ?? false,
      autoscale: f.autoscale ? {tsqDependency: files.tsqDependency} : null,
      procfile: {existing: files.procfile, scripts: files.scripts, commands: {web: f.web, worker: f.worker, release: f.release}, force: f.force}}
    const plan = planSetup(state, intent)
    const style = {color: wantsColor(process.env, Boolean(process.stdout.isTTY))}
    this.log(renderPlan(plan, style, f['dry-run']))
    const describe = (c: SetupChange) => describeChange(plan.local ? '' : plan.app, c)
    const effects = f.local ? localEffects(f.dir, describe)
      : platformEffects({platform: this.platform(), app: plan.app, dir: f.dir, describe, onConfig: c => this.learnSecrets(c)})
    const outcomes = plan.blocked || f['dry-run'] ? unapplied(plan, plan.blocked ? 'not-attempted' : 'planned') : await applySetup(plan, effects)
    const result = setupResult(plan, outcomes, f['dry-run'], state)
    this.log(renderOutcome(result, plan, style))
    if (this.jsonEnabled()) for (const n of result.notes) this.warnAlways(`${n.id}: ${n.message}`)
    if (result.ok) return result
    // Exit 1; with --json the document is still the result (as tsq:doctor does).
    if (this.jsonEnabled()) this.failAfterOutput()
    else this.error(failureOf(result).message, {exit: 1, suggestions: failureOf(result).suggestions})
    return result
  }


  private async readLocal(state: AppState): Promise<{state: AppState, live: SetupIntent['live']}> {
    this.learnStateSecrets(state)
    ux.action.start('Measuring the local Redis and Postgres limits', undefined, {stdout: false})
    const live = await measureLive(state.config, 3000)
    ux.action.stop()
    return {state, live}
  }
}

/** The Procfile's lines as formation entries (for the files their commands name); none when it does not parse. */
function procfileCommands(text: string | null): Array<{type: string, quantity: number, size: string, command: string}> {
  try {
    return text === null ? [] : parseProcfile(text).map(e => ({type: e.type, quantity: 1, size: '', command: e.command}))
  } catch {
    return []
  }
}
