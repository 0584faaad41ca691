import {flags} from '@heroku-cli/command'
import {Flags, ux} from '@oclif/core'
import {TsqCommand} from '../../src/cli/base-command.js'
import {runAutoscale} from '../../src/cli/autoscale.js'
import {createPlatform} from '../../src/platform/index.js'
import {type StepDocument, renderStep} from '../../src/render/autoscale.js'

export default class Autoscale extends TsqCommand {
  static override description = 'scale worker dynos from queue latency, never past a Redis or Postgres connection limit\n' +
    'Reads each worker type\'s BullMQ or Sidekiq queues with the app\'s own Redis credentials, scales up in proportion to ' +
    'latency over --target and down one dyno after --down-after seconds of empty queues, and caps every type at the largest ' +
    'count that fits every connection limit. All types change in one formation PATCH.'

  static override examples = [
    '$ heroku tsq:autoscale -a example-app --type worker --once --json',
    '$ heroku tsq:autoscale -a example-app --max 6 --target 20 --dry-run --once',
    '# Procfile, as its own process type (tsq:setup --autoscale writes it and sets HEROKU_APP; HEROKU_API_KEY is yours to set): autoscale: npx heroku-tsq tsq:autoscale --interval 30',
  ]

  static override flags = {
    app: flags.app({required: true}),
    remote: flags.remote(),
    type: Flags.string({description: 'worker process type to scale (repeatable; default: every worker type)', multiple: true}),
    min: Flags.integer({description: 'fewest dynos per type (0: a waiting job wakes it)', default: 1, min: 0}),
    max: Flags.integer({description: 'most dynos per type', default: 10, min: 1}),
    target: Flags.integer({description: 'target latency in seconds: above it, more dynos', default: 30, min: 1}),
    'down-after': Flags.integer({description: 'seconds of empty queues before one dyno fewer', default: 300, min: 0}),
    once: Flags.boolean({description: 'one step, then exit (Heroku Scheduler, cron)', exclusive: ['interval']}),
    interval: Flags.integer({description: 'run a step every N seconds until SIGTERM', min: 1, exclusive: ['once']}),
    prefix: Flags.string({description: 'BullMQ key prefix', default: 'bull'}),
    'dry-run': Flags.boolean({description: 'decide and print, change nothing', default: false}),
  }

  public async run(): Promise<StepDocument | undefined> {
    const {flags: f} = await this.parse(Autoscale)
    if (f.min > f.max) this.error(`--min ${f.min} is above --max ${f.max}`, {exit: 1})
    const intervalMs = f.interval === undefined ? null : f.interval * 1000
    // Tests set TSQ_AUTOSCALE_TICK_MS to run an interval in ms; nobody else should.
    const tick = Number(process.env.TSQ_AUTOSCALE_TICK_MS)
    if (f.interval !== undefined && f.interval < 15) {
      this.warnAlways(`--interval ${f.interval} costs about ${Math.ceil(3600 / f.interval)} Platform API requests an hour (one formation read per step, plus a full read every 10 minutes and any scaling), of Heroku's 4,500 an hour`)
    }
    const controller = new AbortController()
    const stop = () => controller.abort()
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
    try {
      const last = await runAutoscale({
        app: f.app, platform: createPlatform(this.heroku), types: f.type ?? [], prefix: f.prefix, dryRun: f['dry-run'],
        settings: {min: f.min, max: f.max, targetMs: f.target * 1000, downAfterMs: f['down-after'] * 1000},
        intervalMs: intervalMs !== null && tick > 0 ? tick : intervalMs,
        connectionName: `tsq:${process.env.DYNO ?? 'autoscale'}:${process.pid}:autoscale`,
        signal: controller.signal,
        onStep: doc => {
          if (!this.jsonEnabled()) for (const line of renderStep(doc, f['dry-run'])) this.log(line)
          else if (intervalMs !== null) ux.stdout(this.redactor.text(JSON.stringify(doc)))
        },
        onWarn: message => this.warnAlways(message),
      })
      // A change decided but not made (its answer lost, and not there when read again) fails a single step.
      if (intervalMs === null && last && !last.applied && !f['dry-run'] && last.decisions.some(d => d.from !== d.to)) this.failAfterOutput()
      // With --interval, stdout holds only the step lines: no final document.
      return intervalMs === null ? last ?? undefined : undefined
    } finally {
      process.off('SIGTERM', stop)
      process.off('SIGINT', stop)
    }
  }
}
