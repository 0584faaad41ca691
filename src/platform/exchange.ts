// One HTTP exchange through @heroku-cli/command's client (auth, HEROKU_HOST, Request-Id, two-factor, proxies),
// with the two guarantees http-call lacks:
// - a hard deadline on the whole exchange, body included: http-call's `timeout` is a socket idle timeout, and
//   once headers have arrived it waits for the body's `end` without listening for errors, so a body that
//   stalls or a socket reset mid-body left its promise pending for ever (Node then exits 13);
// - no re-send after a network error unless allowed: http-call re-sends any request up to five times on
//   ECONNRESET and the like, which for a POST that was applied before the reset creates it twice;
// - the warning headers @heroku-cli/command prints to stderr (`X-Heroku-Warning`, `Warning-Message`) made
//   printable first: it prints them verbatim, so a server could send escape sequences or megabytes.

import type {ClientRequest, IncomingHttpHeaders, IncomingMessage} from 'node:http'

import type {APIClient} from '@heroku-cli/command'
import type {HTTP, HTTPRequestOptions} from '@heroku/http-call'

import {printableServerText} from './errors.js'

/** The response headers @heroku-cli/command's APIClient prints as warnings (api-client.js `showWarnings`). */
export const WARNING_HEADERS = ['x-heroku-warning', 'warning-message'] as const

/** The error an exchange ends with at its deadline; reads like http-call's own socket timeout. */
export class ExchangeTimeout extends Error {
  constructor() {
    super('Request timed out')
  }
}

export interface ExchangeOptions {
  /** The whole exchange, from sending to the last byte of the body, in ms. */
  timeoutMs: number
  /** Let http-call send the request again after a network error (GETs only). */
  resend: boolean
}

interface LiveExchange {
  request?: ClientRequest
  response?: IncomingMessage
}

/** Sends one request (plus, for a GET, http-call's own re-sends) and settles within `timeoutMs`, always. */
export async function exchange<T>(api: APIClient, target: string, options: HTTPRequestOptions & {retryAuth?: boolean}, guard: ExchangeOptions): Promise<HTTP<T>> {
  const live: LiveExchange[] = []
  const Base = api.http as unknown as GuardableHttpClass
  const scrub = (text: string) => {
    const token = api.auth
    return token && token.length >= 8 ? text.split(token).join('*****') : text
  }
  class Guarded extends Base {
    // APIClient's request() calls `this.showWarnings(response)`: it then prints what is left after cleaning.
    static override showWarnings(response: {headers: IncomingHttpHeaders}): void {
      // An older APIClient without it prints no warning headers at all.
      if (typeof Base.showWarnings === 'function') super.showWarnings({...response, headers: printableWarnings(response.headers, scrub)})
    }

    override async _request(): Promise<void> {
      live.push(this)
      return super._request()
    }

    override async _maybeRetry(error: Error): Promise<void> {
      if (!guard.resend) throw error
      return super._maybeRetry(error)
    }
  }
  const sent = (Guarded as unknown as typeof HTTP).request<T>(target, {...options, timeout: guard.timeoutMs})
  // The losing side of the race below must not become an unhandled rejection.
  sent.catch(() => {})
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      for (const x of live) {
        x.response?.destroy()
        x.request?.destroy()
      }
      reject(new ExchangeTimeout())
    }, guard.timeoutMs)
  })
  try {
    return await Promise.race([sent, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** The warning headers of `headers`, each value made printable and bounded (empty ones dropped); the rest as they are. */
export function printableWarnings(headers: IncomingHttpHeaders, scrub?: (s: string) => string): IncomingHttpHeaders {
  const cleaned: IncomingHttpHeaders = {...headers}
  for (const name of WARNING_HEADERS) {
    const value = headers[name]
    if (value === undefined) continue
    // One warning per line at most: a header's text never spans lines of the terminal it is printed on.
    const values = (Array.isArray(value) ? value : [value]).map(v => printableServerText(v, scrub).replace(/\s+/g, ' ')).filter(v => v !== '')
    if (values.length === 0) delete cleaned[name]
    else cleaned[name] = values.length === 1 ? values[0]! : values
  }
  return cleaned
}

/** The instance methods of http-call's HTTP this module overrides (public in its typings, not documented). */
interface GuardableHttp extends LiveExchange {
  _request(): Promise<void>
  _maybeRetry(error: Error): Promise<void>
}

/** APIClient's HTTP class: instances as above, and its static `showWarnings` (not in its typings). */
interface GuardableHttpClass {
  new (url: string, options?: HTTPRequestOptions): GuardableHttp
  showWarnings(response: {headers: IncomingHttpHeaders}): void
}
