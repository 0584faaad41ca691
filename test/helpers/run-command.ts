// Runs an oclif command class inside the test process, as `bin/run.js` would: a real oclif Config for this
// package, argv parsing, the command's own init/catch, stdout and stderr captured (including what oclif
// would print for an error: message, code, suggestions), and the exit code the process would end with
// (process.exitCode or an oclif exit error), which is then restored. Env vars are set for the run only.
import {fileURLToPath} from 'node:url'
import {format} from 'node:util'

import {Config} from '@oclif/core'
import {expect, vi} from 'vitest'

import type {FakeApi} from './fake-api.js'
import {fakeApiEnv} from './fake-api-client.js'
import {SENTINEL_VALUES} from './scenarios.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
let config: Promise<Config> | undefined

/** A concrete command class (`Doctor`, `Scale`...). */
export type CommandClass = {run(argv?: string[], opts?: Config): Promise<unknown>}

export type Env = Readonly<Record<string, string | undefined>>

export interface RunCommandOptions {
  /** Env vars for the run only (undefined unsets one); applied after `fake`'s. */
  env?: Env
  /** Point HEROKU_HOST, HEROKU_DATA_HOST and HEROKU_API_KEY at this fake Platform API for the run. */
  fake?: Pick<FakeApi, 'url' | 'state'> | null
  /** Fail the test if any SENTINEL secret reaches stdout or stderr. Default false. */
  checkSentinels?: boolean
}

export interface CommandRun {
  stdout: string
  stderr: string
  /** What the process would exit with. */
  code: number
  /** The error the command ended with, if any (oclif prints its message, code and suggestions on stderr). */
  error: (Error & {code?: string, suggestions?: string[]}) | null
}

/** Runs `command` with `argv` in-process and returns what it printed and the exit code it would end with. */
export async function runCommand(command: CommandClass, argv: readonly string[], options: RunCommandOptions = {}): Promise<CommandRun> {
  config ??= Config.load({root: ROOT})
  const loaded = await config
  const env = {...(options.fake ? fakeApiEnv(options.fake) : {}), ...options.env}
  const saved = Object.fromEntries(Object.keys(env).map(k => [k, process.env[k]]))
  setEnv(env)
  const out: string[] = []
  const err: string[] = []
  const capture = (into: string[]) => (chunk: unknown) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
    return true
  }
  // oclif writes through console.log / console.error; the spinner keeps its own handle on the streams.
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture(out) as typeof process.stdout.write),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture(err) as typeof process.stderr.write),
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void capture(out)(`${format(...a)}\n`)),
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void capture(err)(`${format(...a)}\n`)),
  ]
  const before = process.exitCode
  process.exitCode = undefined
  let error: CommandRun['error'] = null
  let code = 0
  try {
    await command.run([...argv], loaded)
    code = typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (caught) {
    error = caught as NonNullable<CommandRun['error']>
    const exit = (caught as {oclif?: {exit?: number}}).oclif?.exit
    code = typeof exit === 'number' ? exit : 1
    err.push(`Error: ${error.message}\n`, ...(error.code ? [`Code: ${error.code}\n`] : []), ...(error.suggestions ?? []).map(s => `Try this: ${s}\n`))
  } finally {
    for (const spy of spies) spy.mockRestore()
    process.exitCode = before
    setEnv(saved)
  }
  const run = {stdout: out.join(''), stderr: err.join(''), code, error}
  if (options.checkSentinels) {
    for (const secret of SENTINEL_VALUES) {
      expect(run.stdout, `stdout of ${argv.join(' ')}`).not.toContain(secret)
      expect(run.stderr, `stderr of ${argv.join(' ')}`).not.toContain(secret)
    }
  }
  return run
}

function setEnv(env: Env): void {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
}
