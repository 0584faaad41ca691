import {Args, Flags, ux} from '@oclif/core'
import {resolve} from 'node:path'
import {TsqCommand} from '../../src/cli/base-command.js'
import {readUnitDir, writeUnitFiles} from '../../src/cli/export-files.js'
import {ownHosts, readExportSource} from '../../src/cli/export-source.js'
import {measureLive} from '../../src/cli/local.js'
import {DEFAULT_BASE_PORT} from '../../src/core/plans/export/systemd.js'
import {planExport} from '../../src/core/plans/export/plan.js'
import {type ExportResult, exportResult, renderExport} from '../../src/render/export.js'
import {wantsColor} from '../../src/render/style.js'

export default class Export extends TsqCommand {
  static override description = 'write systemd units that run the Procfile on a Linux server at boot, within its connection limits\n' +
    'One <app>-<type>.<n>.service per instance and an <app>.target that wants them all (foreman\'s layout), each with ' +
    'User, WorkingDirectory, the .env as EnvironmentFile (never its values), PORT, DYNO and Heroku\'s stop contract ' +
    '(SIGTERM, 30 s). The formation is judged first against the limits the Redis and Postgres of the .env report, ' +
    'as tsq:doctor --local does: over a limit, nothing is written (exit 1) unless --force. Files that differ are ' +
    'shown as a diff and replaced only with --force; a second run with the same formation changes nothing.'

  static override examples = [
    '$ heroku tsq:export systemd --dir /srv/myapp --formation web=2,worker=1 --app myapp --user deploy --out /etc/systemd/system',
    '$ heroku tsq:export systemd --dir . --dry-run',
  ]

  static override args = {
    format: Args.string({description: 'what to export to', required: true, options: ['systemd']}),
  }

  static override flags = {
    dir: Flags.string({description: 'the app directory on this server: Procfile, .env, and where the processes run', default: '.'}),
    formation: Flags.string({description: 'instances per process type (default one per Procfile type), as tsq:scale takes them: web=2,worker=1'}),
    app: Flags.string({char: 'a', description: 'name of the units: <app>.target, <app>-web.1.service (default: the directory\'s name)'}),
    user: Flags.string({char: 'u', description: 'user the processes run as (default: the app name, as foreman does)'}),
    out: Flags.string({char: 'o', description: 'directory to write the units to, e.g. /etc/systemd/system', default: './systemd'}),
    port: Flags.integer({char: 'p', description: 'base port: PORT = base + 100 × the type\'s Procfile index + instance − 1', default: DEFAULT_BASE_PORT, min: 1, max: 65_535}),
    'dry-run': Flags.boolean({description: 'show the files and diffs; write nothing', default: false}),
    force: Flags.boolean({description: 'export over a connection limit, replace files that differ, and remove stale units', default: false}),
  }

  public async run(): Promise<ExportResult> {
    const {flags: f} = await this.parse(Export)
    const dir = resolve(f.dir)
    const out = resolve(f.out)
    const source = await readExportSource(dir, f.formation)
    this.learnStateSecrets(source.state)
    const app = f.app ?? source.state.app
    ux.action.start('Measuring the limits of the Redis and Postgres the .env points at', undefined, {stdout: false})
    const [measurements, existing] = await Promise.all([measureLive(source.state.config, 3000), readUnitDir(out, app)])
    ux.action.stop()
    const plan = planExport({...source, measurements, existing, ownHosts: ownHosts()},
      {app, user: f.user, basePort: f.port, dir, force: f.force, dryRun: f['dry-run']})
    const write = plan.blocked === null && !f['dry-run']
    const outcome = write ? await writeUnitFiles(out, plan.files, f.force) : {written: [], removed: []}
    const result = exportResult(plan, out, {dryRun: f['dry-run'], written: write, removed: outcome.removed})
    this.log(renderExport(plan, result, {color: wantsColor(process.env, Boolean(process.stdout.isTTY))}))
    if (this.jsonEnabled()) for (const n of result.notes) this.warnAlways(n)
    if (!plan.blocked) return result
    // Refused: exit 1; with --json the document is still the result, as tsq:scale does.
    if (this.jsonEnabled()) this.failAfterOutput()
    else this.error(plan.blocked.message, {exit: 1, code: plan.blocked.code, suggestions: plan.blocked.suggestions})
    return result
  }
}
