// Odd local files for `--local`: a Procfile that defines a type twice is counted once (last wins, with a
// warning); a --dir that is a file is a clear "not a directory" for every command that takes --dir.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import Doctor from '../../../commands/tsq/doctor.js'
import Setup from '../../../commands/tsq/setup.js'
import {readLocalApp} from '../../../src/cli/local.js'
import {expectErrorDocument} from '../../helpers/json-error.js'
import {runCommand} from '../../helpers/run-command.js'

const temps: string[] = []
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, {recursive: true, force: true})
})

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsq-local-'))
  temps.push(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

describe('a Procfile that defines a type twice', () => {
  it('is read as one process type per name, with a warning naming the duplicate line', async () => {
    const dir = tempDir({Procfile: 'web: node web.js\r\nworker: node a.js\r\nworker: node b.js\r\n'})
    const local = await readLocalApp({dir, env: {}})
    expect(local.state.formation.map(p => [p.type, p.command])).toEqual([['web', 'node web.js'], ['worker', 'node b.js']])
    expect(local.warnings).toEqual(['Procfile line 3 defines worker again (first on line 2): the last definition wins, as on Heroku'])
  })
})

describe('--dir that is a file', () => {
  it('readLocalApp: "not a directory", not a raw ENOTDIR', async () => {
    const file = join(tempDir({x: ''}), 'x')
    await expect(readLocalApp({dir: file, env: {}})).rejects.toThrow(`--dir ${file} is not a directory`)
  })

  it.each([
    ['tsq:doctor --local', Doctor],
    ['tsq:setup --local', Setup],
  ] as const)('%s --dir FILE --json: one error document saying it is not a directory', async (_name, command) => {
    const file = join(tempDir({x: ''}), 'x')
    const run = await runCommand(command, ['--local', '--dir', file, '--json'], {env: {HEROKU_APP: undefined}})
    const error = expectErrorDocument({...run, exitCode: run.code})
    expect(error.message).toContain(`--dir ${file} is not a directory`)
    expect(error.message).not.toContain('ENOTDIR')
  })
})
