// The HTTP side: enqueue jobs, read results. node:http only, so the example has no dependency of its own.
import {randomUUID} from 'node:crypto'
import {findResult, summary} from './db.js'

const JOB_OPTIONS = {
  attempts: 3,
  backoff: {type: 'exponential', delay: 500},
  // Results live in Postgres; Redis only keeps recent history, so a long load test does not fill it.
  removeOnComplete: {count: 1000},
  removeOnFail: {count: 5000},
}

/** A request handler bound to the process's queues (one producer connection for all of them) and pool. */
export function handler(ctx, table) {
  const queues = new Map(ctx.settings.queues.map(name => [name, ctx.createQueue(name)]))
  return async (req, res) => {
    // During shutdown, finish this request but do not keep the connection open for another.
    if (ctx.signal.aborted) res.setHeader('connection', 'close')
    const url = new URL(req.url ?? '/', 'http://localhost')
    try {
      if (req.method === 'POST' && url.pathname === '/jobs') return await enqueue(url, queues, res)
      if (req.method === 'GET' && url.pathname === '/results') return send(res, 200, await summary(ctx.pool, table))
      const id = /^\/results\/([^/]+)$/.exec(url.pathname)?.[1]
      if (req.method === 'GET' && id) {
        const row = await findResult(ctx.pool, table, decodeURIComponent(id))
        return row ? send(res, 200, row) : send(res, 404, {error: 'no such job'})
      }
      if (url.pathname === '/health') return send(res, 200, {dyno: ctx.settings.dyno, pid: process.pid})
      return send(res, 404, {error: 'not found'})
    } catch (error) {
      // The producer connection fails fast: a Redis outage is a 503 now, not a request hanging.
      ctx.log.warn('request failed', {path: url.pathname, err: error})
      return send(res, 503, {error: error.message})
    }
  }
}

// POST /jobs?queue=default&count=1&ms=200&fail=0&next=<queue>&id=...  →  202 {"ids": [...]}
async function enqueue(url, queues, res) {
  const name = url.searchParams.get('queue') ?? queues.keys().next().value
  const queue = queues.get(name)
  if (!queue) return send(res, 400, {error: `unknown queue ${name}; this app has ${[...queues.keys()].join(', ')}`})
  const count = Math.min(Number(url.searchParams.get('count') ?? 1), 1000)
  const data = {}
  if (url.searchParams.has('ms')) data.ms = Number(url.searchParams.get('ms'))
  if (url.searchParams.has('fail')) data.fail = Number(url.searchParams.get('fail'))
  if (url.searchParams.has('next')) data.next = url.searchParams.get('next')
  // An id given by the client makes the enqueue idempotent: BullMQ ignores a second job with the same id.
  const given = url.searchParams.get('id')
  const jobs = Array.from({length: count}, (_, i) => ({
    name: 'example', data, opts: {...JOB_OPTIONS, jobId: given ? (count > 1 ? `${given}-${i}` : given) : randomUUID()},
  }))
  const added = await queue.addBulk(jobs)
  return send(res, 202, {queue: name, ids: added.map(job => job.id)})
}

function send(res, status, body) {
  res.writeHead(status, {'content-type': 'application/json'})
  res.end(JSON.stringify(body))
}
