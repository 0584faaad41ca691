// The vocabulary of tsq:setup's plan: what it will change, what it leaves alone and why, and what stops it.
// Plain data, shared by the planner, the applier, the renderer and the JSON output.

/** Attach an add-on to the app (`POST /addon-attachments`). */
export interface AttachChange {
  kind: 'attach'
  addon: string
  service: string
  /** Attachment name (`REDIS` gives `REDIS_URL`); null = Heroku's default name for the add-on. */
  as: string | null
  /** Send `confirm` with the first request: it replaces an attachment of the same name (as redis:promote does). */
  confirm: boolean
  /** The config var the app gets from this attachment, when known. */
  configVar: string | null
  reason: string
  /** Heroku's server-side pooler (`--pooling`): sent as `pg:connection-pooling:attach` does, to the Data API. */
  pooling?: boolean
}

/** Set TSQ_* variables: the app's config vars in one PATCH, or `.env` with `--local`. */
export interface ConfigChange {
  kind: 'config'
  /** `config-vars` on Heroku, or the `.env` file (relative to --dir) with --local. */
  target: 'config-vars' | '.env'
  vars: Record<string, string>
  /** Each variable's value before the change; null when it was not set. */
  previous: Record<string, string | null>
  /** One line per variable: why this value. */
  reasons: string[]
  /** With --local: the `.env` text before (null: no file) and after. */
  file?: {name: string, before: string | null, after: string}
}

/** Write the Procfile in --dir. */
export interface FileChange {
  kind: 'procfile'
  /** File name relative to --dir. */
  file: string
  action: 'create' | 'update'
  before: string | null
  after: string
  /** Lines removed (`-`) and added (`+`), with unchanged lines (` `) for context. */
  diff: string[]
}

/** Write one of the config files tsq generates for a Rails app (config/puma.rb, config/sidekiq.yml, config/initializers/tsq.rb). */
export type SetupFileChange = Omit<FileChange, 'kind'> & {kind: 'file'}

export type SetupChange = AttachChange | ConfigChange | FileChange | SetupFileChange
export type ChangeKind = SetupChange['kind']

/** A step setup does not take, and why (already done, left to the user, not applicable). */
export interface SkippedStep {
  kind: ChangeKind
  reason: string
  /** For a Procfile left alone: what --force would change. */
  diff?: string[]
}

/** Something that keeps the app from being set up; `blocking` stops setup before any change. */
export interface SetupProblem {
  /** A doctor check id where one applies (`redis.addon`, `postgres.connections`...), else `setup.*`. */
  id: string
  message: string
  fix: string
  blocking: boolean
}

/** A warning that does not make setup fail (the doctor would say `warn`). */
export interface SetupNote {
  id: string
  message: string
  fix: string | null
}
