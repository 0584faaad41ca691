// The app: one entry for every Procfile type. heroku-tsq/runtime reads DYNO and the TSQ_* settings and
// runs `web` or `worker` in as many processes as the dyno should have.
import {createServer} from 'node:http'
import {run} from 'heroku-tsq/runtime'
import {tableName} from './db.js'
import {processor, workerOptions} from './jobs.js'
import {handler} from './web.js'

const table = tableName()
const jobMs = Number(process.env.EXAMPLE_JOB_MS ?? 200)

await run({
  web: async ctx => {
    const server = createServer(handler(ctx, table))
    const port = Number(process.env.PORT ?? 5000)
    await new Promise(resolve => server.listen(port, resolve))
    ctx.log.info('listening', {port})
    return server // the runtime closes it on SIGTERM
  },
  worker: ctx => {
    // Follow-up jobs go out on the worker's producer connection, which every Queue here shares.
    const queues = new Map(ctx.settings.queues.map(name => [name, ctx.createQueue(name)]))
    for (const queue of ctx.settings.queues) ctx.createWorker(queue, processor(ctx, table, jobMs, queues), workerOptions())
  },
})
