// tsq:doctor's tests run commands through the shared in-process runner (test/helpers/run-command.ts) and read
// the exit code as `exitCode`. Env vars are set for the run only.
import {type CommandClass, type Env, runCommand} from '../../helpers/run-command.js'

export interface InProcessResult {
  stdout: string
  stderr: string
  exitCode: number
}

export async function runInProcess(command: CommandClass, argv: readonly string[], env: Env = {}): Promise<InProcessResult> {
  const {stdout, stderr, code} = await runCommand(command, argv, {env})
  return {stdout, stderr, exitCode: code}
}
