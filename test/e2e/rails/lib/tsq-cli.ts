// tsq's own commands on the Rails example, run as a user runs them in the app's checkout: `bin/run.js`
// (the plugin standalone, built) with `--local --dir <app>`, in an isolated sandbox whose environment holds
// nothing of this process's (so only the app's .env speaks). `--local` sends no Platform API request.
import {type HerokuSandbox, createHerokuSandbox} from '../../../helpers/heroku-cli.js'
import type {DoctorReport} from '../../../../src/core/checks/doctor.js'

export interface TsqRun {
  code: number
  stdout: string
  stderr: string
}

export interface DoctorRun extends TsqRun {
  report: DoctorReport
}

export class TsqCli {
  private constructor(private readonly sandbox: HerokuSandbox) {}

  /** A sandbox for the standalone CLI; `--local` never reaches its (unreachable) API. */
  static async create(): Promise<TsqCli> {
    return new TsqCli(await createHerokuSandbox({apiUrl: 'http://127.0.0.1:9', apiKey: 'unused-with-local', link: false}))
  }

  async run(args: readonly string[]): Promise<TsqRun> {
    const r = await this.sandbox.standalone(args, {timeoutMs: 60_000})
    return {code: r.exitCode, stdout: r.stdout, stderr: r.stderr}
  }

  /** `tsq:doctor --local --json --dir DIR --formation F`; the report must be JSON whatever the exit code. */
  async doctor(dir: string, formation: string): Promise<DoctorRun> {
    const r = await this.run(['tsq:doctor', '--local', '--json', '--dir', dir, '--formation', formation])
    let report: DoctorReport
    try {
      report = JSON.parse(r.stdout) as DoctorReport
    } catch {
      throw new Error(`tsq:doctor --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
    }
    return {...r, report}
  }

  /** `tsq:setup --local --force --dir DIR --formation F` (writes the files and .env). */
  setup(dir: string, formation: string): Promise<TsqRun> {
    return this.run(['tsq:setup', '--local', '--force', '--dir', dir, '--formation', formation])
  }

  cleanup(): void {
    this.sandbox.cleanup()
  }
}

/** Per process type: what the doctor's `processes[]` say it opens in all, dynos × processes × per process. */
export function doctorDemand(report: DoctorReport): {postgres: Record<string, number>, redis: Record<string, number>} {
  const postgres: Record<string, number> = {}
  const redis: Record<string, number> = {}
  for (const p of report.processes) {
    postgres[p.type] = p.dynos * p.processesPerDyno * p.dbPool
    redis[p.type] = p.dynos * p.processesPerDyno * p.redisConnections
  }
  return {postgres, redis}
}
