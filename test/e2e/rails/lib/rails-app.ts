// The Rails example (examples/rails-sidekiq) as the proof runs it: a temp copy, bundled once per test process
// with `bundle install --local` from the installed gems, either with the guide's settings as committed or
// with the files tsq:setup generates for a Rails app written over them; migrated with `bin/rails db:migrate`
// as the app's role; its Procfile types started as dynos by the formation helper.
import {cpSync, mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {railsProcfile, railsSetupFiles} from '../../../../src/core/plans/setup/rails-templates.js'
import {copyBundled, migrateRails, readProcfile, secretKeyBase} from '../../../../scripts/lib/rails-app.js'
import {makeTempDir, removeDir} from '../../../../scripts/lib/services-common.js'

export const RAILS_EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/rails-sidekiq')

/** A random SECRET_KEY_BASE for the run (Rails refuses to boot in production without one). */
export const SECRET_KEY_BASE = secretKeyBase()

export type Variant = 'guide' | 'tsq'

export interface RailsApp {
  dir: string
  variant: Variant
  /** Procfile type -> command. */
  procfile: Record<string, string>
  remove(): void
}

let bundled: Promise<string> | null = null

/** A copy of the example with its bundle resolved (`bundle install --local`), made once per test process. */
function bundledBase(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(makeTempDir('tsq-rails-base-'), 'app')
    await copyBundled(RAILS_EXAMPLE_DIR, dir)
    return dir
  })()
  return bundled
}

/** A fresh copy of the bundled example; for `tsq`, with the Procfile and config files tsq:setup generates. */
export async function prepareRailsApp(variant: Variant): Promise<RailsApp> {
  const base = await bundledBase()
  const root = makeTempDir(`tsq-rails-${variant}-`)
  const dir = join(root, 'app')
  cpSync(base, dir, {recursive: true})
  if (variant === 'tsq') {
    writeFileSync(join(dir, 'Procfile'), railsProcfile({release: true}))
    for (const file of railsSetupFiles()) {
      mkdirSync(dirname(join(dir, file.path)), {recursive: true})
      writeFileSync(join(dir, file.path), file.content)
    }
  }
  return {dir, variant, procfile: readProcfile(dir), remove: () => removeDir(root)}
}

/** The release phase: `bin/rails db:migrate` with the app's environment. */
export async function migrate(app: RailsApp, env: Record<string, string>): Promise<void> {
  await migrateRails(app.dir, env)
}
