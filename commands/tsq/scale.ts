import {flags} from '@heroku-cli/command'
import {Args, ux} from '@oclif/core'
import {TsqCommand} from '../../src/cli/base-command.js'
import {readCheckout} from '../../src/cli/checkout.js'
import {assess} from '../../src/core/assess/assess.js'
import {checkScaleSizes, parseScaleArgs, renderFormation} from '../../src/core/model/formation.js'
import {planScale} from '../../src/core/plans/scale/scale-plan.js'
import {patchFormation, readDynoSizes} from '../../src/platform/index.js'
import {type ScaleResult, describeUpdates, renderBudgets, renderHeadline, renderRefusal, renderSuggestions, scaleResult} from '../../src/render/scale.js'
import {wantsColor} from '../../src/render/style.js'

export default class Scale extends TsqCommand {
  static override description = 'scale dynos only within the Redis and Postgres connection limits\n' +
    'Takes the arguments of ps:scale. Judges the formation as it would be after the change against every attached ' +
    'Postgres and Redis (a size change changes the processes per dyno), refuses a change that would exceed a limit, ' +
    'and shows the largest counts and the pool sizes that fit. Without arguments, prints the formation.'

  static override examples = [
    '$ heroku tsq:scale worker=3 -a example-app',
    '$ heroku tsq:scale web=2:standard-2x worker+1 --dry-run -a example-app',
    '$ heroku tsq:scale -a example-app\nweb=2:standard-2x worker=1:standard-1x',
  ]

  static override strict = false
  static override args = {changes: Args.string({description: 'TYPE=N[:SIZE], TYPE+N or TYPE-N, one or more'})}
  static override flags = {
    app: flags.app({required: true}),
    remote: flags.remote(),
    force: flags.boolean({description: 'scale even when a connection limit would be exceeded', default: false}),
    'dry-run': flags.boolean({description: 'show the verdict and the budget, change nothing', default: false}),
    dir: flags.string({description: 'the app\'s checkout, whose Ruby config files (config/puma.rb, config/sidekiq.yml, config/database.yml, Gemfile.lock) a Rails app reads', default: '.'}),
  }

  public async run(): Promise<ScaleResult> {
    const {argv, flags: f} = await this.parse(Scale)
    const changes = parseScaleArgs(argv as string[])
    const platform = this.platform()
    // A size is checked against Heroku's list (or the built-in table) before anything about the app is read.
    const dynoSizes = changes.some(c => c.size !== null) ? await readDynoSizes(platform) : undefined
    if (dynoSizes) checkScaleSizes(changes, dynoSizes)
    const state = await this.inspect(f.app, {label: 'Reading', platform, dynoSizes})
    // Heroku's list holds both generations' sizes: the app's own generation decides which it can run.
    if (dynoSizes) checkScaleSizes(changes, dynoSizes, state.generation)
    state.checkout = await readCheckout(f.dir, state.formation)
    if (state.formation.length === 0) this.error(`No process types on ⬢ ${state.app}.\nUpload a Procfile to add process types.`)
    if (changes.length === 0) {
      this.log(renderFormation(state.formation))
      return scaleResult({applied: false, dryRun: false, assessment: assess(state), previous: state.formation, plan: null, state})
    }

    const plan = planScale(state, changes, {force: f.force})
    for (const warning of plan.warnings) this.warnAlways(warning)
    const apply = plan.verdict === 'apply' && !f['dry-run']
    let assessment = plan.assessment
    if (apply) {
      ux.action.start(`Scaling ${describeUpdates(plan)} on ⬢ ${state.app}`)
      const updated = await patchFormation(platform, state.app, plan.updates)
      ux.action.stop('done')
      assessment = assess(state, {formation: state.formation.map(p => updated.find(u => u.type === p.type) ?? p)})
    }
    const result = scaleResult({applied: apply, dryRun: f['dry-run'], assessment, previous: state.formation, plan, state})
    const style = {color: wantsColor(process.env, Boolean(process.stdout.isTTY))}
    this.log([renderHeadline(style, plan, result), renderBudgets(style, result), renderSuggestions(style, plan)].filter(Boolean).join('\n\n'))
    if (plan.verdict !== 'refuse') return result
    // A refusal exits 1; with --json the document is still the result.
    if (this.jsonEnabled()) this.failAfterOutput()
    else this.error(renderRefusal(plan), {exit: 1, code: 'TSQ_OVER_LIMIT'})
    return result
  }
}
