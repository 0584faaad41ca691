// Runs tsq:setup (or another tsq command) in-process against the fake Platform API through the shared
// runner (test/helpers/run-command.ts): stdout, stderr (including what oclif prints for an error: message,
// code, suggestions) and the exit code the process would end with, checked for SENTINEL secrets.
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach} from 'vitest'
import Setup from '../../../commands/tsq/setup.js'
import type {SetupResult} from '../../../src/render/setup.js'
import type {FakeApi} from '../../helpers/fake-api.js'
import {type CommandClass, type CommandRun, runCommand as runInProcess} from '../../helpers/run-command.js'

export type {CommandRun}

/** Runs `command` against `fake` (null leaves the env as it is), failing on any SENTINEL secret in its output. */
export function runCommand(command: CommandClass, argv: readonly string[], fake: FakeApi | null): Promise<CommandRun> {
  return runInProcess(command, argv, {fake, checkSentinels: true})
}

export function runSetup(fake: FakeApi | null, argv: readonly string[]): Promise<CommandRun> {
  return runCommand(Setup, argv, fake)
}

/** tsq:setup --json: the run and its parsed document (stdout must be exactly one JSON document). */
export async function runSetupJson(fake: FakeApi | null, argv: readonly string[]): Promise<CommandRun & {json: SetupResult}> {
  const run = await runSetup(fake, [...argv, '--json'])
  return {...run, json: JSON.parse(run.stdout) as SetupResult}
}

export interface AppDir {
  dir: string
  read(name: string): string | null
  list(): string[]
  remove(): void
}

/** A temporary app directory holding these files; `remove()` when done. */
export function appDir(files: Record<string, string>): AppDir {
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

/**
 * Registers the afterEach that removes every app directory the test made; returns the function that makes one,
 * holding `files` (or `defaults` when none are given).
 */
export function useAppDirs(defaults: Record<string, string> = {}): (files?: Record<string, string>) => AppDir {
  const dirs: AppDir[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove()
  })
  return (files = defaults) => {
    const d = appDir(files)
    dirs.push(d)
    return d
  }
}

/** A package.json whose scripts give `web: npm start` and `worker: npm run worker`. */
export const PACKAGE_JSON = JSON.stringify({name: 'example-app', scripts: {start: 'node dist/web.js', worker: 'node dist/worker.js'}})
export const PROCFILE = 'web: npm start\nworker: npm run worker\n'
