// Runs tsq:scale in-process against the fake Platform API (test/helpers/run-command.ts), capturing stdout,
// stderr (including the error oclif would print) and the exit code the process would end with, and checks
// that no SENTINEL secret reached any of them.
import Scale from '../../../commands/tsq/scale.js'
import type {FakeApi} from '../../helpers/fake-api.js'
import {type CommandRun, runCommand} from '../../helpers/run-command.js'

export type ScaleRun = CommandRun

export function runScale(fake: FakeApi, args: readonly string[]): Promise<ScaleRun> {
  return runCommand(Scale, args, {fake, checkSentinels: true})
}
