// One HTTP exchange through @heroku-cli/command's client (auth, HEROKU_HOST, Request-Id, two-factor, proxies),
// with the two guarantees http-call lacks:
// - a hard deadline on the whole exchange, body included: http-call's `timeout` is a socket idle timeout, and
//   once headers have arrived it waits for the body's `end` without listening for errors, so a body that
//   stalls or a socket reset mid-body left its promise pending for ever (Node then exits 13);
// - no re-send after a network error unless allowed: http-call re-sends any request up to five times on
//   ECONNRESET and the like, which for a POST that was applied before the reset creates it twice.

import type {ClientRequest, IncomingMessage} from 'node:http'

import type {APIClient} from '@heroku-cli/command'
import type {HTTP, HTTPRequestOptions} from '@heroku/http-call'

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
  const Base = api.http as unknown as new (url: string, options?: HTTPRequestOptions) => GuardableHttp
  class Guarded extends Base {
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

/** The instance methods of http-call's HTTP this module overrides (public in its typings, not documented). */
interface GuardableHttp extends LiveExchange {
  _request(): Promise<void>
  _maybeRetry(error: Error): Promise<void>
}
