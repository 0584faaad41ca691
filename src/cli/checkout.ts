// Reads the files of an app's checkout that the Ruby models understand (spec §9), for tsq:doctor, tsq:scale
// and tsq:setup with or without --local. Only named files, only inside the directory, only small text: a file
// that is missing, binary, too large or unreadable is recorded as such and never stops a command.
import {open, stat} from 'node:fs/promises'
import {isAbsolute, join, normalize, resolve} from 'node:path'
import type {Checkout, CheckoutFile, FormationEntry} from '../core/model/app-state.js'

/** What the Ruby models read, relative to the checkout (spec §9). */
export const RUBY_FILES = ['Gemfile.lock', 'config/puma.rb', 'config/sidekiq.yml', 'config/initializers/sidekiq.rb', 'config/initializers/tsq.rb', 'config/database.yml',
  // Spec §14's holders: Action Cable, the cache, Solid Queue, GoodJob and the Active Job adapter.
  'config/cable.yml', 'config/cache.yml', 'config/queue.yml', 'config/recurring.yml', 'config/application.rb', 'config/environments/production.rb',
  'config/initializers/good_job.rb'] as const
const MAX_BYTES = 256 * 1024
/** A Ruby app's checkout has one of these; without any, the directory is not the app's checkout. */
const MARKERS = ['Gemfile', 'Gemfile.lock', 'config/application.rb']

/**
 * The checkout in `dir`, or undefined when `dir` holds no Ruby app (a Node app, or a command run elsewhere):
 * the fixed files, every `-C`/`--config` file and every script the formation's commands start with.
 */
export async function readCheckout(dir: string, formation: readonly FormationEntry[]): Promise<Checkout | undefined> {
  const root = resolve(dir)
  const markers = await Promise.all(MARKERS.map(m => stat(join(root, m)).then(s => s.isFile(), () => false)))
  if (!markers.some(Boolean)) return undefined
  const paths = new Set<string>(RUBY_FILES)
  for (const f of formation) for (const p of commandFiles(f.command ?? '')) paths.add(p)
  const files: Record<string, CheckoutFile> = {}
  await Promise.all([...paths].map(async p => {
    files[p] = await readSmallText(root, p)
  }))
  return {dir, files}
}

/** Relative paths a command names that the models may read: `-C file`, `--config file`, a first word like `bin/web`. */
export function commandFiles(command: string): string[] {
  const out: string[] = []
  const words = command.split(/\s+/).filter(Boolean).slice(0, 64)
  words.forEach((w, i) => {
    const next = words[i + 1]
    if ((w === '-C' || w === '--config') && next) out.push(next)
    const eq = /^--config=(.+)$/.exec(w)
    if (eq) out.push(eq[1]!)
  })
  for (const w of words.slice(0, 4)) if (/^(\.\/)?bin\/[\w.-]+$/.test(w)) out.push(w.replace(/^\.\//, ''))
  return out.map(p => p.replace(/^["']|["']$/g, '')).filter(p => p !== '' && !isAbsolute(p) && !normalize(p).startsWith('..'))
}

async function readSmallText(root: string, path: string): Promise<CheckoutFile> {
  let handle
  try {
    handle = await open(join(root, path), 'r')
    const info = await handle.stat()
    if (!info.isFile()) return {error: `${path} is not a file`}
    if (info.size > MAX_BYTES) return {error: `${path} is larger than ${MAX_BYTES / 1024} KiB: not read`}
    const buffer = Buffer.alloc(info.size)
    await handle.read(buffer, 0, info.size, 0)
    if (buffer.includes(0)) return {error: `${path} is binary: not read`}
    return {text: buffer.toString('utf8')}
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return {error: code === 'ENOENT' ? `${path}: not found` : `${path} could not be read (${code ?? 'error'})`}
  } finally {
    await handle?.close()
  }
}
