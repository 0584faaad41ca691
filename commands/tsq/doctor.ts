import {flags} from '@heroku-cli/command'
import {Flags, ux} from '@oclif/core'
import {TsqCommand} from '../../src/cli/base-command.js'
import {readWorkerQueues} from '../../src/cli/autoscale.js'
import {readCheckout} from '../../src/cli/checkout.js'
import {measureLive, readLocalApp, readRedisServerOf} from '../../src/cli/local.js'
import {type DoctorReport, diagnose, doctorWarnings} from '../../src/core/checks/doctor.js'
import {renderDoctor} from '../../src/render/doctor.js'
import {wantsColor} from '../../src/render/style.js'

export default class Doctor extends TsqCommand {
  static override description = 'check that an app\'s web and worker processes fit its Redis and Postgres connection limits'
  static override examples = [
    '$ heroku tsq:doctor -a example-app',
    '$ heroku tsq:doctor -a example-app --live --json',
    '$ heroku tsq:doctor --local --dir examples/web-worker --formation web=2,worker=1',
    '$ cd my-rails-app && heroku tsq:doctor -a example-app',
  ]

  static override flags = {
    app: flags.app(),
    remote: flags.remote(),
    live: Flags.boolean({description: 'also connect to Redis and Postgres with the app\'s credentials and compare live connections with the prediction'}),
    local: Flags.boolean({description: 'judge a local directory (Procfile, .env) against the local Redis and Postgres; no Heroku; implies --live'}),
    dir: Flags.string({description: 'the app\'s checkout: its Procfile and .env with --local, and the Ruby config files a Rails app reads (config/puma.rb, config/sidekiq.yml, config/database.yml, Gemfile.lock); default: the current directory'}),
    formation: Flags.string({description: 'dynos per process type (with --local), as tsq:scale takes them: web=2,worker=1', dependsOn: ['local']}),
  }

  public async run(): Promise<DoctorReport> {
    const {flags} = await this.parse(Doctor)
    const local = flags.local
    const dir = flags.dir ?? '.'
    const localApp = local ? await readLocalApp({dir, formation: flags.formation, env: process.env}) : null
    for (const warning of localApp?.warnings ?? []) this.warnAlways(warning)
    const state = localApp ? localApp.state : await this.inspect(flags.app)
    this.learnStateSecrets(state)
    state.checkout = await readCheckout(dir, state.formation)
    const live = local || flags.live
    let measurements
    let redisServer
    let queues
    if (live) {
      ux.action.start('Measuring Redis and Postgres connections and queues', undefined, {stdout: false})
      measurements = await measureLive(state.config)
      redisServer = await readRedisServerOf(state.config, measurements.redis)
      // After the measurement, so the live count never includes the queue reader's own connection.
      queues = await readWorkerQueues(state)
      ux.action.stop()
    }
    const {report} = diagnose(state, {local, live, measurements, redisServer, queues})
    // Human output shows the warnings in the rendered report; under --json they go to stderr.
    if (this.jsonEnabled()) for (const line of doctorWarnings(state, report)) this.warnAlways(line)
    else this.log(renderDoctor(report, {color: wantsColor(process.env, Boolean(process.stdout.isTTY))}))
    if (!report.ok) this.failAfterOutput()
    return report
  }

}
