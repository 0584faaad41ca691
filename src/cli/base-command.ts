// The base of every tsq command: JSON output, and every output path (stdout, stderr, JSON, errors) scrubbed
// by one Redactor that knows the secrets of the environment and of every config var the command has read.
import {Command} from '@heroku-cli/command'
import {Errors, ux} from '@oclif/core'
import type {AppState} from '../core/model/app-state.js'
import {type DynoSizes, dynoSizesFallbackWarning} from '../core/model/dyno-sizes.js'
import {Redactor} from '../core/model/redact.js'
import {type Platform, createPlatform, inspectApp} from '../platform/index.js'
import {errorDocument} from './error-document.js'

export abstract class TsqCommand extends Command {
  static override enableJsonFlag = true
  static override baseFlags = Command.baseFlagsWithoutPrompt()

  protected readonly redactor = new Redactor()
  private platformClient: Platform | undefined

  public override async init(): Promise<void> {
    this.redactor.addVars(process.env)
    await super.init()
    const token = this.heroku.auth
    if (token) this.redactor.add([token])
  }

  /**
   * The command's one Platform API client. Each request is bounded by TSQ_API_TIMEOUT seconds (default 20): a
   * knob for slow networks, and what lets tests see a timeout in a second.
   */
  protected platform(): Platform {
    this.platformClient ??= createPlatform(this.heroku, {timeoutMs: apiTimeoutMs(process.env.TSQ_API_TIMEOUT)})
    return this.platformClient
  }

  /** Makes the secrets of these config vars unprintable for the rest of the command. */
  protected learnSecrets(vars: Readonly<Record<string, string | null | undefined>>): void {
    this.redactor.addVars(vars)
  }

  /** Makes the secrets of an app's config vars, and of the apps sharing its add-ons, unprintable. */
  protected learnStateSecrets(state: AppState): void {
    this.learnSecrets(state.config)
    for (const s of Object.values(state.sharing).flat()) if (s.config) this.learnSecrets(s.config)
  }

  /**
   * Reads an app from the Platform API behind a spinner on stderr (with its stages on a terminal) and learns
   * every secret it holds; a missing app is an error naming the flags that give one.
   */
  protected async inspect(app: string | undefined, options: {label?: string, platform?: Platform, dynoSizes?: DynoSizes} = {}): Promise<AppState> {
    if (!app) this.error('No app specified: use -a APP or -r REMOTE (or --local for a local directory)', {exit: 1})
    ux.action.start(`${options.label ?? 'Inspecting'} ⬢ ${app}`, undefined, {stdout: false})
    // Stage messages only on a terminal: without one the spinner prints each status on the same line.
    const onProgress = process.stderr.isTTY ? (e: {message: string}) => {
      ux.action.status = e.message
    } : undefined
    const state = await inspectApp(options.platform ?? this.platform(), app, {onProgress, dynoSizes: options.dynoSizes})
    ux.action.stop()
    this.learnStateSecrets(state)
    if (state.dynoSizes?.fallback) this.warnAlways(dynoSizesFallbackWarning(state.dynoSizes.fallback))
    return state
  }

  public override log(message = '', ...args: unknown[]): void {
    super.log(this.redactor.text(String(message)), ...args.map(a => this.scrub(a)))
  }

  public override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(this.redactor.text(String(message)), ...args.map(a => this.scrub(a)))
  }

  public override warn(input: string | Error): string | Error {
    return super.warn(typeof input === 'string' ? this.redactor.text(input) : this.scrubError(input))
  }

  /**
   * A redacted warning on stderr in human and in --json mode alike: oclif mutes `this.warn` under --json, but
   * some warnings still belong on stderr (stdout stays one JSON document).
   */
  protected warnAlways(message: string): void {
    Errors.warn(this.redactor.text(message))
  }

  /**
   * Makes the process exit 1 once the command has returned and its output is printed. Setting the exit code
   * instead of throwing keeps the `--json` document the command's result (an oclif exit error would replace it
   * with an error document); oclif and the heroku CLI both leave process.exitCode as it is.
   */
  protected failAfterOutput(): void {
    process.exitCode = 1
  }

  protected override toSuccessJson(result: unknown): unknown {
    return this.redactor.value(result)
  }

  /** Only message, code and suggestions: an error may hold anything (oclif's parse errors hold this command). */
  protected override toErrorJson(err: unknown): unknown {
    return errorDocument(err, text => this.redactor.text(text))
  }

  /**
   * Every failure ends here. Under --json: exactly one error document on stdout, the message on stderr, exit 1
   * (§1). A running spinner holds stdout back until it stops, so it is stopped first in both modes.
   */
  protected override async catch(err: Error & {exitCode?: number, oclif?: {exit?: number}}): Promise<unknown> {
    if (ux.action.running) ux.action.stop('!')
    if (err?.oclif?.exit === 0) return super.catch(err as Errors.CLIError)
    if (this.jsonEnabled()) {
      const document = errorDocument(err, text => this.redactor.text(text))
      process.exitCode = 1
      this.logJson(document)
      ux.stderr(`Error: ${document.error.message}`)
      return undefined
    }
    const scrubbed = this.scrubError(err)
    // oclif prints `<name>: <message>`; users of `heroku` expect `Error: ...` whatever class raised it.
    scrubbed.name = 'Error'
    return super.catch(scrubbed as Errors.CLIError)
  }

  private scrub(value: unknown): unknown {
    return typeof value === 'string' ? this.redactor.text(value) : value
  }

  private scrubError<E extends Error>(err: E): E {
    err.message = this.redactor.text(err.message)
    if (err.stack) err.stack = this.redactor.text(err.stack)
    const withSuggestions = err as E & {suggestions?: string[]}
    if (Array.isArray(withSuggestions.suggestions)) withSuggestions.suggestions = withSuggestions.suggestions.map(s => this.redactor.text(s))
    return err
  }
}

/** TSQ_API_TIMEOUT (seconds, fractions allowed) as ms; unset or empty gives the client's default. */
export function apiTimeoutMs(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const seconds = Number(value)
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new Errors.CLIError(`TSQ_API_TIMEOUT must be a number of seconds from 0 to 600, not "${value.slice(0, 40)}".`, {exit: 1, code: 'invalid_setting'})
  }
  return Math.round(seconds * 1000)
}
