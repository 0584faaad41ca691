// Runs tsq:setup (or another tsq command) in-process against the fake Platform API, as bin/run.js would:
// a real oclif Config, argv parsing, the command's init/catch. Captures stdout, stderr (including what oclif
// prints for an error: message, code, suggestions) and the exit code the process would end with, and
// checks that no SENTINEL secret reached any of them.
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {format} from 'node:util'
import {Config} from '@oclif/core'
import {expect, vi} from 'vitest'
import Setup from '../../../commands/tsq/setup.js'
import type {SetupResult} from '../../../src/render/setup.js'
import type {FakeApi} from '../../helpers/fake-api.js'
import {useFakeApiEnv} from '../../helpers/fake-api-client.js'
import {SENTINEL_VALUES} from '../../helpers/scenarios.js'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
let config: Promise<Config> | undefined

export interface CommandRun {
  stdout: string
  stderr: string
  /** What the process would exit with. */
  code: number
}

type CommandClass = {run(argv?: string[], opts?: Config): Promise<unknown>}

export async function runCommand(command: CommandClass, argv: readonly string[], fake: FakeApi | null): Promise<CommandRun> {
  if (fake) useFakeApiEnv(fake)
  config ??= Config.load({root: ROOT})
  const out: string[] = []
  const err: string[] = []
  const capture = (into: string[]) => (chunk: unknown) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
    return true
  }
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture(out) as typeof process.stdout.write),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture(err) as typeof process.stderr.write),
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void capture(out)(`${format(...a)}\n`)),
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void capture(err)(`${format(...a)}\n`)),
  ]
  process.exitCode = undefined
  let code = 0
  try {
    await command.run([...argv], await config)
    code = typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (caught) {
    const e = caught as Error & {oclif?: {exit?: number}, code?: string, suggestions?: string[]}
    code = typeof e.oclif?.exit === 'number' ? e.oclif.exit : 1
    err.push(`Error: ${e.message}\n`, ...(e.code ? [`Code: ${e.code}\n`] : []), ...(e.suggestions ?? []).map(s => `Try this: ${s}\n`))
  } finally {
    for (const spy of spies) spy.mockRestore()
    process.exitCode = undefined
  }
  const run = {stdout: out.join(''), stderr: err.join(''), code}
  for (const secret of SENTINEL_VALUES) {
    expect(run.stdout, `stdout of ${argv.join(' ')}`).not.toContain(secret)
    expect(run.stderr, `stderr of ${argv.join(' ')}`).not.toContain(secret)
  }
  return run
}

export function runSetup(fake: FakeApi | null, argv: readonly string[]): Promise<CommandRun> {
  return runCommand(Setup, argv, fake)
}

/** tsq:setup --json: the run and its parsed document (stdout must be exactly one JSON document). */
export async function runSetupJson(fake: FakeApi | null, argv: readonly string[]): Promise<CommandRun & {json: SetupResult}> {
  const run = await runSetup(fake, [...argv, '--json'])
  return {...run, json: JSON.parse(run.stdout) as SetupResult}
}

/** A temporary app directory holding these files; `remove()` when done. */
export function appDir(files: Record<string, string>): {dir: string, read(name: string): string | null, list(): string[], remove(): void} {
  const dir = mkdtempSync(join(tmpdir(), 'tsq-setup-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return {
    dir,
    read: name => {
      try {
        return readFileSync(join(dir, name), 'utf8')
      } catch {
        return null
      }
    },
    list: () => readdirSync(dir).sort(),
    remove: () => rmSync(dir, {recursive: true, force: true}),
  }
}

/** A package.json whose scripts give `web: npm start` and `worker: npm run worker`. */
export const PACKAGE_JSON = JSON.stringify({name: 'example-app', scripts: {start: 'node dist/web.js', worker: 'node dist/worker.js'}})
export const PROCFILE = 'web: npm start\nworker: npm run worker\n'
