// Runs an oclif command class inside the test process, as `bin/run.js` would: a real oclif Config for this
// package, argv parsing, the command's own init/catch, stdout and stderr captured (including what oclif
// would print for an error: message, code, suggestions), and the exit code the process would end with
// (process.exitCode or an oclif exit error), which is then reset. Env vars are set for the run only.
import {fileURLToPath} from 'node:url'
import {format} from 'node:util'
import {Config} from '@oclif/core'
import {vi} from 'vitest'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
let config: Promise<Config> | undefined

export interface InProcessResult {
  stdout: string
  stderr: string
  exitCode: number
}

/** A concrete command class (`Doctor`, `Scale`...). */
type CommandClass = {run(argv?: string[], opts?: Config): Promise<unknown>}

export async function runInProcess(command: CommandClass, argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): Promise<InProcessResult> {
  config ??= Config.load({root: ROOT})
  const loaded = await config
  const saved = Object.fromEntries(Object.keys(env).map(k => [k, process.env[k]]))
  setEnv(env)
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
  const before = process.exitCode
  process.exitCode = undefined
  let exitCode = 0
  try {
    await command.run([...argv], loaded)
    exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (caught) {
    const e = caught as Error & {oclif?: {exit?: number}, code?: string, suggestions?: string[]}
    exitCode = typeof e.oclif?.exit === 'number' ? e.oclif.exit : 1
    err.push(`Error: ${e.message}\n`, ...(e.code ? [`Code: ${e.code}\n`] : []), ...(e.suggestions ?? []).map(s => `Try this: ${s}\n`))
  } finally {
    for (const spy of spies) spy.mockRestore()
    process.exitCode = before
    setEnv(saved)
  }
  return {stdout: out.join(''), stderr: err.join(''), exitCode}
}

function setEnv(env: Readonly<Record<string, string | undefined>>): void {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
}
