// Every failure of a Heroku API call becomes one PlatformError: what went wrong, Heroku's own message, and
// what to do. oclif prints `message`, `code` and `suggestions` of any Error, so commands just let it throw.

import {printable} from '../core/model/printable.js'
import {redactFreeText, redactUrl} from '../core/model/redact.js'

export type PlatformErrorKind =
  | 'unauthorized' | 'forbidden' | 'not_found' | 'invalid' | 'confirmation_required' | 'rate_limited'
  | 'server' | 'timeout' | 'unreachable' | 'http' | 'paging' | 'unreadable'

export interface PlatformErrorInit {
  kind: PlatformErrorKind
  message: string
  hint: string
  status?: number | null
  /** Heroku's error id (`forbidden`, `invalid_params`...). */
  id?: string | null
  herokuMessage?: string | null
  method: string
  path: string
  attempts: number
  /** The request changes something and its answer was lost: it may have been applied. */
  mayHaveApplied?: boolean
}

export class PlatformError extends Error {
  readonly kind: PlatformErrorKind
  readonly status: number | null
  readonly id: string | null
  /** Heroku's own message, passed through (secrets masked). */
  readonly herokuMessage: string | null
  readonly hint: string
  /** Shown by oclif as `Code:`. */
  readonly code: string
  /** Shown by oclif as `Try this:`. */
  readonly suggestions: string[]
  readonly method: string
  readonly path: string
  /** How many times the request was sent. */
  readonly attempts: number
  /** True when a mutating request's answer was lost (timeout, reset, unreadable body): it may have been applied. */
  readonly mayHaveApplied: boolean

  constructor(init: PlatformErrorInit) {
    super(init.message)
    // oclif prints `<name>: <message>`; "Error: ..." reads like every other heroku command.
    this.name = 'Error'
    this.kind = init.kind
    this.status = init.status ?? null
    this.id = init.id ?? null
    this.herokuMessage = init.herokuMessage ?? null
    this.hint = init.hint
    this.mayHaveApplied = init.mayHaveApplied ?? false
    this.code = this.mayHaveApplied ? 'unknown_outcome' : init.id ?? init.kind
    this.suggestions = [init.hint]
    this.method = init.method
    this.path = init.path
    this.attempts = init.attempts
  }
}

export function isPlatformError(error: unknown): error is PlatformError {
  return error instanceof PlatformError
}

/** What a request path is about, for messages: `app demo`, `add-on redis-x`, `database postgresql-y`. */
export function describeTarget(path: string): {kind: 'app' | 'add-on' | 'database' | 'resource', name: string | null} {
  const parts = path.split('?')[0]!.split('/').filter(Boolean).map(safeDecode)
  if (parts[0] === 'apps' && parts[1]) return {kind: 'app', name: parts[1]}
  if (parts[0] === 'addons' && parts[1]) return {kind: 'add-on', name: parts[1]}
  if (parts[0] === 'client' && parts[3]) return {kind: 'database', name: parts[3]}
  return {kind: 'resource', name: null}
}

const LIST_NAMES: Record<string, string> = {
  addons: 'add-ons', 'addon-attachments': 'add-on attachments', formation: 'process types', releases: 'releases',
  'config-vars': 'config vars', 'dyno-sizes': 'dyno sizes', dynos: 'dynos',
}
const OWNER_NAMES: Record<string, string> = {apps: 'app', addons: 'add-on'}

/** What a list path holds, for messages: `add-ons of app demo`, `add-on attachments`. */
export function describeList(path: string): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean).map(safeDecode)
  const last = parts.at(-1) ?? path
  const what = LIST_NAMES[last] ?? last
  const owner = parts.length >= 3 && parts[0] ? OWNER_NAMES[parts[0]] : undefined
  return owner ? `${what} of ${owner} ${parts[1]}` : what
}

export type PagingFault = 'repeated' | 'empty' | 'too_many' | 'too_slow'

/** The PlatformError for a list that cannot be read to its end: the list is named, the request and the page. */
export function errorFromPaging(input: {fault: PagingFault, path: string, page: number, maxPages: number, limitMs: number, range?: string}): PlatformError {
  const {fault, path, page} = input
  const list = `Heroku's list of ${describeList(path)}`
  const at = `GET ${path}`
  const message = fault === 'repeated' ? `${list} repeated the page range ${JSON.stringify(printable(input.range ?? '', 80))} (${at}, page ${page}): stopped reading it.`
    : fault === 'empty' ? `${list} sent an empty page that says more follow (${at}, page ${page}): stopped reading it.`
      : fault === 'too_many' ? `${list} has more than ${input.maxPages} pages (${at}): stopped reading it.`
        : `${list} was not complete within ${seconds(input.limitMs)} s (${at}, ${page} page(s) read).`
  return new PlatformError({kind: fault === 'too_slow' ? 'timeout' : 'paging', method: 'GET', path, attempts: page, message,
    hint: 'The Heroku API did not finish the list: check https://status.heroku.com and run the command again (HEROKU_DEBUG=1 shows the exchange).'})
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10
}

export interface HttpFailure {
  status: number
  body: unknown
  method: string
  path: string
  attempts: number
  /** For a mutation: the heroku command that shows whether it was applied. Default: from the path. */
  check?: string
}

/** Longest message of Heroku's tsq passes through, in characters. */
export const MAX_HEROKU_MESSAGE = 300

/**
 * Server text (an error message, a warning header) as it may reach a terminal: no escape sequences or control
 * characters, no URL password or token (`scrub`), at most MAX_HEROKU_MESSAGE characters; '' when nothing is left.
 */
export function printableServerText(raw: string, scrub: (s: string) => string = s => s): string {
  // Cut before redacting too: a 10 MB header is not worth scanning for URLs.
  return printable(redactFreeText(scrub(raw.slice(0, 10 * MAX_HEROKU_MESSAGE))).trim(), MAX_HEROKU_MESSAGE)
}

/** The PlatformError for an HTTP error response. */
export function errorFromResponse(failure: HttpFailure, scrub: (s: string) => string = s => s): PlatformError {
  const {status, method, path, attempts} = failure
  const body = isRecord(failure.body) ? failure.body : {}
  const id = typeof body.id === 'string' ? body.id : null
  const raw = typeof body.message === 'string' ? body.message : typeof failure.body === 'string' ? failure.body : null
  // Server text reaches a terminal: no escape sequences or control characters, and a bounded length.
  const herokuMessage = raw ? printableServerText(raw, scrub) || null : null
  const target = describeTarget(path)
  const named = target.name ? `${target.kind} ${target.name}` : 'the resource'
  const common = {status, id, herokuMessage, method, path, attempts}
  const heroku = herokuMessage ? ` Heroku says: ${herokuMessage}` : ''

  if (status === 401) {
    return new PlatformError({...common, kind: 'unauthorized', message: `Heroku rejected the API token (401).${heroku}`,
      hint: 'Run `heroku login`, or set HEROKU_API_KEY to a valid token (`heroku authorizations:create`).'})
  }
  if (status === 403) {
    return new PlatformError({...common, kind: 'forbidden', message: `You do not have access to ${named} (403).${heroku}`,
      hint: target.kind === 'app' ? `Ask an owner of ${target.name} to add you as a collaborator, or pass another app with -a APP.`
        : `Ask an owner of ${named} for access.`})
  }
  if (status === 404) {
    return new PlatformError({...common, kind: 'not_found', message: `Heroku could not find ${named} (404).${heroku}`,
      hint: target.kind === 'app' ? 'Check the app name with `heroku apps`, and pass it with -a APP.'
        : target.kind === 'add-on' || target.kind === 'database' ? 'Check the add-on name with `heroku addons -a APP`.'
          : 'Check the name you passed; `heroku apps` and `heroku addons` list what exists.'})
  }
  if (id === 'confirmation_required') {
    return new PlatformError({...common, kind: 'confirmation_required', message: herokuMessage ?? 'Heroku asks for confirmation.',
      hint: 'Run the command again with confirmation, or make the change with the heroku CLI.'})
  }
  if (status === 429) {
    return new PlatformError({...common, kind: 'rate_limited',
      message: `Heroku API rate limit reached: ${method} ${path} was refused ${attempts} time(s).${heroku}`,
      hint: 'Wait a minute for the rate limit to refill (`heroku api GET /account/rate-limits` shows what is left), then run the command again.'})
  }
  if (status >= 500) {
    return new PlatformError({...common, kind: 'server',
      message: `Heroku API error ${status} on ${method} ${path} after ${attempts} attempt(s).${heroku}`,
      hint: method === 'GET' ? 'Heroku may be having trouble: check https://status.heroku.com and run the command again.'
        : `The change may or may not have been applied: run \`${failure.check ?? checkCommand(path)}\` to see what happened before retrying; see https://status.heroku.com.`})
  }
  if (status === 422 || status === 400) {
    return new PlatformError({...common, kind: 'invalid', message: herokuMessage ?? `Heroku refused ${method} ${path} (${status}).`,
      hint: 'Correct the value Heroku names above and run the command again.'})
  }
  return new PlatformError({...common, kind: 'http', message: `Heroku API answered ${status} to ${method} ${path}.${heroku}`,
    hint: 'Run the command again with HEROKU_DEBUG=1 to see the exchange.'})
}

export interface NetworkFailure {
  /** Node's error code (`ECONNREFUSED`, `ENOTFOUND`...), null when unknown. */
  code: string | null
  /** Set when the request timed out. */
  timeoutMs: number | null
  method: string
  path: string
  host: string
  /** The environment variable that selects `host`. */
  variable: 'HEROKU_HOST' | 'HEROKU_DATA_HOST'
  attempts: number
  /** For a mutating request: the command that shows whether it was applied (`heroku ps -a APP`). */
  check?: string
}

// The connection was never made, so the request was never delivered.
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'])

/** The PlatformError for a request that never got a (whole) response. */
export function errorFromNetwork(input: NetworkFailure): PlatformError {
  const {method, path, attempts, variable} = input
  const host = redactUrl(input.host)
  const mutation = method !== 'GET'
  const check = input.check ?? checkCommand(path)
  if (input.timeoutMs !== null) {
    const message = `No answer from ${host} within ${seconds(input.timeoutMs)} s (${method} ${path})`
    return mutation
      ? new PlatformError({kind: 'timeout', method, path, attempts, mayHaveApplied: true,
        message: `${message}: the change may have been applied.`, hint: lostAnswerHint(check)})
      : new PlatformError({kind: 'timeout', method, path, attempts, message: `${message}.`,
        hint: `Check your network and https://status.heroku.com, then run the command again (${variable} selects the host).`})
  }
  const reason = input.code === 'ENOTFOUND' || input.code === 'EAI_AGAIN' ? 'its name does not resolve' : input.code ?? 'connection failed'
  if (mutation && !NOT_DELIVERED.has(input.code ?? '')) {
    return new PlatformError({kind: 'unreachable', method, path, attempts, mayHaveApplied: true,
      message: `The connection to ${host} broke before Heroku answered ${method} ${path} (${reason}): the change may have been applied.`,
      hint: lostAnswerHint(check)})
  }
  return new PlatformError({kind: 'unreachable', method, path, attempts,
    message: `Could not reach the Heroku API at ${host} (${reason}).`,
    hint: `Check your network connection, and ${variable} if you set it.`})
}

/**
 * The PlatformError for a 2xx answer tsq cannot read (invalid JSON, or not the shape expected). For a mutation the
 * change may have been applied; nothing is ever done with the answer.
 */
export function errorFromUnreadable(input: {method: string, path: string, attempts: number, what: string, check?: string}): PlatformError {
  const {method, path, attempts} = input
  const mutation = method !== 'GET'
  return new PlatformError({kind: 'unreadable', method, path, attempts, mayHaveApplied: mutation,
    message: `Heroku answered ${method} ${path} with ${input.what}${mutation ? ': the change may have been applied.' : '.'}`,
    hint: mutation ? lostAnswerHint(input.check ?? checkCommand(path))
      : 'The Heroku API sent an answer tsq cannot read: check https://status.heroku.com and run the command again (HEROKU_DEBUG=1 shows the exchange).'})
}

/** What to say when a change's answer was lost. */
export function lostAnswerHint(check: string): string {
  return `Run \`${check}\` to see what happened before trying again.`
}

/** The heroku command that shows the effect of a change to `path`: formation → ps, config vars → config. */
export function checkCommand(path: string): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean).map(safeDecode)
  const app = parts[0] === 'apps' && parts[1] ? ` -a ${parts[1]}` : ''
  if (parts[2] === 'formation' || parts[2] === 'dynos') return `heroku ps${app}`
  if (parts[2] === 'config-vars') return `heroku config${app}`
  if (parts.includes('addon-attachments') || parts.includes('addons')) return `heroku addons${app}`
  return `heroku releases${app}`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
