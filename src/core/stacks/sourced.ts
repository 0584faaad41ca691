// The vocabulary every process model speaks (spec §8): a value together with where it came from and where a
// user changes it. Readers of Ruby config files, the command reader and the stack models all return these, so
// the budget, the checks and the fixes never need to know which stack or file a number came from. Pure.

/** Where a value can be changed: a variable the app reads, a line of one of its files, or a flag of its command. */
export type Lever =
  | {kind: 'env', variable: string}
  | {kind: 'file', file: string, line: number, /** For a line to add (line 0): its text with `{n}` for the value. */ text?: string}
  | {kind: 'flag', flag: string}

/** A value of a process model and where it came from (spec §8 `sources`). */
export interface Sourced<T> {
  value: T
  /**
   * Where the value came from, as `--json`'s `sources` shows it: a variable (`WEB_CONCURRENCY`), a flag of the
   * command (`-c 20`), a file and line (`config/sidekiq.yml:2`), a library default with its version
   * (`Sidekiq 7+ default`), or `default (<form> at <file:line> could not be read)`.
   */
  source: string
  /** Where a user changes it; null when no variable, line or flag decides it (a library default). */
  lever: Lever | null
  /** Set when the value stands in for one tsq could not read, saying why: `settings` warns and no resource
   *  whose demand rests on it is better than `warn` (a guess never passes). */
  unknown?: string
}

/** A value read for certain. */
export function known<T>(value: T, source: string, lever: Lever | null = null): Sourced<T> {
  return {value, source, lever}
}

/** A default standing in for a value that could not be read (`why` names the form and where it is). */
export function assumed<T>(value: T, source: string, why: string, lever: Lever | null = null): Sourced<T> {
  return {value, source: `${source} (${why})`, lever, unknown: why}
}

/** `config/sidekiq.yml:2`. */
export function fileLine(file: string, line: number): string {
  return `${file}:${line}`
}
