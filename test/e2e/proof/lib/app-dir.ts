// An app directory the way a user has one: a Procfile and a .env, here in a temp dir so tsq:setup --local
// can write to it, while the code runs from the repository (the example imports heroku-tsq/runtime by
// package self-reference). The tsq commands run as users run them: the standalone CLI, bin/run.js.
import {execFile} from 'node:child_process'
import {copyFileSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseDotenv, parseProcfile} from '../../../../src/core/model/procfile.js'
import type {DoctorReport} from '../../../../src/core/checks/doctor.js'
import {makeTempDir, removeDir} from '../../../helpers/services-common.js'

/** The repository: the nearest directory up from here with bin/run.js (also from a transpiled copy, as bench/ runs it). */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)))
export const EXAMPLE_DIR = join(ROOT, 'examples/web-worker')
export const NAIVE_DIR = join(ROOT, 'test/fixtures/naive-app')

export interface AppDir {
  dir: string
  /** The Procfile as type → command. */
  procfile(): Record<string, string>
  /** The .env values. */
  env(): Record<string, string>
  remove(): void
}

/** A temp dir with the Procfile of `codeDir` and a .env holding `vars`. */
export function makeAppDir(codeDir: string, vars: Record<string, string>): AppDir {
  const dir = makeTempDir('tsq-proof-app-')
  copyFileSync(join(codeDir, 'Procfile'), join(dir, 'Procfile'))
  writeFileSync(join(dir, '.env'), Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(''))
  return {
    dir,
    procfile: () => Object.fromEntries(parseProcfile(readFileSync(join(dir, 'Procfile'), 'utf8')).map(e => [e.type, e.command])),
    env: () => parseDotenv(readFileSync(join(dir, '.env'), 'utf8')),
    remove: () => removeDir(dir),
  }
}

export interface CliRun<T> {
  code: number
  json: T
  stderr: string
}

/** Runs `bin/run.js <args> --json` with only PATH and HOME from this process (the .env in --dir says the rest). */
export function runCli<T>(args: string[]): Promise<CliRun<T>> {
  return new Promise((done, fail) => {
    const env = {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1'}
    execFile(process.execPath, [join(ROOT, 'bin/run.js'), ...args, '--json'], {cwd: ROOT, env, timeout: 60_000},
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        try {
          done({code, json: JSON.parse(stdout) as T, stderr})
        } catch {
          fail(new Error(`tsq ${args.join(' ')} exited ${code} without a JSON document:\n${stdout}\n${stderr}`))
        }
      })
  })
}

/** `tsq:doctor --local --dir <dir> --formation <formation> --json`. */
export function doctor(dir: string, formation: string): Promise<CliRun<DoctorReport>> {
  return runCli<DoctorReport>(['tsq:doctor', '--local', '--dir', dir, '--formation', formation])
}

/** The demand the doctor predicts for a resource kind, or throws when the report has none. */
export function predicted(report: DoctorReport, kind: 'redis' | 'postgres'): number {
  const resource = report.resources.find(r => r.kind === kind)
  if (!resource) throw new Error(`the doctor's report has no ${kind} resource: ${JSON.stringify(report.resources)}`)
  return resource.demand
}

export function checkStatus(report: DoctorReport, id: string): string | undefined {
  return report.checks.find(c => c.id === id)?.status
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin/run.js'))) return dir
    if (dirname(dir) === dir) throw new Error(`no bin/run.js above ${from}`)
  }
}
