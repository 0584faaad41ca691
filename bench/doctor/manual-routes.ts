// A thin proxy in front of the fake Platform API that answers the few endpoints `heroku ps` and
// `heroku addons:info` need and the fake does not serve (GET /account, GET /apps/{app}/dynos,
// POST /actions/addons/resolve), with the same added latency; everything else goes to the fake as is.
// Only the benchmark's "by hand" baseline uses it.
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {FakeApi} from '../../test/helpers/fake-api.js'

export interface ManualProxy {
  url: string
  /** Requests received so far (those answered here and those passed on). */
  readonly requests: number
  close(): Promise<void>
}

export async function startManualProxy(fake: FakeApi, latencyMs: number): Promise<ManualProxy> {
  const server = createServer((req, res) => {
    void handle(req, res).catch(error => send(res, 500, {id: 'internal_server_error', message: String(error)}))
  })

  let requests = 0
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests++
    const body = await readBody(req)
    const path = (req.url ?? '/').split('?')[0]!
    const dynos = /^\/apps\/([^/]+)\/dynos$/.exec(path)
    if (req.method === 'GET' && path === '/account') {
      await sleep(latencyMs)
      return send(res, 200, {id: '00000009-0000-4000-8000-000000000001', email: 'owner@example.com', name: 'Owner', verified: true})
    }
    if (req.method === 'GET' && dynos) {
      const app = fake.state.app(decodeURIComponent(dynos[1]!))
      await sleep(latencyMs)
      return send(res, 200, app.formation.flatMap(p => Array.from({length: p.quantity}, (_x, i) => ({
        id: `dyno-${p.type}-${i + 1}`, name: `${p.type}.${i + 1}`, type: p.type, command: p.command, size: p.size, state: 'up',
        updated_at: '2026-01-01T00:00:00Z', created_at: '2026-01-01T00:00:00Z', app: {id: app.id, name: app.name}, release: {id: 'r', version: 1},
      }))))
    }
    if (req.method === 'POST' && path === '/actions/addons/resolve') {
      const wanted = (JSON.parse(body || '{}') as {addon?: string}).addon ?? ''
      const answer = await forward(fake.url, 'GET', `/addons/${encodeURIComponent(wanted)}`, req.headers, undefined)
      res.writeHead(answer.status, {'Content-Type': 'application/json'})
      return void res.end(answer.status === 200 ? `[${answer.body}]` : answer.body)
    }
    const answer = await forward(fake.url, req.method ?? 'GET', req.url ?? '/', req.headers, body || undefined)
    res.writeHead(answer.status, answer.headers)
    res.end(answer.body)
  }

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests
    },
    close: () => new Promise<void>(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

async function forward(base: string, method: string, url: string, headers: IncomingMessage['headers'], body: string | undefined):
  Promise<{status: number, headers: Record<string, string>, body: string}> {
  const pass = Object.fromEntries(Object.entries(headers).filter(([k, v]) => v !== undefined && !['host', 'connection', 'content-length'].includes(k))
    .map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]))
  const response = await fetch(`${base}${url}`, {method, headers: pass, body})
  const keep = ['content-type', 'next-range', 'request-id', 'ratelimit-remaining', 'content-range']
  return {
    status: response.status,
    headers: Object.fromEntries([...response.headers].filter(([k]) => keep.includes(k))),
    body: await response.text(),
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {'Content-Type': 'application/json'})
  res.end(JSON.stringify(body))
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
