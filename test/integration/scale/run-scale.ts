// Runs tsq:scale in-process against the fake Platform API, capturing stdout, stderr (including the error oclif
// would print) and the exit code the process would end with, and checks that no SENTINEL secret reached any
// of them.

import {fileURLToPath} from 'node:url'
import {format} from 'node:util'

import {Config} from '@oclif/core'
import {expect, vi} from 'vitest'

import Scale from '../../../commands/tsq/scale.js'
import type {FakeApi} from '../../helpers/fake-api.js'
import {useFakeApiEnv} from '../../helpers/fake-api-client.js'
import {SENTINEL_VALUES} from '../../helpers/scenarios.js'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
let config: Promise<Config> | undefined

export interface ScaleRun {
  stdout: string
  stderr: string
  /** What the process would exit with. */
  code: number
  /** The error the command ended with, if any (oclif prints its message, code and suggestions on stderr). */
  error: (Error & {code?: string, suggestions?: string[]}) | null
}

export async function runScale(fake: FakeApi, args: readonly string[]): Promise<ScaleRun> {
  useFakeApiEnv(fake)
  config ??= Config.load({root: ROOT})
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
  let error: ScaleRun['error'] = null
  let code = 0
  try {
    await Scale.run([...args], await config)
    code = typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (caught) {
    error = caught as NonNullable<ScaleRun['error']>
    const exit = (caught as {oclif?: {exit?: number}}).oclif?.exit
    code = typeof exit === 'number' ? exit : 1
    err.push(`Error: ${error.message}\n`, ...(error.code ? [`Code: ${error.code}\n`] : []), ...(error.suggestions ?? []).map(s => `Try this: ${s}\n`))
  } finally {
    for (const spy of spies) spy.mockRestore()
    process.exitCode = undefined
  }
  const run = {stdout: out.join(''), stderr: err.join(''), code, error}
  for (const secret of SENTINEL_VALUES) {
    expect(run.stdout, `stdout of tsq:scale ${args.join(' ')}`).not.toContain(secret)
    expect(run.stderr, `stderr of tsq:scale ${args.join(' ')}`).not.toContain(secret)
  }
  return run
}
