// The output directory of `tsq:export`: reads the unit files an export could touch, and writes a plan's
// files atomically (setup's writeFileAtomic: a reader — systemd included — sees the old file or the new one).
import {mkdir, readFile, readdir, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {isUnitName} from '../core/plans/export/systemd.js'
import type {UnitFilesPlan} from '../core/plans/export/unit-files.js'
import {writeFileAtomic} from './setup-files.js'

/** The files of `dir` named like `app`'s units, with their text; empty when the directory does not exist. */
export async function readUnitDir(dir: string, app: string): Promise<Map<string, string>> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
    throw error
  }
  const units = names.filter(n => isUnitName(app, n)).sort()
  const texts = await Promise.all(units.map(n => readFile(join(dir, n), 'utf8')))
  return new Map(units.map((n, i) => [n, texts[i]!]))
}

export interface WriteOutcome {
  written: string[]
  removed: string[]
}

/**
 * Writes every created or updated file (services first, the target last, so the target never wants a unit
 * that is not there yet) and, with `removeStale`, deletes the stale units. Creates `dir` when missing.
 */
export async function writeUnitFiles(dir: string, plan: UnitFilesPlan, removeStale: boolean): Promise<WriteOutcome> {
  await mkdir(dir, {recursive: true})
  const written: string[] = []
  const changed = plan.files.filter(f => f.action !== 'unchanged')
  const ordered = [...changed.filter(f => !f.name.endsWith('.target')), ...changed.filter(f => f.name.endsWith('.target'))]
  for (const f of ordered) {
    await writeFileAtomic(join(dir, f.name), f.text)
    written.push(f.name)
  }
  const removed: string[] = []
  if (removeStale) {
    for (const name of plan.stale) {
      await rm(join(dir, name), {force: true})
      removed.push(name)
    }
  }
  return {written, removed}
}
