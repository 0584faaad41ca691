// A local fake of the Heroku Platform API (and the Data API's database info) over real HTTP on 127.0.0.1:0,
// for integration and end-to-end tests and benchmarks. It checks the Bearer token, pages lists with
// Range/Next-Range, sends RateLimit-Remaining and Request-Id, records every request, and injects faults.

import {randomUUID} from 'node:crypto'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {performance} from 'node:perf_hooks'

import {ApiFault, FakeState, type Scenario} from './fake-api-model.js'
import {pageList} from './fake-api-range.js'
import {ROUTES, type RouteResult} from './fake-api-routes.js'

export {ApiFault, FakeState} from './fake-api-model.js'
export type {Scenario, ScenarioAddon, ScenarioApp, ScenarioAttachment, ScenarioProcess} from './fake-api-model.js'

export interface RecordedRequest {
  seq: number
  method: string
  /** Path without the query string, as sent (still URL-encoded). */
  path: string
  query: Record<string, string>
  /** Lower-cased header names. */
  headers: Record<string, string>
  /** Parsed JSON body, or undefined. */
  body: unknown
  /** performance.now() when the request was fully received. */
  startedAt: number
  /** performance.now() when the response was sent; null while pending or when it hung. */
  finishedAt: number | null
  status: number | null
}

export interface FailRule {
  method?: string
  /** Exact path, or a pattern tested against the path. */
  path: string | RegExp
  /** Answer status (default 500); ignored with `hang`. */
  status?: number
  /** Answer body; default Heroku's error body for the status. */
  body?: unknown
  headers?: Record<string, string>
  /** How many matching requests fail (default 1). */
  times?: number
  /** Never answer (until close()). */
  hang?: boolean
  /** Instead of an error answer, one of the faults a real network or a broken API produces. */
  fault?: Fault
}

/**
 * What a broken API or network does. `apply: true` first runs the real route (so a mutation takes effect) and
 * then misbehaves, as when the answer to an applied change is lost.
 */
export type Fault =
  /** Status and headers, then `head` of the body, then nothing (until close()). */
  | {kind: 'stall', head: string, status?: number, contentType?: string, apply?: boolean}
  /** The socket is destroyed without an answer. */
  | {kind: 'reset', apply?: boolean}
  /** `text` sent verbatim as the body (wrong shapes, invalid JSON, an empty body). */
  | {kind: 'raw', text: string, status?: number, contentType?: string, apply?: boolean}
  /** The list's first page, with a Next-Range that never changes. */
  | {kind: 'loop-next-range'}
  /** An empty 206 page that still carries a Next-Range. */
  | {kind: 'empty-page'}
  /** One item per page and always a new Next-Range: a list that never ends. */
  | {kind: 'endless-pages'}

/** Headers added to the normal answer of matching requests (a warning Heroku sends beside a success). */
export interface HeaderRule {
  method?: string
  path: string | RegExp
  headers: Record<string, string | string[]>
  /** How many matching requests get them (default every one). */
  times?: number
}

export interface FakeApiOptions {
  /** Added before every answer, in ms (the benchmarks use 150). */
  latencyMs?: number
}

export interface FakeApi {
  /** `http://127.0.0.1:PORT`: use as HEROKU_HOST and HEROKU_DATA_HOST. */
  url: string
  port: number
  requests: RecordedRequest[]
  /** The requests that could change something (every method but GET). */
  mutations(): RecordedRequest[]
  failNext(rule: FailRule): void
  /** Adds headers to the answers of matching requests (`X-Heroku-Warning`...). */
  sendHeaders(rule: HeaderRule): void
  state: FakeState
  close(): Promise<void>
}

const DEFAULT_ERRORS: Record<number, {id: string, message: string, url?: string}> = {
  401: {id: 'unauthorized', message: 'Invalid credentials provided.'},
  403: {id: 'forbidden', message: 'You do not have access to this resource.'},
  404: {id: 'not_found', message: 'Not found.'},
  422: {id: 'invalid_params', message: 'Invalid params.'},
  429: {id: 'rate_limit', message: 'Your account reached the API rate limit',
    url: 'https://devcenter.heroku.com/articles/platform-api-reference#rate-limits'},
}

/** Starts the fake on a free port. */
export async function startFakeApi(scenario: Scenario, options: FakeApiOptions = {}): Promise<FakeApi> {
  const state = new FakeState(scenario)
  const requests: RecordedRequest[] = []
  const rules: Array<FailRule & {left: number}> = []
  const headerRules: Array<HeaderRule & {left: number}> = []
  const matches = (r: {method?: string, path: string | RegExp}, e: RecordedRequest) => (!r.method || r.method.toUpperCase() === e.method) &&
    (typeof r.path === 'string' ? r.path === e.path : r.path.test(e.path))
  const hung = new Set<ServerResponse>()

  const server = createServer((req, res) => {
    void handle(req, res).catch(error => send(res, 500, {id: 'internal_server_error', message: String(error)}))
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake')
    const raw = await readBody(req)
    let body: unknown
    let badJson = false
    try {
      body = raw ? JSON.parse(raw) : undefined
    } catch {
      body = raw
      badJson = true
    }
    const entry: RecordedRequest = {
      seq: requests.length + 1, method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v ?? ''])),
      body, startedAt: performance.now(), finishedAt: null, status: null,
    }
    requests.push(entry)
    res.on('finish', () => {
      entry.finishedAt = performance.now()
      entry.status = res.statusCode
    })
    state.rateLimitRemaining = Math.max(0, state.rateLimitRemaining - (url.pathname === '/account/rate-limits' ? 0 : 1))
    res.setHeader('Request-Id', randomUUID())
    res.setHeader('RateLimit-Remaining', String(state.rateLimitRemaining))

    const rule = rules.find(r => r.left > 0 && matches(r, entry))
    if (rule) rule.left--
    for (const h of headerRules.filter(r => r.left > 0 && matches(r, entry))) {
      h.left--
      for (const [k, v] of Object.entries(h.headers)) res.setHeader(k, v)
    }
    if (rule?.hang) {
      hung.add(res)
      return
    }
    if (options.latencyMs) await new Promise(resolve => setTimeout(resolve, options.latencyMs))
    if (rule?.fault) {
      misbehave(res, entry, rule.fault)
      return
    }
    if (rule) {
      const status = rule.status ?? 500
      for (const [k, v] of Object.entries(rule.headers ?? {})) res.setHeader(k, v)
      send(res, status, rule.body ?? DEFAULT_ERRORS[status] ?? {id: 'internal_server_error', message: 'Please try again later.'})
      return
    }
    if (req.headers.authorization !== `Bearer ${state.token}`) {
      send(res, 401, DEFAULT_ERRORS[401])
      return
    }
    if (badJson) {
      send(res, 400, {id: 'bad_request', message: 'Invalid JSON in the request body.'})
      return
    }
    answer(res, entry)
  }

  function misbehave(res: ServerResponse, entry: RecordedRequest, fault: Fault): void {
    if ('apply' in fault && fault.apply) {
      try {
        route(entry)?.run()
      } catch (error) {
        if (!(error instanceof ApiFault)) throw error
      }
    }
    switch (fault.kind) {
      case 'stall': {
        hung.add(res)
        res.writeHead(fault.status ?? 200, {'Content-Type': fault.contentType ?? 'application/json; charset=utf-8'})
        res.write(fault.head)
        return
      }
      case 'reset': {
        res.socket?.destroy()
        return
      }
      case 'raw': {
        res.writeHead(fault.status ?? 200, {'Content-Type': fault.contentType ?? 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(fault.text)})
        res.end(fault.text)
        return
      }
      default: {
        const result = route(entry)?.run()
        const items = result && 'list' in result ? result.list : []
        const next = fault.kind === 'loop-next-range' ? 'id ]loop..; max=200' : `id ]page-${entry.seq}..; max=200`
        res.setHeader('Next-Range', next)
        send(res, 206, fault.kind === 'empty-page' ? [] : fault.kind === 'endless-pages' ? items.slice(0, 1) : items)
      }
    }
  }

  function route(entry: RecordedRequest): {run: () => RouteResult} | null {
    const found = ROUTES.map(([method, pattern, handler]) => ({method, match: pattern.exec(entry.path), handler}))
      .find(r => r.match && r.method === entry.method)
    return found ? {run: () => found.handler({state, params: found.match!.slice(1), body: entry.body, headers: entry.headers})} : null
  }

  function answer(res: ServerResponse, entry: RecordedRequest): void {
    const found = ROUTES.map(([method, pattern, handler]) => ({method, match: pattern.exec(entry.path), handler}))
      .filter(r => r.match)
    const route = found.find(r => r.method === entry.method)
    if (!route) {
      send(res, found.length > 0 ? 405 : 404, {id: found.length > 0 ? 'method_not_allowed' : 'not_found', message: `No route ${entry.method} ${entry.path}.`})
      return
    }
    try {
      const result = route.handler({state, params: route.match!.slice(1), body: entry.body, headers: entry.headers})
      if ('list' in result) {
        const page = pageList(result.list, entry.headers.range, state.pageSize)
        for (const [k, v] of Object.entries(page.headers)) res.setHeader(k, v)
        send(res, page.status, page.items)
      } else {
        send(res, result.status ?? 200, result.body)
      }
    } catch (error) {
      if (!(error instanceof ApiFault)) throw error
      send(res, error.status, {id: error.id, message: error.message, ...error.extra})
    }
  }

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    mutations: () => requests.filter(r => r.method !== 'GET'),
    failNext: rule => {
      rules.push({...rule, left: rule.times ?? 1})
    },
    sendHeaders: rule => {
      headerRules.push({...rule, left: rule.times ?? Number.POSITIVE_INFINITY})
    },
    state,
    close: () => new Promise<void>(resolve => {
      for (const res of hung) res.destroy()
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text)})
  res.end(text)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
