// The one door to the Heroku APIs: wraps @heroku-cli/command's APIClient (auth, HEROKU_HOST, Request-Id,
// Next-Range paging) with what it lacks: bounded retries on 429/5xx, a per-request timeout, rate-limit
// slow-down, the Data API host, and errors that say what to do (PlatformError).
//
// Retry policy. A 429 means Heroku did not process the request, so every request is retried on 429. A 5xx
// may come after the change was applied, so only idempotent requests are retried on 5xx: GETs, and the
// PATCHes of config vars and formation, which always carry absolute values (callers pass `idempotent`).
// POST /addon-attachments is retried on 429 only. Network errors are retried by http-call itself
// (ECONNREFUSED, ENOTFOUND: five times, ~6 s), so they are not retried again here. Timeouts are not retried:
// a hung API would otherwise multiply the wait.

import type {IncomingHttpHeaders} from 'node:http'

import {type APIClient, vars} from '@heroku-cli/command'

import {printable} from '../core/model/printable.js'
import {redactUrl} from '../core/model/redact.js'
import {errorFromNetwork, errorFromPaging, errorFromResponse, errorFromUnreadable, PlatformError} from './errors.js'
import {exchange} from './exchange.js'
import {planRetryDelay, type RetryPolicy} from './retry.js'
import {describeValue, type Shape} from './shapes.js'

export interface PlatformOptions extends Partial<RetryPolicy> {
  /** Per-request timeout in ms (each page of a list counts as one request). Default 20 000. */
  timeoutMs?: number
  /** Sleeps between retries; tests inject a fake. Default: setTimeout. */
  sleep?: (ms: number) => Promise<void>
  /** Data API host: `api.data.heroku.com` or a full URL. Default: HEROKU_DATA_HOST, else api.data.heroku.com. */
  dataHost?: string
  /** Below this many remaining API tokens, each request first waits `slowDownMs`. Default 30. */
  lowRateLimit?: number
  /** Default 1000 (Heroku refills about one token every 0.8 s). */
  slowDownMs?: number
  /** Longest time in ms to read one whole list, every page and retry included. Default 3 × timeoutMs. */
  listTimeoutMs?: number
}

export interface RequestOptions {
  headers?: Record<string, string>
  /** Safe to send again after a 5xx. Default: true for GET only. */
  idempotent?: boolean
  /** Return the first page only instead of following Next-Range. */
  partial?: boolean
  /** For a mutation: the heroku command that shows whether it was applied, named when its answer is lost. */
  check?: string
  /** What the answer must look like; another shape is an error naming the request (see shapes.ts). */
  shape?: Shape<unknown>
}

export interface PlatformResponse<T> {
  body: T
  status: number
  headers: IncomingHttpHeaders
}

export interface Platform {
  /** Where Platform API requests go, for messages (`https://api.heroku.com`). */
  readonly apiUrl: string
  /** Where Data API requests go (`https://api.data.heroku.com`). */
  readonly dataUrl: string
  get<T>(path: string, options?: RequestOptions): Promise<T>
  patch<T>(path: string, body: unknown, options?: RequestOptions): Promise<T>
  post<T>(path: string, body: unknown, options?: RequestOptions): Promise<T>
  /** GET on the Data API (`/client/v11/databases/...`), through the same retries and errors. */
  getData<T>(path: string, options?: RequestOptions): Promise<T>
  request<T>(method: string, path: string, options?: RequestOptions & {body?: unknown, api?: 'platform' | 'data'}): Promise<PlatformResponse<T>>
}

const DEFAULTS = {timeoutMs: 20_000, lowRateLimit: 30, slowDownMs: 1000}

/**
 * Most pages tsq reads of one list. Heroku pages 200 items by default (1000 at most), so 50 pages is 10 000
 * add-ons, attachments or process types — far beyond any app — while a looping API stops within seconds.
 */
export const MAX_LIST_PAGES = 50

/** A Platform over an APIClient (`this.heroku` in a command). */
export function createPlatform(api: APIClient, options: PlatformOptions = {}): Platform {
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms)))
  const lowRateLimit = options.lowRateLimit ?? DEFAULTS.lowRateLimit
  const slowDownMs = options.slowDownMs ?? DEFAULTS.slowDownMs
  const listTimeoutMs = options.listTimeoutMs ?? 3 * timeoutMs
  const policy: Partial<RetryPolicy> = options
  const apiUrl = vars.apiUrl.replace(/\/+$/, '')
  const {origin: dataUrl, target: dataTarget} = parseDataHost(options.dataHost ?? process.env.HEROKU_DATA_HOST ?? 'api.data.heroku.com')
  let remaining: number | null = null

  const scrubToken = (text: string): string => {
    const token = api.auth
    return token && token.length >= 8 ? text.split(token).join('*****') : text
  }

  const noteRateLimit = (headers: IncomingHttpHeaders | undefined) => {
    const value = Number(headers?.['ratelimit-remaining'])
    if (headers?.['ratelimit-remaining'] !== undefined && Number.isFinite(value)) remaining = value
  }

  /** One request; a GET of a list (not `partial`) follows Next-Range within MAX_LIST_PAGES and listTimeoutMs. */
  async function request<T>(method: string, path: string, opts: SendOptions = {}): Promise<PlatformResponse<T>> {
    const response = method !== 'GET' || opts.partial ? await send<T>(method, path, opts) : await readList<T>(path, opts)
    if (opts.shape && !opts.shape.test(response.body)) {
      throw errorFromUnreadable({method, path, attempts: 1, check: opts.check,
        what: `${describeValue(response.body)}, where ${opts.shape.expected} was expected`})
    }
    return response
  }

  // http-call would follow Next-Range itself, without end; every page is asked for here instead.
  async function readList<T>(path: string, opts: SendOptions): Promise<PlatformResponse<T>> {
    const deadline = Date.now() + listTimeoutMs
    const seen = new Set<string>()
    const items: unknown[] = []
    let range = opts.headers?.Range
    for (let page = 1; ; page++) {
      const tooSlow = () => errorFromPaging({fault: 'too_slow', path, page: page - 1, maxPages: MAX_LIST_PAGES, limitMs: listTimeoutMs})
      if (Date.now() >= deadline) throw tooSlow()
      const headers = range === undefined ? opts.headers : {...opts.headers, Range: range}
      const response = await send<unknown>('GET', path, {...opts, headers}, {deadline, onDeadline: tooSlow})
      const next = header(response.headers, 'next-range')
      // Not a list, or a list of one page: the answer as it came.
      if (page === 1 && (next === null || !Array.isArray(response.body))) return response as PlatformResponse<T>
      if (Array.isArray(response.body)) items.push(...(response.body as unknown[]))
      if (next === null) return {...response, body: items as T}
      const fault = !Array.isArray(response.body) || response.body.length === 0 ? 'empty'
        : next === range || seen.has(next) ? 'repeated' : page >= MAX_LIST_PAGES ? 'too_many' : null
      if (fault) throw errorFromPaging({fault, path, page, maxPages: MAX_LIST_PAGES, limitMs: listTimeoutMs, range: next})
      seen.add(next)
      range = next
    }
  }

  async function send<T>(method: string, path: string, opts: SendOptions = {}, bound?: ListBound): Promise<PlatformResponse<T>> {
    const data = opts.api === 'data'
    const host = data ? dataUrl : apiUrl
    // A full URL sends the request to the Data API host; APIClient still attaches the token to Heroku hosts.
    const target = data ? `${dataTarget}${path}` : path
    const idempotent = opts.idempotent ?? method === 'GET'
    let waitedMs = 0
    for (let attempt = 1; ; attempt++) {
      if (remaining !== null && remaining < lowRateLimit) await sleep(slowDownMs)
      const left = bound ? bound.deadline - Date.now() : timeoutMs
      if (left <= 0 && bound) throw bound.onDeadline()
      const timeout = Math.min(timeoutMs, left)
      try {
        const response = await exchange<T>(api, target, {
          method, headers: {...opts.headers}, partial: true, retryAuth: false,
          ...(opts.body === undefined ? {} : {body: opts.body}),
        }, {timeoutMs: timeout, resend: method === 'GET'})
        noteRateLimit(response.headers)
        return {body: response.body, status: response.statusCode, headers: response.headers}
      } catch (error) {
        // http-call parses a JSON body itself and throws its SyntaxError as it is.
        if (error instanceof SyntaxError) {
          throw errorFromUnreadable({method, path, attempts: attempt, check: opts.check, what: `a body that is not valid JSON (${scrubToken(printable(error.message, 120))})`})
        }
        const http = httpFailureOf(error)
        if (!http && bound && timeout < timeoutMs && isTimeout(error)) throw bound.onDeadline()
        if (!http) throw networkFailure(error, {method, path, host, data, attempts: attempt, check: opts.check})
        noteRateLimit(http.headers)
        const retryable = http.status === 429 || (http.status >= 500 && idempotent)
        const delay = retryable
          ? planRetryDelay(policy, {attempt, retryAfter: header(http.headers, 'retry-after'), waitedMs})
          : null
        if (delay === null) {
          throw errorFromResponse({status: http.status, body: http.body, method, path, attempts: attempt, check: opts.check}, scrubToken)
        }
        waitedMs += delay
        await sleep(delay)
      }
    }
  }

  return {
    apiUrl,
    dataUrl,
    request,
    get: async <T>(path: string, o?: RequestOptions) => (await request<T>('GET', path, o)).body,
    patch: async <T>(path: string, body: unknown, o?: RequestOptions) => (await request<T>('PATCH', path, {...o, body})).body,
    post: async <T>(path: string, body: unknown, o?: RequestOptions) => (await request<T>('POST', path, {...o, body})).body,
    getData: async <T>(path: string, o?: RequestOptions) => (await request<T>('GET', path, {...o, api: 'data'})).body,
  }

  function networkFailure(error: unknown, at: {method: string, path: string, host: string, data: boolean, attempts: number, check?: string}): Error {
    if (error instanceof PlatformError) return error
    const message = error instanceof Error ? error.message : String(error)
    const code = typeof (error as {code?: unknown})?.code === 'string' ? (error as {code: string}).code : null
    if (code === null && !/timed out/i.test(message)) {
      // Not a network failure (a bug, or APIClient refusing to run): keep the original, minus secrets.
      return new Error(scrubToken(message))
    }
    return errorFromNetwork({code, timeoutMs: code === null ? timeoutMs : null, method: at.method, path: at.path,
      host: at.host, variable: at.data ? 'HEROKU_DATA_HOST' : 'HEROKU_HOST', attempts: at.attempts, check: at.check})
  }
}

type SendOptions = RequestOptions & {body?: unknown, api?: 'platform' | 'data'}

/** The time bound of a whole list, shared by its pages. */
interface ListBound {
  /** Date.now() after which no page may still be waited for. */
  deadline: number
  onDeadline: () => PlatformError
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error as {code?: unknown}).code === undefined && /timed out/i.test(error.message)
}

interface HttpFailureInfo {
  status: number
  body: unknown
  headers: IncomingHttpHeaders | undefined
}

/** Status, body and headers of an http-call HTTPError or @heroku-cli/command HerokuAPIError, else null. */
function httpFailureOf(error: unknown): HttpFailureInfo | null {
  if (typeof error !== 'object' || error === null) return null
  const e = error as {statusCode?: unknown, body?: unknown, http?: {statusCode?: unknown, body?: unknown, headers?: IncomingHttpHeaders, http?: {headers?: IncomingHttpHeaders}}}
  // HerokuAPIError keeps the HTTPError in `http`; a bare HTTPError keeps the HTTP exchange in `http`.
  if (typeof e.http?.statusCode === 'number' && e.http.http) {
    return {status: e.http.statusCode, body: e.http.body, headers: e.http.http.headers}
  }
  if (typeof e.statusCode === 'number') return {status: e.statusCode, body: e.body, headers: e.http?.headers}
  return null
}

function header(headers: IncomingHttpHeaders | undefined, name: string): string | null {
  const value = headers?.[name]
  return Array.isArray(value) ? value[0] ?? null : value ?? null
}

/**
 * `api.data.heroku.com` or `http://127.0.0.1:5000` → its origin, and the same with an explicit port: http-call
 * would otherwise reuse HEROKU_HOST's port for a URL that has none.
 */
export function parseDataHost(value: string): {origin: string, target: string} {
  let url: URL
  try {
    url = new URL(/^https?:\/\//.test(value) ? value : `https://${value}`)
  } catch {
    throw new Error(`HEROKU_DATA_HOST is not a host name or URL: "${redactUrl(value)}". Use e.g. api.data.heroku.com.`)
  }
  const port = url.port || (url.protocol === 'http:' ? '80' : '443')
  return {origin: url.origin, target: `${url.protocol}//${url.hostname}:${port}`}
}
