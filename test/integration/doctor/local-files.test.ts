// Odd local files for `--local`: a Procfile that defines a type twice is counted once (last wins, with a
// warning); a --dir that is a file is a clear "not a directory" for every command that takes --dir.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {readLocalApp} from '../../../src/cli/local.js'

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
